// CSV import (spec 17 §5.13 "CSV import"), a wide modal in four steps: upload,
// preview and mapping, importing (one POST per row, in sequence), done.
import { createSignal, For, Match, Show, Switch } from "solid-js";
import { Modal } from "../../components/modal";
import { toast } from "../../components/toast";
import { ErrorBanner, FormField } from "../../components/ui";
import { api, errorWithDetails } from "../../lib/api";
import type { Entity, Field } from "../../lib/schema";
import { parseCsv } from "./csv";
import { FILE_INPUT } from "./FileUpload";
import type { Row } from "./records";

type Step = "upload" | "map" | "importing" | "done";

/** The import's own coercion (§5.13 step 3), not the form's of §6.4. */
export function importValue(f: Field, raw: string): unknown {
  const s = raw.trim();
  if (s === "" || s.toLowerCase() === "null") return null;
  switch (f.type) {
    case "int":
    case "bigint": {
      const n = parseInt(s, 10);
      return isNaN(n) ? raw : n;
    }
    case "decimal":
    case "float": {
      const n = parseFloat(s);
      return isNaN(n) ? raw : n;
    }
    case "boolean":
      return ["true", "1", "yes"].includes(s.toLowerCase());
    case "json":
      try {
        return JSON.parse(s);
      } catch {
        return raw;
      }
    default:
      return s;
  }
}

function Progress(props: { done: number; total: number; ok: number; failed: number }) {
  return (
    <div role="status">
      <p class="text-sm">
        Importing... {props.done} / {props.total}
      </p>
      <div class="my-2 h-2 overflow-hidden rounded bg-gray-200 dark:bg-gray-700">
        <div class="h-full bg-blue-600 transition-all" style={{ width: `${(100 * props.done) / Math.max(props.total, 1)}%` }} />
      </div>
      <p class="text-xs text-gray-500 dark:text-gray-400">
        {props.ok} succeeded, {props.failed} failed
      </p>
    </div>
  );
}

