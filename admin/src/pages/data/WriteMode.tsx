// The header of a related-records block (spec 17 §5.13 "Related records"): the
// relation's name, type badge and target, and the "Write mode:" select, with what
// each mode does on our server (docs/api.md "Nested writes").
import { createUniqueId, For } from "solid-js";
import { Badge } from "../../components/ui";
import { Relation, typeLabel } from "../../lib/schema";
import { WRITE_MODES, WriteMode } from "./payload";

const HELP: Record<WriteMode, string> = {
  diff: "Adds new rows, updates edited rows and removes the rows marked deleted; other rows stay.",
  replace: "The related records become exactly the rows listed: rows deleted here are removed.",
  append: "Only new rows are added; existing rows are not changed or removed.",
};
const LINK_HELP: Record<WriteMode, string> = {
  diff: "Adds the new links and removes the ones unlinked here; other links stay.",
  replace: "The links become exactly the records listed.",
  append: "Only adds links; existing links are kept.",
};

export function BlockHeader(props: { relation: Relation; mode: WriteMode; onMode: (m: WriteMode) => void }) {
  const id = createUniqueId();
  return (
    <div class="mb-2">
      <div class="flex flex-wrap items-center gap-2">
        <h3 class="font-mono text-sm font-semibold">{props.relation.name}</h3>
        <Badge color={props.relation.type === "many_to_many" ? "purple" : "blue"}>{typeLabel(props.relation.type)}</Badge>
        <span class="text-sm text-gray-500 dark:text-gray-400">→ {props.relation.target}</span>
        <div class="ml-auto flex items-center gap-2">
          <label class="text-xs text-gray-600 dark:text-gray-300" for={id}>
            Write mode:
          </label>
          <select
            id={id}
            class="input input-sm !w-auto"
            aria-describedby={`${id}-help`}
            value={props.mode}
            onChange={(e) => props.onMode(e.currentTarget.value as WriteMode)}
          >
            <For each={WRITE_MODES}>
              {(m) => (
                <option value={m} selected={m === props.mode}>
                  {m}
                </option>
              )}
            </For>
          </select>
        </div>
      </div>
      <p id={`${id}-help`} class="help">
        {(props.relation.type === "many_to_many" ? LINK_HELP : HELP)[props.mode]}
      </p>
    </div>
  );
}
