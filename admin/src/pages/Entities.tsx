// Entities list (spec 17 §5.4): the entity table with delete, schema export and
// import (with the Import Results card), and the onboarding wizard (§5.6) for an
// app without entities.
import { A } from "@solidjs/router";
import { createEffect, createResource, createSignal, For, Show } from "solid-js";
import { confirmDialog } from "../components/modal";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Badge, download, Loading, PageHeader, pickTextFile, Spinner, today } from "../components/ui";
import { api, asObject, errorMessage } from "../lib/api";
import { Entity, reloadSchema } from "../lib/schema";
import { selectedApp } from "../lib/session";
import { Wizard, wizardKey } from "./entities/Wizard";

interface EntityRow {
  name: string;
  table_name: string;
  definition: Entity | string;
}

interface ImportResult {
  message: string;
  summary: Record<string, number>;
  errors?: string[];
}

function ImportResults(props: { result: ImportResult; onDismiss: () => void }) {
  return (
    <section class="card mb-6 p-4" aria-label="Import Results">
      <div class="mb-3 flex items-center justify-between gap-2">
        <h2 class="section-title !mb-0">Import Results</h2>
        <button class="btn btn-secondary btn-sm" onClick={() => props.onDismiss()}>
          Dismiss
        </button>
      </div>
      <div class="flex flex-wrap gap-2">
        <For each={Object.entries(props.result.summary ?? {})}>
          {([key, count]) => <Badge color={count > 0 ? "green" : "gray"}>{`${key}: ${count}`}</Badge>}
        </For>
      </div>
      <Show when={props.result.errors?.length}>
        <div class="mt-3 text-sm text-red-700 dark:text-red-300">
          <p class="font-medium">Errors:</p>
          <ul class="mt-1 list-disc space-y-0.5 pl-5 break-words">
            <For each={props.result.errors}>{(e) => <li>{e}</li>}</For>
          </ul>
        </div>
      </Show>
    </section>
  );
}

export default function Entities() {
  const [rows, { refetch }] = createResource(selectedApp, async () => {
    try {
      return (await api.get<EntityRow[]>("/_admin/entities")).data ?? [];
    } catch (e) {
      toast.error(errorMessage(e, "Failed to load entities"));
      return null;
    }
  });
  // Decided once per app when its first list arrives: entities the wizard creates
  // do not hide it before the user is done, and a failed load never shows it.
  const [wizard, setWizard] = createSignal(false);
  let decidedFor: string | null = null;
  createEffect(() => {
    const app = selectedApp();
    if (rows.state !== "ready" || !app || decidedFor === app) return;
    decidedFor = app;
    const list = rows();
    setWizard(list !== null && list.length === 0 && localStorage.getItem(wizardKey(app)) !== "true");
  });
  const [exporting, setExporting] = createSignal(false);
  const [importing, setImporting] = createSignal(false);
  const [result, setResult] = createSignal<ImportResult | null>(null);

  const exportSchema = async () => {
    setExporting(true);
    try {
      const doc = (await api.get<Record<string, unknown>>("/_admin/export")).data;
      download(`schema-export-${today()}.json`, JSON.stringify(doc, null, 2));
      toast.success("Schema exported successfully");
    } catch (e) {
      toast.error(errorMessage(e, "Failed to export schema"));
    } finally {
      setExporting(false);
    }
  };

  const importSchema = async () => {
    const text = await pickTextFile(".json,application/json");
    if (text === null) return;
    let doc: unknown;
    try {
      doc = JSON.parse(text);
    } catch {
      toast.error("Invalid JSON file");
      return;
    }
    setImporting(true);
    setResult(null);
    try {
      const res = (await api.post<ImportResult>("/_admin/import", doc)).data;
      setResult(res);
      toast.success(res.message || "Import completed");
      refetch();
      reloadSchema();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to import schema"));
    } finally {
      setImporting(false);
    }
  };

  const remove = async (row: EntityRow) => {
    const ok = await confirmDialog({
      title: "Delete Entity",
      message: `Are you sure you want to delete "${row.name}"? This will drop the underlying database table.`,
    });
    if (!ok) return;
    try {
      await api.del(`/_admin/entities/${encodeURIComponent(row.name)}`);
      toast.success(`Entity "${row.name}" deleted`);
      refetch();
      reloadSchema();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to delete entity"));
    }
  };

  return (
    <Show
      when={!wizard()}
      fallback={
        <Wizard
          app={selectedApp() ?? ""}
          onDismiss={() => {
            setWizard(false);
            refetch();
          }}
        />
      }
    >
      <div>
        <PageHeader title="Entities" subtitle="Manage your data entities and their fields">
          <button class="btn btn-secondary" disabled={exporting()} onClick={exportSchema}>
            {exporting() ? "Exporting..." : "Export Schema"}
          </button>
          <button class="btn btn-secondary" disabled={importing()} onClick={importSchema}>
            {importing() ? "Importing..." : "Import Schema"}
          </button>
          <A href="/entities/new" class="btn btn-primary">
            Create Entity
          </A>
        </PageHeader>
        <Show when={importing()}>
          <div
            role="status"
            class="mb-4 flex items-center gap-2 rounded-md border border-blue-200 bg-blue-50 px-3 py-2 text-sm text-blue-800 dark:border-blue-800 dark:bg-blue-900/30 dark:text-blue-200"
          >
            <Spinner /> Importing schema... This may take a moment.
          </div>
        </Show>
        <Show when={result()}>{(r) => <ImportResults result={r()} onDismiss={() => setResult(null)} />}</Show>
        <Show when={!rows.loading || rows.latest} fallback={<Loading />}>
          <DataTable
            testid="entities-table"
            rows={rows.latest ?? []}
            empty="No entities yet. Create one to get started."
            columns={[
              {
                header: "Name",
                cell: (r) => (
                  <A class="link font-medium" href={`/entities/${encodeURIComponent(r.name)}`}>
                    {r.name}
                  </A>
                ),
              },
              { header: "Table", cell: (r) => <span class="font-mono text-xs">{r.table_name}</span> },
              { header: "Fields", cell: (r) => asObject<Entity>(r.definition)?.fields?.length ?? 0 },
              {
                header: "Soft Delete",
                cell: (r) =>
                  asObject<Entity>(r.definition)?.soft_delete ? <Badge color="green">Yes</Badge> : <Badge color="gray">No</Badge>,
              },
            ]}
            actions={(r) => (
              <button class="btn btn-danger btn-sm" onClick={() => remove(r)}>
                Delete
              </button>
            )}
          />
        </Show>
      </div>
    </Show>
  );
}
