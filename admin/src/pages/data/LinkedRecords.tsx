// A many_to_many block of the record editor (spec 17 §5.13 "Related records"). Our
// server writes only the join table for these relations (docs/api.md "Nested
// writes"), so the block links and unlinks existing target records, picked with a
// searchable select, instead of editing their fields.
import { createSignal, createUniqueId, For, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { displayField, Entity, Relation } from "../../lib/schema";
import { FkSelect } from "./FkSelect";
import { defaultMode, LinkRow, linksWrite, NestedWrite, WriteMode } from "./payload";
import type { Row } from "./records";
import { BlockHeader } from "./WriteMode";

export function LinkedRecords(props: {
  relation: Relation;
  target: Entity;
  existing: unknown;
  register: (payload: () => NestedWrite | undefined) => void;
}) {
  const pickerId = createUniqueId();
  const pk = props.target.primary_key.field;
  const shown = displayField(props.target);
  const [mode, setMode] = createSignal<WriteMode>(defaultMode(props.relation));
  const initial = (Array.isArray(props.existing) ? (props.existing as Row[]) : []).map((r) => ({
    id: String(r[pk] ?? ""),
    label: String((shown && r[shown]) ?? r[pk] ?? ""),
    isNew: false,
    deleted: false,
  }));
  const [links, setLinks] = createStore<LinkRow[]>(initial);
  props.register(() => linksWrite(props.target, mode(), links));

  const add = (id: string, label?: string) => {
    if (!id || links.some((l) => l.id === id && !l.deleted)) return;
    setLinks(links.length, { id, label: label ?? id, isNew: true, deleted: false });
  };

  return (
    <section class="rounded-lg border border-gray-200 p-3 dark:border-gray-700" aria-label={`Related records: ${props.relation.name}`}>
      <BlockHeader relation={props.relation} mode={mode()} onMode={setMode} />
      <table class="w-full text-left text-sm">
        <thead class="text-xs tracking-wider text-gray-500 uppercase dark:text-gray-400">
          <tr>
            <th class="px-2 py-1.5 font-medium">{props.target.name}</th>
            <th class="px-2 py-1.5 font-medium">{pk}</th>
            <th class="px-2 py-1.5 text-right font-medium">Actions</th>
          </tr>
        </thead>
        <tbody class="divide-y divide-gray-100 dark:divide-gray-700">
          <For
            each={links}
            fallback={
              <tr>
                <td colSpan={3} class="px-2 py-4 text-center text-gray-500 dark:text-gray-400">
                  No related records.
                </td>
              </tr>
            }
          >
            {(l, i) => (
              <tr
                class={`${l.isNew ? "bg-green-50 dark:bg-green-500/10" : ""} ${l.deleted ? "text-gray-400 line-through dark:text-gray-500" : ""}`}
              >
                <td class="px-2 py-1.5">{l.label}</td>
                <td class="px-2 py-1.5 font-mono text-xs">{l.id}</td>
                <td class="px-2 py-1.5 text-right">
                  <Show
                    when={!l.deleted}
                    fallback={
                      <button type="button" class="btn btn-secondary btn-sm" onClick={() => setLinks(i(), "deleted", false)}>
                        Undo
                      </button>
                    }
                  >
                    <Show
                      when={!l.isNew}
                      fallback={
                        <button
                          type="button"
                          class="btn btn-ghost btn-sm"
                          onClick={() => setLinks((list) => list.filter((_, j) => j !== i()))}
                        >
                          Remove
                        </button>
                      }
                    >
                      <Show when={mode() !== "append"}>
                        <button type="button" class="btn btn-danger btn-sm" onClick={() => setLinks(i(), "deleted", true)}>
                          Unlink
                        </button>
                      </Show>
                    </Show>
                  </Show>
                </td>
              </tr>
            )}
          </For>
        </tbody>
      </table>
      <div class="mt-2 flex max-w-md items-center gap-2">
        <label class="text-xs whitespace-nowrap text-gray-600 dark:text-gray-300" for={pickerId}>
          Link {props.target.name}:
        </label>
        <div class="min-w-0 flex-1">
          <FkSelect
            id={pickerId}
            name={props.relation.name}
            fk={{ field: pk, entity: props.target.name, key: pk }}
            value=""
            onChange={add}
            compact
          />
        </div>
      </div>
    </section>
  );
}
