// Data Browser (spec 17 §5.13): a generic CRUD grid for any entity, at /data and
// /data/:entity. The pieces live in pages/data/.
import { useParams } from "@solidjs/router";
import { Show } from "solid-js";
import { Loading, PageHeader } from "../components/ui";
import { entityByName, schemaLoading } from "../lib/schema";
import { EntityData } from "./data/EntityData";
import { EntitySelect } from "./data/EntitySelect";

export default function DataBrowser() {
  const params = useParams<{ entity?: string }>();
  const known = () => (params.entity && entityByName(params.entity) ? params.entity : undefined);
  return (
    <Show
      when={known()}
      keyed
      fallback={
        <div>
          <PageHeader title="Data Browser" subtitle="Browse and manage entity data">
            <EntitySelect value={params.entity ?? ""} />
          </PageHeader>
          <Show when={!schemaLoading()} fallback={<Loading />}>
            <div class="card p-8 text-center text-gray-500 dark:text-gray-400">
              {params.entity ? `Unknown entity: ${params.entity}` : "Select an entity from the dropdown above to browse its data."}
            </div>
          </Show>
        </div>
      }
    >
      {/* Keyed on the name: entering another entity starts from a fresh state (page 1, no filters, sort or selection). */}
      {(name) => <EntityData name={name} />}
    </Show>
  );
}
