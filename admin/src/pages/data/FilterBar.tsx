// The Data Browser's filter bar (spec 17 §5.13 "Filter bar"): rows of field,
// operator and value; "+ Add Filter", "Apply", "Clear All". in / not_in take a
// comma-separated list, sent as typed.
import { For, Index, Show } from "solid-js";
import type { Field } from "../../lib/schema";
import type { FilterRow } from "./records";

export const OPERATORS: [string, string][] = [
  ["eq", "="],
  ["neq", "!="],
  ["gt", ">"],
  ["gte", ">="],
  ["lt", "<"],
  ["lte", "<="],
  ["like", "like"],
  ["in", "in"],
  ["not_in", "not in"],
];

const placeholder = (op: string) => (op === "in" || op === "not_in" ? "a, b, c" : op === "like" ? "%text%" : "Value");

export function FilterBar(props: {
  fields: Field[];
  rows: FilterRow[];
  onChange: (rows: FilterRow[]) => void;
  onApply: () => void;
  onClear: () => void;
}) {
  const update = (i: number, patch: Partial<FilterRow>) => props.onChange(props.rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <div class="card mb-4 p-3" role="group" aria-label="Filters">
      <Index each={props.rows}>
        {(row, i) => (
          <div class="mb-2 flex flex-wrap items-center gap-2">
            <select
              class="input input-sm !w-auto min-w-[8rem]"
              aria-label={`Filter ${i + 1} field`}
              value={row().field}
              onChange={(e) => update(i, { field: e.currentTarget.value })}
            >
              <option value="">Field...</option>
              <For each={props.fields}>
                {(f) => (
                  <option value={f.name} selected={f.name === row().field}>
                    {f.name}
                  </option>
                )}
              </For>
            </select>
            <select
              class="input input-sm !w-auto"
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
              class="input input-sm !w-auto min-w-0 flex-1 basis-40"
              aria-label={`Filter ${i + 1} value`}
              placeholder={placeholder(row().op)}
              value={row().value}
              onInput={(e) => update(i, { value: e.currentTarget.value })}
              onKeyDown={(e) => e.key === "Enter" && props.onApply()}
            />
            <button
              class="btn btn-ghost btn-sm"
              aria-label={`Remove filter ${i + 1}`}
              title="Remove filter"
              onClick={() => props.onChange(props.rows.filter((_, j) => j !== i))}
            >
              ✕
            </button>
          </div>
        )}
      </Index>
      <div class="flex flex-wrap gap-2">
        <button class="btn btn-secondary btn-sm" onClick={() => props.onChange([...props.rows, { field: "", op: "eq", value: "" }])}>
          + Add Filter
        </button>
        <button class="btn btn-primary btn-sm" onClick={() => props.onApply()}>
          Apply
        </button>
        <Show when={props.rows.length}>
          <button class="btn btn-ghost btn-sm" onClick={() => props.onClear()}>
            Clear All
          </button>
        </Show>
      </div>
    </div>
  );
}
