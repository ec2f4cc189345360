// UI Configs: the JSON documents that drive the client app, per entity and scope,
// including the `_app` dashboard config (fixes §10.4), with export and import
// (spec 17 §5.21; format in spec 18 §7).
import { createResource, createSignal, Show } from "solid-js";
import { confirmDialog, Modal } from "../components/modal";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import {
  Badge,
  download,
  ErrorBanner,
  FormField,
  JsonArea,
  Loading,
  PageHeader,
  pickTextFile,
  SelectField,
  TextField,
} from "../components/ui";
import { api, asObject, errorMessage } from "../lib/api";
import { entities } from "../lib/schema";

interface UiConfig {
  id: string;
  entity: string;
  scope: string;
  config: unknown;
  created_at?: string;
  updated_at?: string;
}

/** The pseudo-entity of the client dashboard (spec 18 §7.5). */
const APP_ENTITY = "_app";

const ENTITY_PLACEHOLDER = `{
  "list": { "columns": ["title", "status"], "default_sort": "-created_at" },
  "detail": { "sections": [{ "title": "Main", "fields": ["title", "status"] }] },
  "form": { "hidden_fields": ["internal_note"], "field_overrides": { "body": { "widget": "textarea", "rows": 6 } } },
  "sidebar": { "label": "Tickets", "group": "Support", "icon": "ticket" }
}`;

const APP_PLACEHOLDER = `{
  "dashboard": {
    "title": "Welcome",
    "widgets": [
      { "type": "stat", "title": "Open tickets", "entity": "ticket", "filter": { "status": "open" } },
      { "type": "recent", "title": "Latest", "entity": "ticket", "columns": ["title", "status"] }
    ]
  }
}`;

const configOf = (c: UiConfig): Record<string, unknown> => {
  const v = asObject<unknown>(c.config);
  return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
};

const configured = (v: unknown) => (v === undefined || v === null ? "-" : "Configured");

function sections(c: UiConfig): string {
  const detail = configOf(c).detail as { sections?: unknown } | undefined;
  const n = Array.isArray(detail?.sections) ? detail.sections.length : 0;
  return n ? `${n} section(s)` : "-";
}

const keyOf = (entity: string, scope: string) => `${entity}\u0000${scope}`;

async function fetchConfigs(): Promise<UiConfig[]> {
  return (await api.get<UiConfig[]>("/_admin/ui-configs")).data ?? [];
}

interface ImportCounts {
  created: number;
  skipped: number;
  failed: number;
}

/** Entries of an import file: a bare array, or an object with a `ui_configs` array. */
function importEntries(text: string): unknown[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error("Invalid JSON file");
  }
  if (Array.isArray(doc)) return doc;
  const inner = doc && typeof doc === "object" ? (doc as { ui_configs?: unknown }).ui_configs : undefined;
  if (Array.isArray(inner)) return inner;
  throw new Error('Expected a JSON array or an object with a "ui_configs" array');
}

/** Sends each new entry with POST, one by one; existing (entity, scope) pairs are skipped. */
async function importConfigs(entries: unknown[], existing: UiConfig[]): Promise<ImportCounts> {
  const taken = new Set(existing.map((c) => keyOf(c.entity, c.scope)));
  const counts: ImportCounts = { created: 0, skipped: 0, failed: 0 };
  for (const raw of entries) {
    const e = (raw && typeof raw === "object" ? raw : {}) as { entity?: unknown; scope?: unknown; config?: unknown };
    if (typeof e.entity !== "string" || !e.entity || e.config === undefined || e.config === null) {
      counts.failed++;
      continue;
    }
    const scope = typeof e.scope === "string" && e.scope.trim() ? e.scope.trim() : "default";
    const key = keyOf(e.entity, scope);
    if (taken.has(key)) {
      counts.skipped++;
      continue;
    }
    try {
      await api.post("/_admin/ui-configs", { entity: e.entity, scope, config: e.config });
      taken.add(key);
      counts.created++;
    } catch {
      counts.failed++;
    }
  }
  return counts;
}

function importMessage(c: ImportCounts): string {
  const parts = [
    c.created ? `${c.created} created` : "",
    c.skipped ? `${c.skipped} skipped (already exist)` : "",
    c.failed ? `${c.failed} failed` : "",
  ].filter(Boolean);
  return `Import: ${parts.length ? parts.join(", ") : "0 created"}`;
}

