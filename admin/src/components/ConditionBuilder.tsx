// The condition builder of permission row-level conditions (spec 17 §6.2): rows of
// field / operator / value. Values are typed when saved: numeric-looking text becomes
// a number, `in`/`not_in` lists become arrays (fixes §10.12).
import { createUniqueId, For, Index, Show } from "solid-js";
import { asObject } from "../lib/api";

export interface Condition {
  field: string;
  operator: string;
  value: unknown;
}

/** One row as edited: the value is the text the user typed. */
export interface ConditionRow {
  field: string;
  operator: string;
  text: string;
}

/**
 * The operators of §6.2, plus the server's `like` (docs/api.md: permissions), so
 * that a `like` condition saved through the API survives an edit here.
 */
export const CONDITION_OPERATORS: [string, string][] = [
  ["eq", "equals (=)"],
  ["neq", "not equals (!=)"],
  ["gt", "greater than (>)"],
  ["gte", "greater or equal (>=)"],
  ["lt", "less than (<)"],
  ["lte", "less or equal (<=)"],
  ["in", "in (comma-separated)"],
  ["not_in", "not in (comma-separated)"],
  ["like", "like (% and _ wildcards)"],
];

const isList = (op: string) => op === "in" || op === "not_in";

/** Plain decimal numbers without leading zeros ("007" stays text), within the safe range. */
const NUMERIC = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** A typed value: numeric-looking text becomes a number, anything else stays text. */
export function typedValue(text: string): string | number {
  const t = text.trim();
  if (NUMERIC.test(t)) {
    const n = Number(t);
    if (Number.isFinite(n) && (!Number.isInteger(n) || Number.isSafeInteger(n))) return n;
  }
  return t;
}

/** Stored conditions (an array, or the same as a JSON string) to editable rows. */
export function toRows(conditions: unknown): ConditionRow[] {
  const list = asObject<unknown>(conditions);
  if (!Array.isArray(list)) return [];
  return list.map((c: Partial<Condition>) => ({
    field: String(c.field ?? ""),
    operator: String(c.operator ?? "eq"),
    text: Array.isArray(c.value) ? c.value.map(String).join(", ") : c.value === undefined ? "" : String(c.value),
  }));
}

/** Editable rows to the conditions the API stores; rows without a field are left out. */
export function fromRows(rows: ConditionRow[]): Condition[] {
  return rows
    .filter((r) => r.field.trim())
    .map((r) => ({
      field: r.field.trim(),
      operator: r.operator,
      value: isList(r.operator)
        ? r.text
            .split(",")
            .map((x) => x.trim())
            .filter(Boolean)
            .map(typedValue)
        : typedValue(r.text),
    }));
}

export function ConditionBuilder(props: {
  label: string;
  rows: ConditionRow[];
  onChange: (rows: ConditionRow[]) => void;
  fields: string[];
}) {
  const listId = createUniqueId();
  const update = (i: number, patch: Partial<ConditionRow>) => props.onChange(props.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const remove = (i: number) => props.onChange(props.rows.filter((_, j) => j !== i));
  const add = () => props.onChange([...props.rows, { field: "", operator: "eq", text: "" }]);

  return (
    <fieldset data-testid="condition-builder">
      <legend class="label">{props.label}</legend>
      <datalist id={listId}>
        <For each={props.fields}>{(f) => <option value={f} />}</For>
      </datalist>
      <div class="space-y-2">
        <Index each={props.rows}>
          {(row, i) => (
            <div class="flex flex-wrap items-center gap-2 rounded-md border border-gray-200 p-2 sm:flex-nowrap sm:border-0 sm:p-0 dark:border-gray-700">
              <input
                class="input input-sm min-w-[7rem] flex-1 font-mono"
                list={listId}
                placeholder="field"
                aria-label={`Condition ${i + 1} field`}
                value={row().field}
                onInput={(e) => update(i, { field: e.currentTarget.value })}
              />
              <select
                class="input input-sm !w-auto sm:w-48"
                aria-label={`Condition ${i + 1} operator`}
                value={row().operator}
                onChange={(e) => update(i, { operator: e.currentTarget.value })}
              >
                <Show when={!CONDITION_OPERATORS.some(([v]) => v === row().operator)}>
                  <option value={row().operator}>{row().operator}</option>
                </Show>
                <For each={CONDITION_OPERATORS}>
                  {([v, l]) => (
                    <option value={v} selected={v === row().operator}>
                      {l}
                    </option>
                  )}
                </For>
              </select>
              <input
                class="input input-sm min-w-[7rem] flex-1 font-mono"
                placeholder={isList(row().operator) ? "val1,val2,val3" : "value"}
                aria-label={`Condition ${i + 1} value`}
                value={row().text}
                onInput={(e) => update(i, { text: e.currentTarget.value })}
              />
              <button type="button" class="btn btn-ghost btn-sm" aria-label={`Remove condition ${i + 1}`} onClick={() => remove(i)}>
                ✕
              </button>
            </div>
          )}
        </Index>
      </div>
      <button type="button" class="btn btn-ghost btn-sm mt-2 text-blue-600 dark:text-blue-400" onClick={add}>
        + Add Condition
      </button>
      <Show when={props.rows.length}>
        <p class="help">
          All conditions must hold. Numbers are stored as numbers; "in" lists are split on commas. Values are compared literally (this
          server does not expand placeholders such as {"{{user.id}}"}).
        </p>
      </Show>
    </fieldset>
  );
}
