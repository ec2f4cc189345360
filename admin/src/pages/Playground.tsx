// API Playground: an interactive REST client for the app's entity API (spec 17 §5.14).
// Raw requests never throw on a status and never log the user out on a 401.
import { createEffect, createSignal, For, Index, on, Show } from "solid-js";
import { copyText } from "../components/CopyButton";
import { toast } from "../components/toast";
import { Badge, BadgeColor, FormField, JsonArea, PageHeader, SelectField, TextField } from "../components/ui";
import { raw, RawResponse } from "../lib/api";
import {
  bodyTemplate,
  DEFAULT_PAGE,
  DEFAULT_PER_PAGE,
  FilterRow,
  hasBody,
  history,
  HistoryEntry,
  MAX_PER_PAGE,
  Method,
  METHODS,
  needsId,
  OPERATORS,
  remember,
  requestPath,
  toggleInclude,
  verbOf,
} from "../lib/playground";
import { selectedApp } from "../lib/session";
import { entities, entityByName, sourceRelations } from "../lib/schema";

const statusColor = (s: number): BadgeColor => (s >= 200 && s < 300 ? "green" : s >= 400 && s < 500 ? "yellow" : s >= 500 ? "red" : "gray");
const VERB_COLOR: Record<string, BadgeColor> = { GET: "blue", POST: "green", PUT: "yellow", DELETE: "red" };

/** Pretty JSON when the body parses, else the text as it came. */
function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

export default function Playground() {
  const [entity, setEntity] = createSignal("");
  const [method, setMethod] = createSignal<Method>("GET_LIST");
  const [id, setId] = createSignal("");
  const [filters, setFilters] = createSignal<FilterRow[]>([]);
  const [sort, setSort] = createSignal("");
  const [include, setInclude] = createSignal("");
  const [page, setPage] = createSignal(DEFAULT_PAGE);
  const [perPage, setPerPage] = createSignal(DEFAULT_PER_PAGE);
  const [body, setBody] = createSignal("");
  const [sending, setSending] = createSignal(false);
  const [response, setResponse] = createSignal<RawResponse | null>(null);
  const [showHistory, setShowHistory] = createSignal(false);

  const resetTemplate = () => {
    const e = entityByName(entity());
    setBody(e && hasBody(method()) ? bodyTemplate(e, method()) : "");
  };
  // A new entity clears the list options; a new entity or method refills the body.
  createEffect(
    on(entity, () => {
      setFilters([]);
      setSort("");
      setInclude("");
    }),
  );
  createEffect(on([entity, method, () => entities()], resetTemplate));

  const path = () =>
    requestPath(entity(), method(), id(), { filters: filters(), sort: sort(), include: include(), page: page(), perPage: perPage() });
  const url = () => `/api/${selectedApp() ?? ""}${path()}`;
  const canSend = () => !!entity() && !(needsId(method()) && !id().trim()) && !sending();

  const send = async () => {
    let payload: string | undefined;
    if (hasBody(method())) {
      try {
        payload = JSON.stringify(JSON.parse(body()));
      } catch {
        toast.error("Invalid JSON in request body");
        return;
      }
    }
    setSending(true);
    try {
      const res = await raw(verbOf(method()), path(), payload);
      setResponse(res);
      remember({ method: method(), entity: entity(), url: url(), status: res.status, ms: res.ms, at: new Date() });
    } catch (e) {
      toast.error(`Request failed: ${(e as Error).message}`);
    } finally {
      setSending(false);
    }
  };

  const restore = (h: HistoryEntry) => {
    setEntity(h.entity);
    setMethod(h.method);
  };

  return (
    <div>
      <PageHeader title="API Playground" subtitle="Test your entity APIs with an interactive REST client">
        <Show when={history().length}>
          <button class="btn btn-secondary" aria-expanded={showHistory()} onClick={() => setShowHistory(!showHistory())}>
            {showHistory() ? "Hide History" : `History (${history().length})`}
          </button>
        </Show>
      </PageHeader>

      <Show when={showHistory() && history().length}>
        <HistoryPanel onPick={restore} />
      </Show>

      <div class="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <section class="card min-w-0 p-4" aria-labelledby="pg-request">
          <h2 id="pg-request" class="section-title">
            Request
          </h2>
          <div class="form-row">
            <SelectField
              label="Entity"
              value={entity()}
              onChange={setEntity}
              placeholder="Select entity..."
              options={entities().map((e) => e.name)}
            />
            <SelectField
              label="Method"
              value={method()}
              onChange={(v) => setMethod(v as Method)}
              options={METHODS.map((m) => [m.value, m.label] as [string, string])}
            />
          </div>

          <Show when={needsId(method())}>
            <TextField class="mt-4" label="Record ID" mono placeholder="UUID or ID of the record" value={id()} onInput={setId} />
          </Show>

          <Show when={method() === "GET_LIST"}>
            <FilterEditor entity={entity()} rows={filters()} onChange={setFilters} />
            <div class="mt-4 form-row">
              <TextField label="Sort" mono placeholder="field1,-field2" value={sort()} onInput={setSort} />
              <IncludeField entity={entity()} value={include()} onChange={setInclude} />
            </div>
            <div class="mt-4 form-row">
              <TextField
                label="Page"
                type="number"
                min="1"
                value={String(page())}
                onInput={(v) => setPage(Math.max(1, Math.trunc(Number(v)) || 1))}
              />
              <TextField
                label="Per Page"
                type="number"
                min="1"
                max={String(MAX_PER_PAGE)}
                value={String(perPage())}
                onInput={(v) => setPerPage(Math.min(MAX_PER_PAGE, Math.max(1, Math.trunc(Number(v)) || DEFAULT_PER_PAGE)))}
              />
            </div>
          </Show>

          <Show when={method() === "GET_BY_ID"}>
            <IncludeField class="mt-4" entity={entity()} value={include()} onChange={setInclude} />
          </Show>

          <Show when={hasBody(method())}>
            <FormField class="mt-4" label="Request Body (JSON)">
              {(fid) => <JsonArea id={fid} rows={12} value={body()} onInput={setBody} />}
            </FormField>
            <button type="button" class="btn btn-ghost btn-sm mt-1" onClick={resetTemplate}>
              Reset Template
            </button>
          </Show>

          <p
            class="mt-4 rounded-md bg-gray-100 px-3 py-2 font-mono text-xs break-all text-gray-800 dark:bg-gray-900 dark:text-gray-200"
            data-testid="url-preview"
          >
            {verbOf(method())} {url()}
          </p>
          <button class="btn btn-primary mt-4" disabled={!canSend()} onClick={send}>
            {sending() ? "Sending..." : "Send Request"}
          </button>
        </section>

        <ResponsePanel response={response()} sending={sending()} />
      </div>
    </div>
  );
}