export function CsvImport(props: { entity: Entity; onClose: () => void; onImported: () => void }) {
  const [step, setStep] = createSignal<Step>("upload");
  const [error, setError] = createSignal<string | null>(null);
  const [headers, setHeaders] = createSignal<string[]>([]);
  const [rows, setRows] = createSignal<string[][]>([]);
  const [mapping, setMapping] = createSignal<string[]>([]);
  const [done, setDone] = createSignal(0);
  const [ok, setOk] = createSignal(0);
  const [failures, setFailures] = createSignal<string[]>([]);
  const fields = () => props.entity.fields;
  const mapped = () => mapping().filter(Boolean).length;

  const read = async (input: HTMLInputElement) => {
    const file = input.files?.[0];
    if (!file) return;
    const table = parseCsv(await file.text());
    if (table.length < 2) {
      setError("CSV must have a header row and at least one data row");
      return;
    }
    setError(null);
    setHeaders(table[0]);
    setRows(table.slice(1));
    setMapping(table[0].map((h) => fields().find((f) => f.name.toLowerCase() === h.trim().toLowerCase())?.name ?? ""));
    setStep("map");
  };

  const run = async () => {
    setStep("importing");
    setDone(0);
    setOk(0);
    setFailures([]);
    const byName = new Map(fields().map((f) => [f.name, f]));
    for (const [i, cells] of rows().entries()) {
      const body: Row = {};
      mapping().forEach((name, c) => {
        const f = byName.get(name);
        if (f) body[f.name] = importValue(f, cells[c] ?? "");
      });
      try {
        await api.post(`/${props.entity.name}`, body);
        setOk((n) => n + 1);
      } catch (e) {
        setFailures((list) => [...list, `Row ${i + 1}: ${errorWithDetails(e, "Failed to create record", ", ")}`]);
      }
      setDone(i + 1);
    }
    setStep("done");
  };

  const close = () => {
    if (step() === "importing") return;
    if (step() === "done" && ok() > 0) {
      toast.success(`Imported ${ok()} record(s)`);
      props.onImported();
    }
    props.onClose();
  };

  return (
    <Modal
      open
      size="wide"
      title={`Import CSV — ${props.entity.name}`}
      onClose={close}
      footer={
        <Switch>
          <Match when={step() === "upload"}>
            <button class="btn btn-secondary" onClick={close}>
              Cancel
            </button>
          </Match>
          <Match when={step() === "importing"}>
            <button class="btn btn-primary" disabled>
              Importing...
            </button>
          </Match>
          <Match when={step() === "map"}>
            <button class="btn btn-secondary mr-auto" onClick={() => setStep("upload")}>
              Back
            </button>
            <span class="self-center text-sm text-gray-500 dark:text-gray-400">{mapped()} field(s) mapped</span>
            <button class="btn btn-primary" disabled={mapped() === 0} onClick={run}>
              Import {rows().length} Row(s)
            </button>
          </Match>
          <Match when={step() === "done"}>
            <button class="btn btn-primary" onClick={close}>
              Done
            </button>
          </Match>
        </Switch>
      }
    >
      <Switch>
        <Match when={step() === "upload"}>
          <ErrorBanner message={error()} />
          <p class="mb-3 text-sm text-gray-600 dark:text-gray-300">
            Upload a CSV file whose first row holds the column names. Each following row becomes one {props.entity.name} record; you map the
            columns to fields in the next step.
          </p>
          <FormField label="CSV file">
            {(id) => <input id={id} type="file" accept=".csv,text/csv" class={FILE_INPUT} onChange={(e) => read(e.currentTarget)} />}
          </FormField>
        </Match>
        <Match when={step() === "map"}>
          <p class="mb-3 text-sm">{rows().length} row(s) found. Map CSV columns to entity fields:</p>
          <div class="mb-4 grid gap-2 sm:grid-cols-2">
            <For each={headers()}>
              {(h, c) => (
                <div class="flex items-center gap-2 text-sm">
                  <span class="min-w-0 truncate font-mono" title={h}>
                    {h}
                  </span>
                  <span aria-hidden="true">→</span>
                  <select
                    class="input input-sm !w-auto min-w-[8rem]"
                    aria-label={`Map column ${h}`}
                    value={mapping()[c()]}
                    onChange={(e) => setMapping((m) => m.map((v, j) => (j === c() ? e.currentTarget.value : v)))}
                  >
                    <option value="">(skip)</option>
                    <For each={fields()}>
                      {(f) => (
                        <option value={f.name} selected={f.name === mapping()[c()]}>
                          {f.name}
                        </option>
                      )}
                    </For>
                  </select>
                </div>
              )}
            </For>
          </div>
          <div class="overflow-x-auto rounded-md border border-gray-200 dark:border-gray-700">
            <table class="w-full text-left text-xs" aria-label="Preview">
              <thead class="bg-gray-50 text-gray-500 dark:bg-gray-800/60 dark:text-gray-400">
                <tr>
                  <For each={headers()}>
                    {(h, c) => (
                      <th class="px-3 py-2 font-medium">
                        {h}
                        <div class="font-normal text-blue-600 dark:text-blue-400">{mapping()[c()] ? `→ ${mapping()[c()]}` : "(skip)"}</div>
                      </th>
                    )}
                  </For>
                </tr>
              </thead>
              <tbody class="divide-y divide-gray-100 dark:divide-gray-700">
                <For each={rows().slice(0, 5)}>
                  {(r) => (
                    <tr>
                      <For each={headers()}>{(_, c) => <td class="px-3 py-1.5 whitespace-nowrap">{r[c()] ?? ""}</td>}</For>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </Match>
        <Match when={step() === "importing"}>
          <Progress done={done()} total={rows().length} ok={ok()} failed={failures().length} />
        </Match>
        <Match when={step() === "done"}>
          <div class="mb-3 flex flex-wrap gap-6 text-sm">
            <span class="font-semibold text-green-700 dark:text-green-400">{ok()} imported</span>
            <span class="font-semibold text-red-700 dark:text-red-400">{failures().length} failed</span>
            <span class="text-gray-500 dark:text-gray-400">of {rows().length} total</span>
          </div>
          <Show when={failures().length}>
            <ul
              class="max-h-60 space-y-1 overflow-auto rounded-md border border-red-200 bg-red-50 p-2 text-xs text-red-800 dark:border-red-800 dark:bg-red-900/30 dark:text-red-200"
              aria-label="Failures"
            >
              <For each={failures()}>{(f) => <li>{f}</li>}</For>
            </ul>
          </Show>
        </Match>
      </Switch>
    </Modal>
  );
}
