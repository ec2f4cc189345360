// The live expression tester of the rule editor (spec 17 §5.9, nice to have):
// evaluates the expression against a sample record, an optional old record and an
// action with POST /_admin/expr/eval, and says what the rule would make of it.
import { createEffect, createMemo, createSignal, createUniqueId, on, Show } from "solid-js";
import { Badge, FormField, JsonArea } from "../../components/ui";
import { api, errorMessage } from "../../lib/api";
import { Entity, Field, writableFields } from "../../lib/schema";

interface Evaluated {
  result: unknown;
  type?: string;
  truthy?: boolean;
}

/** A plausible value for a field of the sample record. */
function sampleValue(f: Field): unknown {
  if (f.default !== undefined && f.default !== null) return f.default;
  if (f.enum?.length) return f.enum[0];
  switch (f.type) {
    case "int":
    case "bigint":
    case "decimal":
      return 0;
    case "boolean":
      return false;
    case "timestamp":
      return new Date().toISOString().replace(/\.\d+Z$/, "Z");
    case "date":
      return new Date().toISOString().slice(0, 10);
    case "json":
      return {};
    case "uuid":
    case "file":
      return null;
    default:
      return "";
  }
}

/** The sample record: the fields a create may send (§6.4), with plausible values. */
export function sampleRecord(entity: Entity | undefined): string {
  if (!entity) return "{}";
  const rec = Object.fromEntries(writableFields(entity, "create").map((f) => [f.name, sampleValue(f)]));
  return JSON.stringify(rec, null, 2);
}

/** Truthiness of spec 10 §3.5, for a server that does not say. */
const truthy = (v: unknown) => !(v === false || v === null || v === undefined || v === 0 || v === "");

function parseObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new Error(`${what} is not valid JSON`);
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new Error(`${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

export function ExpressionTester(props: {
  expression: string;
  entity: Entity | undefined;
  kind: "expression" | "computed";
  target: string;
}) {
  const [record, setRecord] = createSignal(sampleRecord(props.entity));
  const [withOld, setWithOld] = createSignal(false);
  const [old, setOld] = createSignal(sampleRecord(props.entity));
  const [action, setAction] = createSignal("create");
  const [busy, setBusy] = createSignal(false);
  const [result, setResult] = createSignal<Evaluated | null>(null);
  const [error, setError] = createSignal<string | null>(null);
  const titleId = createUniqueId();

  // Another entity chosen: a fresh sample of its fields. (Memos: the props change with
  // every keystroke of the form, their values only when these do.)
  const entityName = createMemo(() => props.entity?.name);
  const expression = createMemo(() => props.expression);
  createEffect(
    on(
      entityName,
      () => {
        setRecord(sampleRecord(props.entity));
        setOld(sampleRecord(props.entity));
      },
      { defer: true },
    ),
  );
  createEffect(on(expression, () => (setResult(null), setError(null)), { defer: true }));

  const evaluate = async () => {
    setError(null);
    setResult(null);
    let body: Record<string, unknown>;
    try {
      body = { expression: props.expression, record: parseObject(record(), "Sample record"), action: action() };
      // A rule sees `old` as {} on create (spec 07 §3.1).
      if (withOld()) body.old = parseObject(old(), "Old record");
      else if (action() === "create") body.old = {};
    } catch (e) {
      setError((e as Error).message);
      return;
    }
    setBusy(true);
    try {
      setResult((await api.post<Evaluated>("/_admin/expr/eval", body)).data);
    } catch (e) {
      setError(errorMessage(e, "Failed to evaluate expression"));
    } finally {
      setBusy(false);
    }
  };

  const isTruthy = () => {
    const r = result();
    return r ? (r.truthy ?? truthy(r.result)) : false;
  };

  return (
    <section class="rounded-md border border-gray-200 bg-gray-50 p-3 dark:border-gray-700 dark:bg-gray-900/40" aria-labelledby={titleId}>
      <h3 id={titleId} class="section-title !mb-2">
        Test expression
      </h3>
      <div class="space-y-3">
        <FormField label="Sample record (JSON)">{(id) => <JsonArea id={id} rows={5} value={record()} onInput={setRecord} />}</FormField>
        <div class="flex flex-wrap items-end gap-4">
          <label class="flex items-center gap-2 text-sm">
            <input type="checkbox" checked={withOld()} onChange={(e) => setWithOld(e.currentTarget.checked)} />
            Include old record
          </label>
          <FormField label="Action">
            {(id) => (
              <select id={id} class="input input-sm !w-auto" value={action()} onChange={(e) => setAction(e.currentTarget.value)}>
                <option value="create">create</option>
                <option value="update">update</option>
              </select>
            )}
          </FormField>
          <button type="button" class="btn btn-secondary btn-sm" disabled={busy() || !props.expression.trim()} onClick={evaluate}>
            {busy() ? "Evaluating..." : "Evaluate"}
          </button>
        </div>
        <Show when={withOld()}>
          <FormField label="Old record (JSON)">{(id) => <JsonArea id={id} rows={4} value={old()} onInput={setOld} />}</FormField>
        </Show>
        <Show when={error()}>
          <div
            role="alert"
            data-testid="tester-error"
            class="rounded-md border border-red-200 bg-red-50 px-3 py-2 font-mono text-xs break-words text-red-700 dark:border-red-800 dark:bg-red-900/30 dark:text-red-300"
          >
            {error()}
          </div>
        </Show>
        <Show when={result()}>
          {(r) => (
            <div data-testid="tester-result" class="flex flex-wrap items-center gap-2 text-sm" role="status">
              <span class="text-gray-600 dark:text-gray-300">Result:</span>
              <code class="rounded bg-white px-1.5 py-0.5 text-xs break-all dark:bg-gray-800">{JSON.stringify(r().result)}</code>
              <Show when={r().type}>
                <Badge color="gray">{r().type}</Badge>
              </Show>
              <Show
                when={props.kind === "expression"}
                fallback={<span class="text-gray-600 dark:text-gray-300">would be set on {props.target || "the target field"}</span>}
              >
                <Badge color={isTruthy() ? "red" : "green"}>{isTruthy() ? "rule violated" : "rule passes"}</Badge>
              </Show>
            </div>
          )}
        </Show>
      </div>
    </section>
  );
}