function FilterEditor(props: { entity: string; rows: FilterRow[]; onChange: (rows: FilterRow[]) => void }) {
  const fields = () => entityByName(props.entity)?.fields.map((f) => f.name) ?? [];
  const update = (i: number, patch: Partial<FilterRow>) => props.onChange(props.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <fieldset class="mt-4">
      <legend class="label">Filters</legend>
      <Index each={props.rows}>
        {(row, i) => (
          <div class="mb-2 flex flex-wrap gap-2 sm:flex-nowrap">
            <select
              class="input input-sm min-w-0 flex-1"
              aria-label={`Filter ${i + 1} field`}
              value={row().field}
              onChange={(e) => update(i, { field: e.currentTarget.value })}
            >
              <option value="">Field...</option>
              <For each={fields()}>
                {(f) => (
                  <option value={f} selected={f === row().field}>
                    {f}
                  </option>
                )}
              </For>
            </select>
            <select
              class="input input-sm !w-24"
              aria-label={`Filter ${i + 1} operator`}
              value={row().op}
              onChange={(e) => update(i, { op: e.currentTarget.value })}
            >
              <For each={OPERATORS}>
                {([v, l]) => (
                  <option value={v} selected={v === row().op}>
                    {l}
                  </option>
                )}
              </For>
            </select>
            <input
              class="input input-sm min-w-0 flex-1"
              aria-label={`Filter ${i + 1} value`}
              placeholder={row().op === "in" || row().op === "not_in" ? "a,b,c" : "value"}
              value={row().value}
              onInput={(e) => update(i, { value: e.currentTarget.value })}
            />
            <button
              type="button"
              class="btn btn-ghost btn-sm"
              aria-label={`Remove filter ${i + 1}`}
              onClick={() => props.onChange(props.rows.filter((_, j) => j !== i))}
            >
              ✕
            </button>
          </div>
        )}
      </Index>
      <button
        type="button"
        class="btn btn-secondary btn-sm"
        onClick={() => props.onChange([...props.rows, { field: "", op: "eq", value: "" }])}
      >
        + Add Filter
      </button>
    </fieldset>
  );
}

