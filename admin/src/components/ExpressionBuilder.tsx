// Expression builder (spec 17 §6.1): a Visual mode that edits comparisons joined by one
// combinator and an Advanced textarea; both write back a single expression string in
// the language of spec 10 (string operators as `.contains(…)`-style methods, §3.7).
import { createEffect, createMemo, createSignal, createUniqueId, For, Index, Show } from "solid-js";
import type { Field } from "../lib/schema";

export type Combinator = "&&" | "||";

export interface Condition {
  left: string;
  op: string;
  right: string;
}

const STRING_OPS: [string, string][] = [
  ["==", "=="],
  ["!=", "!="],
  ["contains", "contains"],
  ["startsWith", "starts with"],
  ["endsWith", "ends with"],
];
const BOOLEAN_OPS: [string, string][] = [
  ["==", "=="],
  ["!=", "!="],
];
const ORDER_OPS: [string, string][] = [
  ["==", "=="],
  ["!=", "!="],
  [">", ">"],
  [">=", ">="],
  ["<", "<"],
  ["<=", "<="],
];
const METHODS = ["contains", "startsWith", "endsWith"];

/** The field a left operand such as `record.total` or `old.status` names. */
function fieldOf(left: string, fields: Field[]): Field | undefined {
  const m = /^(?:record|old)\.([A-Za-z_$][\w$]*)$/.exec(left.trim());
  return m ? fields.find((f) => f.name === m[1]) : undefined;
}

/** The operators offered for a left operand, by its field's type (§6.1). */
export function operatorsFor(left: string, fields: Field[]): [string, string][] {
  const t = fieldOf(left, fields)?.type;
  if (t === "string" || t === "text") return STRING_OPS;
  if (t === "boolean") return BOOLEAN_OPS;
  return ORDER_OPS;
}

