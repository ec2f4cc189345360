// A one_to_many / one_to_one block of the record editor (spec 17 §5.13 "Related
// records"): the child rows of the relation, edited in place, added, deleted and
// restored, and sent as a nested write with the chosen write mode.
import { createSignal, For, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { Entity, foreignKeys, Relation, toInput, writableFields } from "../../lib/schema";
import { shortValue } from "./cells";
import { FieldInput } from "./FieldInput";
import { ChildRow, childrenWrite, defaultMode, formValues, NestedWrite, WriteMode } from "./payload";
import type { Row } from "./records";
import { BlockHeader } from "./WriteMode";

let nextKey = 1;

const asRows = (v: unknown): Row[] => (Array.isArray(v) ? v : v && typeof v === "object" ? [v as Row] : []);

export function RelatedRecords(props: {
  relation: Relation;
  target: Entity;
  existing: unknown;
  register: (payload: () => NestedWrite | undefined) => void;
}) {
  const columns = writableFields(props.target, "create").filter((f) => f.name !== props.relation.target_key);
  const fks = foreignKeys(props.target.name);
  const [mode, setMode] = createSignal<WriteMode>(defaultMode(props.relation));
  const [rows, setRows] = createStore<ChildRow[]>(
    asRows(props.existing).map((r) => ({ key: nextKey++, values: formValues(columns, r), original: r, editing: false, deleted: false })),
  );
  props.register(() => childrenWrite(props.target, columns, mode(), rows));

  const add = () => setRows(rows.length, { key: nextKey++, values: formValues(columns, undefined), editing: true, deleted: false });
  const shown = (r: ChildRow, name: string) => {
    const f = columns.find((c) => c.name === name)!;
    const v = r.values[name];
    return r.original && v === toInput(f, r.original[name]) ? r.original[name] : v;
  };
  const locked = (r: ChildRow) => !!r.original && mode() === "append";

  return (
    <section class="rounded-lg border border-gray-200 p-3 dark:border-gray-700" aria-label={`Related records: ${props.relation.name}`}>
      <BlockHeader relation={props.relation} mode={mode()} onMode={setMode} />
      <div class="overflow-x-auto">
        <table class="w-full text-left text-sm">
          <thead class="text-xs tracking-wider text-gray-500 uppercase dark:text-gray-400">
            <tr>
              <For each={columns}>{(c) => <th class="px-2 py-1.5 font-medium whitespace-nowrap">{c.name}</th>}</For>
              <th class="px-2 py-1.5 text-right font-medium">Actions</th>
            </tr>
          </thead>
          <tbody class="divide-y divide-gray-100 dark:divide-gray-700">
            <For
              each={rows}
              fallback={
                <tr>
                  <td colSpan={columns.length + 1} class="px-2 py-4 text-center text-gray-500 dark:text-gray-400">
                    No related records.
                  </td>
                </tr>
              }
            >
              {(r, i) => (
                <tr
                  class={`${r.original ? "" : "bg-green-50 dark:bg-green-500/10"} ${r.deleted ? "text-gray-400 line-through dark:text-gray-500" : ""}`}
                  data-testid={`${props.relation.name}-row`}
                >
                  <For each={columns}>
                    {(c) => (
                      <td class="px-2 py-1.5 align-top">
                        <Show
                          when={r.editing && !r.deleted && !(r.original && c.name === props.target.primary_key.field)}
                          fallback={shortValue(shown(r, c.name))}
                        >
                          <FieldInput
                            compact
                            field={c}
                            fk={fks.find((k) => k.field === c.name)}
                            label={`${c.name}, row ${i() + 1}`}
                            value={r.values[c.name] ?? ""}
                            stored={r.original?.[c.name]}
                            onInput={(v) => setRows(i(), "values", c.name, v)}
                          />
                        </Show>
                      </td>
                    )}
                  </For>
                  <td class="px-2 py-1.5 text-right whitespace-nowrap">
                    <div class="inline-flex gap-1">
                      <Show when={!r.deleted}>
                        <Show when={!locked(r)}>
                          <button type="button" class="btn btn-secondary btn-sm" onClick={() => setRows(i(), "editing", !r.editing)}>
                            {r.editing ? "Done" : "Edit"}
                          </button>
                        </Show>
                        <Show
                          when={r.original}
                          fallback={
                            <button
                              type="button"
                              class="btn btn-ghost btn-sm"
                              onClick={() => setRows((list) => list.filter((x) => x.key !== r.key))}
                            >
                              Remove
                            </button>
                          }
                        >
                          <Show when={!locked(r)}>
                            <button
                              type="button"
                              class="btn btn-danger btn-sm"
                              onClick={() => setRows(i(), { deleted: true, editing: false })}
                            >
                              Delete
                            </button>
                          </Show>
                        </Show>
                      </Show>
                      <Show when={r.deleted}>
                        <button type="button" class="btn btn-secondary btn-sm" onClick={() => setRows(i(), "deleted", false)}>
                          Undo
                        </button>
                      </Show>
                    </div>
                  </td>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
      <button type="button" class="btn btn-secondary btn-sm mt-2" onClick={add}>
        + Add Row
      </button>
    </section>
  );
}