/** "Include" with the "Available:" relations of the entity; a click toggles one (§5.14). */
function IncludeField(props: { entity: string; value: string; onChange: (v: string) => void; class?: string }) {
  const available = () => sourceRelations(props.entity).map((r) => r.name);
  return (
    <div class={props.class}>
      <TextField label="Include" mono placeholder="relation1,relation2" value={props.value} onInput={props.onChange} />
      <Show when={available().length}>
        <p class="help">
          Available:{" "}
          <For each={available()}>
            {(name, i) => (
              <>
                {i() > 0 ? ", " : ""}
                <button
                  type="button"
                  class="link font-mono"
                  aria-label={`Toggle include ${name}`}
                  onClick={() => props.onChange(toggleInclude(props.value, name))}
                >
                  {name}
                </button>
              </>
            )}
          </For>
        </p>
      </Show>
    </div>
  );
}

function ResponsePanel(props: { response: RawResponse | null; sending: boolean }) {
  const [headers, setHeaders] = createSignal(false);
  const copy = async () => {
    try {
      await copyText(props.response!.body);
      toast.success("Response copied to clipboard");
    } catch {
      toast.error("Could not copy to the clipboard");
    }
  };
  return (
    <section class="card min-w-0 p-4" aria-labelledby="pg-response">
      <h2 id="pg-response" class="section-title">
        Response
      </h2>
      <Show
        when={!props.sending && props.response}
        fallback={
          <p class="py-8 text-center text-sm text-gray-500">
            {props.sending ? "Sending request..." : "Send a request to see the response here."}
          </p>
        }
      >
        {(res) => (
          <>
            <div class="mb-3 flex flex-wrap items-center gap-2 text-sm" data-testid="response-status">
              <Badge color={statusColor(res().status)}>{res().status}</Badge>
              <span>{res().statusText}</span>
              <span class="text-gray-500 dark:text-gray-400">{res().ms}ms</span>
              <span class="flex-1" />
              <button class="btn btn-secondary btn-sm" onClick={() => setHeaders(!headers())}>
                {headers() ? "Hide Headers" : "Show Headers"}
              </button>
              <button class="btn btn-secondary btn-sm" onClick={copy}>
                Copy
              </button>
            </div>
            <Show when={headers()}>
              <pre class="code-block mb-3 max-h-48" data-testid="response-headers">
                {res()
                  .headers.map(([k, v]) => `${k}: ${v}`)
                  .join("\n")}
              </pre>
            </Show>
            <pre class="code-block max-h-[32rem] break-words whitespace-pre-wrap" data-testid="response-body">
              {pretty(res().body)}
            </pre>
          </>
        )}
      </Show>
    </section>
  );
}

function HistoryPanel(props: { onPick: (h: HistoryEntry) => void }) {
  return (
    <section class="card mb-6" aria-labelledby="pg-history">
      <h2 id="pg-history" class="section-title !mb-0 border-b border-gray-200 px-4 py-3 dark:border-gray-700">
        Recent Requests
      </h2>
      <ul class="max-h-72 divide-y divide-gray-100 overflow-y-auto dark:divide-gray-700">
        <For each={history()}>
          {(h) => (
            <li>
              <button
                class="flex w-full flex-wrap items-center gap-2 px-4 py-2 text-left text-sm hover:bg-gray-50 dark:hover:bg-gray-700/40"
                onClick={() => props.onPick(h)}
              >
                <Badge color={VERB_COLOR[verbOf(h.method)] ?? "gray"}>{verbOf(h.method)}</Badge>
                <span class="font-medium">{h.entity}</span>
                <span class="min-w-0 flex-1 truncate font-mono text-xs text-gray-500 dark:text-gray-400">{h.url}</span>
                <Badge color={statusColor(h.status)}>{h.status}</Badge>
                <span class="text-xs text-gray-500 dark:text-gray-400">{h.ms}ms</span>
                <span class="text-xs text-gray-500 dark:text-gray-400">{h.at.toLocaleTimeString()}</span>
              </button>
            </li>
          )}
        </For>
      </ul>
    </section>
  );
}