const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;
const LITERAL = /^(true|false|null|nil)$/;
const PATH = /^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)+$/;
const QUOTED = /^('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")$/;

/** A right-hand value as expression text: literals and references bare, text double-quoted. */
export function formatValue(raw: string): string {
  const v = raw.trim();
  if (NUMBER.test(v) || LITERAL.test(v) || PATH.test(v) || QUOTED.test(v)) return v;
  return `"${raw.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
}

/** The text a value input shows for a right-hand token, so that formatValue gives the token back. */
function displayValue(token: string): string {
  if (token.startsWith('"')) {
    const inner = token.slice(1, -1).replace(/\\(.)/g, "$1");
    if (formatValue(inner) === token) return inner;
  }
  return token;
}

/** The expression of a list of conditions (rows with an empty left side are skipped). */
export function generate(rows: Condition[], combinator: Combinator): string {
  return rows
    .filter((r) => r.left.trim() !== "")
    .map((r) => {
      const left = r.left.trim();
      const right = formatValue(r.right);
      return METHODS.includes(r.op) ? `${left}.${r.op}(${right})` : `${left} ${r.op} ${right}`;
    })
    .join(` ${combinator} `);
}

/** Splits on a top-level `&&` or `||` outside quotes; null when both appear. */
function splitTopLevel(expr: string): { parts: string[]; combinator: Combinator } | null {
  const parts: string[] = [];
  let quote = "";
  let start = 0;
  let found: Combinator | null = null;
  for (let i = 0; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === "\\") i++;
      else if (c === quote) quote = "";
      continue;
    }
    if (c === "'" || c === '"') quote = c;
    const pair = expr.slice(i, i + 2);
    if (pair === "&&" || pair === "||") {
      if (found && found !== pair) return null;
      found = pair;
      parts.push(expr.slice(start, i));
      start = i + 2;
      i++;
    }
  }
  parts.push(expr.slice(start));
  return { parts, combinator: found ?? "&&" };
}

const IDENT_PATH = String.raw`[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*`;
const VALUE = String.raw`'(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*"|[^\s()'"&|]+`;
const BINARY = new RegExp(String.raw`^(${IDENT_PATH})\s*(==|!=|>=|<=|>|<)\s*(${VALUE})$`);
const METHOD = new RegExp(String.raw`^(${IDENT_PATH})\.(contains|startsWith|endsWith)\(\s*(${VALUE})\s*\)$`);

/** An expression as Visual rows, or null when it is too complex for Visual mode (§6.1). */
export function parse(expr: string): { rows: Condition[]; combinator: Combinator } | null {
  if (expr.trim() === "") return { rows: [{ left: "", op: "==", right: "" }], combinator: "&&" };
  const split = splitTopLevel(expr);
  if (!split) return null;
  const rows: Condition[] = [];
  for (const part of split.parts) {
    const p = part.trim();
    const m = METHOD.exec(p) ?? BINARY.exec(p);
    if (!m) return null;
    rows.push({ left: m[1], op: m[2], right: displayValue(m[3]) });
  }
  return { rows, combinator: split.combinator };
}

export function ExpressionBuilder(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  fields: Field[];
  variables: string[];
  oldAvailable?: boolean;
  placeholder?: string;
  help?: string;
}) {
  const labelId = createUniqueId();
  const listId = createUniqueId();
  const initial = parse(props.value);
  const [mode, setMode] = createSignal<"visual" | "advanced">(initial ? "visual" : "advanced");
  const [rows, setRows] = createSignal<Condition[]>(initial?.rows ?? []);
  const [combinator, setCombinator] = createSignal<Combinator>(initial?.combinator ?? "&&");
  let emitted = props.value;

  // A value set from outside (another rule opened) is parsed again; our own output is not.
  createEffect(() => {
    const v = props.value;
    if (v === emitted) return;
    emitted = v;
    const parsed = parse(v);
    if (parsed && mode() === "visual") {
      setRows(parsed.rows);
      setCombinator(parsed.combinator);
    } else if (!parsed) setMode("advanced");
  });

  const emit = (v: string) => {
    emitted = v;
    props.onChange(v);
  };
  const update = (next: Condition[], comb = combinator()) => {
    setRows(next);
    setCombinator(comb);
    emit(generate(next, comb));
  };
  const visualPossible = createMemo(() => mode() === "visual" || parse(props.value) !== null);
  const toVisual = () => {
    const parsed = parse(props.value);
    if (!parsed) return;
    setRows(parsed.rows);
    setCombinator(parsed.combinator);
    setMode("visual");
  };

  const suggestions = createMemo(() => {
    const names = props.fields.map((f) => f.name);
    return [
      ...names.map((n) => `record.${n}`),
      ...props.variables.filter((v) => v !== "record" && v !== "old"),
      ...(props.oldAvailable ? names.map((n) => `old.${n}`) : []),
    ];
  });

  return (
    <div>
      <div class="mb-1 flex flex-wrap items-start justify-between gap-2">
        <div class="min-w-0">
          <span id={labelId} class="label !mb-0">
            {props.label}
          </span>
          <Show when={props.help}>
            <p class="help !mt-0">{props.help}</p>
          </Show>
        </div>
        <div
          class="inline-flex overflow-hidden rounded-md border border-gray-300 text-xs dark:border-gray-600"
          role="group"
          aria-label={`${props.label} mode`}
        >
          <button
            type="button"
            class={`px-2 py-0.5 disabled:cursor-not-allowed disabled:opacity-50 ${mode() === "visual" ? "bg-blue-600 text-white" : "bg-white text-gray-700 hover:bg-gray-50 dark:bg-gray-800 dark:text-gray-200 dark:hover:bg-gray-700"}`}
            aria-pressed={mode() === "visual"}
            disabled={!visualPossible()}
            title={visualPossible() ? "Visual mode" : "Expression too complex for visual mode"}
            onClick={toVisual}
          >
            Visual
          </button>
          <button
            type="button"
            class={`border-l border-gray-300 px-2 py-0.5 dark:border-gray-600 ${mode() === "advanced" ? "bg-blue-600 text-white" : "bg-white text-gray-700 hover:bg-gray-50 dark:bg-gray-800 dark:text-gray-200 dark:hover:bg-gray-700"}`}
            aria-pressed={mode() === "advanced"}
            onClick={() => setMode("advanced")}
          >
            Advanced
          </button>
        </div>
      </div>
      <Show
        when={mode() === "visual"}
        fallback={
          <>
            <textarea
              class="input font-mono text-xs"
              rows={3}
              aria-labelledby={labelId}
              placeholder={props.placeholder}
              spellcheck={false}
              value={props.value}
              onInput={(e) => emit(e.currentTarget.value)}
            />
            <p class="help">Available: {props.variables.join(", ")}</p>
          </>
        }
      >
        <div role="group" aria-labelledby={labelId} class="space-y-2 rounded-md border border-gray-200 p-2 dark:border-gray-700">
          <datalist id={listId}>
            <For each={suggestions()}>{(s) => <option value={s} />}</For>
          </datalist>
          <Index each={rows()}>
            {(row, i) => (
              <>
                <Show when={i > 0}>
                  <button
                    type="button"
                    class="btn btn-ghost btn-sm !px-1.5 font-mono text-[11px] font-semibold text-purple-700 dark:text-purple-300"
                    title="Switch between AND and OR for all conditions"
                    onClick={() => update(rows(), combinator() === "&&" ? "||" : "&&")}
                  >
                    {combinator() === "&&" ? "AND" : "OR"}
                  </button>
                </Show>
                <ConditionRow
                  n={i + 1}
                  row={row()}
                  listId={listId}
                  fields={props.fields}
                  onChange={(r) => update(rows().map((x, j) => (j === i ? r : x)))}
                  onRemove={() => update(rows().filter((_, j) => j !== i))}
                />
              </>
            )}
          </Index>
          <button
            type="button"
            class="btn btn-ghost btn-sm text-blue-600 dark:text-blue-400"
            onClick={() => setRows([...rows(), { left: "", op: "==", right: "" }])}
          >
            + Add Condition
          </button>
          <p class="text-xs break-all text-gray-500 dark:text-gray-400">
            Preview:{" "}
            <code class="text-gray-800 dark:text-gray-200" data-testid="expression-preview">
              {generate(rows(), combinator())}
            </code>
          </p>
        </div>
      </Show>
    </div>
  );
}

function ConditionRow(props: {
  n: number;
  row: Condition;
  listId: string;
  fields: Field[];
  onChange: (r: Condition) => void;
  onRemove: () => void;
}) {
  const ops = () => operatorsFor(props.row.left, props.fields);
  const setLeft = (left: string) => {
    const allowed = operatorsFor(left, props.fields).some(([v]) => v === props.row.op);
    props.onChange({ ...props.row, left, op: allowed ? props.row.op : "==" });
  };
  return (
    <div class="flex flex-wrap items-center gap-2">
      <input
        class="input input-sm min-w-[9rem] flex-[2] font-mono"
        list={props.listId}
        aria-label={`Condition ${props.n} field`}
        placeholder="record.field"
        value={props.row.left}
        onInput={(e) => setLeft(e.currentTarget.value)}
      />
      <select
        class="input input-sm !w-28"
        aria-label={`Condition ${props.n} operator`}
        value={props.row.op}
        onChange={(e) => props.onChange({ ...props.row, op: e.currentTarget.value })}
      >
        <For each={ops()}>
          {([v, l]) => (
            <option value={v} selected={v === props.row.op}>
              {l}
            </option>
          )}
        </For>
      </select>
      <input
        class="input input-sm min-w-[7rem] flex-[2] font-mono"
        aria-label={`Condition ${props.n} value`}
        placeholder="value"
        value={props.row.right}
        onInput={(e) => props.onChange({ ...props.row, right: e.currentTarget.value })}
      />
      <button type="button" class="btn btn-ghost btn-sm" aria-label={`Remove condition ${props.n}`} onClick={props.onRemove}>
        ✕
      </button>
    </div>
  );
}