export default function UiConfigs() {
  const [configs, { refetch }] = createResource(fetchConfigs);
  const [editing, setEditing] = createSignal<UiConfig | "new" | null>(null);
  const [deleting, setDeleting] = createSignal<string | null>(null);
  const [importing, setImporting] = createSignal(false);
  const rows = () => configs.latest ?? [];

  const exportAll = () => {
    const out = rows().map((c) => ({ entity: c.entity, scope: c.scope, config: asObject<unknown>(c.config) }));
    download("ui-configs.json", JSON.stringify(out, null, 2));
    toast.success(`Exported ${out.length} UI config(s)`);
  };

  const importFile = async () => {
    const text = await pickTextFile(".json,application/json");
    if (text === null) return;
    setImporting(true);
    try {
      const counts = await importConfigs(importEntries(text), rows());
      (counts.failed ? toast.error : toast.success)(importMessage(counts));
      refetch();
    } catch (e) {
      toast.error(e instanceof Error ? e.message : "Invalid JSON file");
    } finally {
      setImporting(false);
    }
  };

  const remove = async (c: UiConfig) => {
    const ok = await confirmDialog({
      title: "Delete UI Config",
      message: "Are you sure you want to delete this UI config? The client will revert to default display.",
    });
    if (!ok) return;
    setDeleting(c.id);
    try {
      await api.del(`/_admin/ui-configs/${encodeURIComponent(c.id)}`);
      toast.success("UI config deleted");
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to delete UI config"));
    } finally {
      setDeleting(null);
    }
  };

  return (
    <div>
      <PageHeader title="UI Configs" subtitle="Customize how entities appear in the client app (columns, forms, sidebar grouping)">
        <button class="btn btn-secondary" disabled={!rows().length} onClick={exportAll}>
          Export
        </button>
        <button class="btn btn-secondary" disabled={importing()} onClick={importFile}>
          {importing() ? "Importing..." : "Import"}
        </button>
        <button class="btn btn-primary" onClick={() => setEditing("new")}>
          Create UI Config
        </button>
      </PageHeader>
      <Show when={!configs.error} fallback={<ErrorBanner message={errorMessage(configs.error, "Failed to load UI configs")} />}>
        <Show when={configs.latest} fallback={<Loading />}>
          <DataTable
            testid="ui-configs-table"
            rows={rows()}
            empty="No UI configs yet. Create one to customize entity display."
            columns={[
              {
                header: "Entity",
                cell: (c) => (
                  <span class="font-mono">
                    {c.entity}
                    <Show when={c.entity === APP_ENTITY}>
                      <span class="muted ml-1 font-sans text-xs">(dashboard)</span>
                    </Show>
                  </span>
                ),
              },
              { header: "Scope", cell: (c) => <Badge color="blue">{c.scope}</Badge> },
              { header: "List", cell: (c) => configured(configOf(c).list) },
              { header: "Detail Sections", cell: sections },
              { header: "Form", cell: (c) => configured(configOf(c).form) },
              { header: "Sidebar", cell: (c) => configured(configOf(c).sidebar) },
            ]}
            actions={(c) => (
              <>
                <button class="btn btn-secondary btn-sm" aria-label={`Edit ${c.entity} ${c.scope}`} onClick={() => setEditing(c)}>
                  Edit
                </button>
                <button
                  class="btn btn-danger btn-sm"
                  aria-label={`Delete ${c.entity} ${c.scope}`}
                  disabled={deleting() === c.id}
                  onClick={() => remove(c)}
                >
                  {deleting() === c.id ? "Deleting..." : "Delete"}
                </button>
              </>
            )}
          />
        </Show>
      </Show>
      <Show when={editing()} keyed>
        {(target) => (
          <UiConfigEditor
            config={target === "new" ? null : target}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              refetch();
            }}
          />
        )}
      </Show>
    </div>
  );
}

function UiConfigEditor(props: { config: UiConfig | null; onClose: () => void; onSaved: () => void }) {
  const stored = props.config;
  const [entity, setEntity] = createSignal(stored?.entity ?? "");
  const [scope, setScope] = createSignal(stored?.scope ?? "default");
  const [json, setJson] = createSignal(stored ? JSON.stringify(asObject<unknown>(stored.config), null, 2) : "");
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);

  const options = (): [string, string][] => {
    const names = entities().map((e) => e.name);
    if (entity() && entity() !== APP_ENTITY && !names.includes(entity())) names.unshift(entity());
    return [[APP_ENTITY, `${APP_ENTITY} (app dashboard)`], ...names.map((n): [string, string] => [n, n])];
  };

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!entity()) return setError("Entity is required");
    let config: unknown = {};
    if (json().trim()) {
      try {
        config = JSON.parse(json());
      } catch {
        return setError("Invalid JSON in config");
      }
    }
    const body = { entity: entity(), scope: scope().trim() || "default", config };
    setSaving(true);
    try {
      if (stored) {
        await api.put(`/_admin/ui-configs/${encodeURIComponent(stored.id)}`, body);
        toast.success("UI config updated");
      } else {
        await api.post("/_admin/ui-configs", body);
        toast.success("UI config created");
      }
      props.onSaved();
    } catch (err) {
      setError(errorMessage(err, "Failed to save UI config"));
    } finally {
      setSaving(false);
    }
  };

  const title = stored ? "Edit UI Config" : "Create UI Config";
  return (
    <Modal open size="wide" title={title} onClose={props.onClose}>
      <form noValidate onSubmit={save} class="space-y-4" aria-label={title}>
        <ErrorBanner message={error()} />
        <div class="form-row">
          <SelectField
            label="Entity"
            placeholder="Select entity..."
            value={entity()}
            onChange={setEntity}
            options={options()}
            disabled={!!stored}
          />
          <TextField label="Scope" placeholder="default" value={scope()} onInput={setScope} />
        </div>
        <FormField
          label="Config (JSON)"
          help={
            entity() === APP_ENTITY
              ? "The _app config holds the client dashboard."
              : "Keys: list, detail, form, sidebar, pages (all optional)."
          }
        >
          {(id) => (
            <JsonArea
              id={id}
              rows={16}
              value={json()}
              onInput={setJson}
              placeholder={entity() === APP_ENTITY ? APP_PLACEHOLDER : ENTITY_PLACEHOLDER}
            />
          )}
        </FormField>
        <div class="flex justify-end gap-2 border-t border-gray-200 pt-4 dark:border-gray-700">
          <button type="button" class="btn btn-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={saving()}>
            {saving() ? "Saving..." : "Save"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
