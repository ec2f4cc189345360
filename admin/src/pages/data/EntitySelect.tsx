// The Data Browser's entity select (spec 17 §5.13 "Header"): choosing an entity
// goes to /data/{name}, choosing nothing to /data. The list is the shared schema
// store's, so the page needs no admin route of its own.
import { useNavigate } from "@solidjs/router";
import { For } from "solid-js";
import { entities } from "../../lib/schema";

export function EntitySelect(props: { value: string }) {
  const navigate = useNavigate();
  return (
    <>
      <label class="sr-only" for="data-entity">
        Entity
      </label>
      <select
        id="data-entity"
        class="input !w-auto min-w-[12rem]"
        value={props.value}
        onChange={(e) => navigate(e.currentTarget.value ? `/data/${encodeURIComponent(e.currentTarget.value)}` : "/data")}
      >
        <option value="">Select entity...</option>
        <For each={entities()}>
          {(e) => (
            <option value={e.name} selected={e.name === props.value}>
              {e.name}
            </option>
          )}
        </For>
      </select>
    </>
  );
}
