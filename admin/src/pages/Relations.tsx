// Relations (spec 17 §5.7): the relation list and its create/edit modal.
import { createResource, createSignal, Show } from "solid-js";
import { Modal, confirmDialog } from "../components/modal";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Badge, BadgeColor, ErrorBanner, Loading, PageHeader, SelectField, TextField } from "../components/ui";
import { api, errorMessage, errorWithDetails } from "../lib/api";
import { entities, fetchRelations, Relation, RelationType, reloadSchema, typeLabel } from "../lib/schema";

const TYPE_COLOR: Record<string, BadgeColor> = { one_to_one: "green", one_to_many: "blue", many_to_many: "purple" };
const TYPES: [string, string][] = [
  ["one_to_one", "one to one"],
  ["one_to_many", "one to many"],
  ["many_to_many", "many to many"],
];
const ON_DELETE: [string, string][] = [
  ["cascade", "cascade"],
  ["set_null", "set null"],
  ["restrict", "restrict"],
  ["detach", "detach"],
];

const newRelation = (): Relation => ({
  name: "",
  type: "one_to_many",
  source: "",
  target: "",
  source_key: "id",
  target_key: "",
  ownership: "source",
  on_delete: "cascade",
  fetch: "lazy",
  write_mode: "diff",
});

/** The definition sent: the keys of the other kind of relation are left out. */
function relationBody(r: Relation): Relation {
  const body: Relation = { ...r, name: r.name.trim() };
  if (r.type === "many_to_many") delete body.target_key;
  else {
    delete body.join_table;
    delete body.source_join_key;
    delete body.target_join_key;
  }
  return body;
}

function RelationForm(props: { value: Relation; onChange: (r: Relation) => void }) {
  const set = (patch: Partial<Relation>) => props.onChange({ ...props.value, ...patch });
  const names = () => entities().map((e) => e.name);
  const m2m = () => props.value.type === "many_to_many";
  return (
    <div class="space-y-4">
      <div class="form-row">
        <TextField label="Name" placeholder="e.g. items" mono value={props.value.name} onInput={(v) => set({ name: v })} />
        <SelectField label="Type" value={props.value.type} options={TYPES} onChange={(v) => set({ type: v as RelationType })} />
      </div>
      <div class="form-row">
        <SelectField
          label="Source Entity"
          placeholder="Select source"
          value={props.value.source}
          options={names()}
          onChange={(v) => set({ source: v })}
        />
        <SelectField
          label="Target Entity"
          placeholder="Select target"
          value={props.value.target}
          options={names()}
          onChange={(v) => set({ target: v })}
        />
      </div>
      <div class="form-row">
        <TextField
          label="Source Key"
          placeholder="e.g. id"
          mono
          value={props.value.source_key ?? ""}
          onInput={(v) => set({ source_key: v })}
        />
        <Show when={!m2m()}>
          <TextField
            label="Target Key"
            placeholder="e.g. invoice_id"
            mono
            value={props.value.target_key ?? ""}
            onInput={(v) => set({ target_key: v })}
          />
        </Show>
      </div>
      <Show when={m2m()}>
        <div class="form-row">
          <TextField
            label="Join Table"
            placeholder="e.g. product_categories"
            mono
            value={props.value.join_table ?? ""}
            onInput={(v) => set({ join_table: v })}
          />
          <TextField
            label="Source Join Key"
            placeholder="e.g. product_id"
            mono
            value={props.value.source_join_key ?? ""}
            onInput={(v) => set({ source_join_key: v })}
          />
          <TextField
            label="Target Join Key"
            placeholder="e.g. category_id"
            mono
            value={props.value.target_join_key ?? ""}
            onInput={(v) => set({ target_join_key: v })}
          />
        </div>
      </Show>
      <div class="form-row">
        <SelectField
          label="Ownership"
          value={props.value.ownership ?? ""}
          options={["source", "target", "none"]}
          onChange={(v) => set({ ownership: v })}
        />
        <SelectField label="On Delete" value={props.value.on_delete ?? ""} options={ON_DELETE} onChange={(v) => set({ on_delete: v })} />
        <SelectField
          label="Fetch Strategy"
          value={props.value.fetch ?? ""}
          options={["lazy", "eager"]}
          onChange={(v) => set({ fetch: v })}
        />
        <SelectField
          label="Write Mode"
          value={props.value.write_mode ?? "diff"}
          options={["diff", "replace", "append"]}
          onChange={(v) => set({ write_mode: v as Relation["write_mode"] })}
        />
      </div>
    </div>
  );
}

export default function Relations() {
  const [list, { refetch }] = createResource(async () => {
    try {
      return await fetchRelations();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to load relations"));
      return [];
    }
  });
  const [editing, setEditing] = createSignal<{ original: string | null; value: Relation } | null>(null);
  const [saving, setSaving] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);

  const open = (r: Relation | null) => {
    setError(null);
    setEditing({ original: r?.name ?? null, value: r ? { ...newRelation(), ...r } : newRelation() });
  };

  const save = async () => {
    const ed = editing();
    if (!ed) return;
    if (!ed.value.name.trim()) {
      setError("Relation name is required");
      return;
    }
    setError(null);
    setSaving(true);
    const body = relationBody(ed.value);
    try {
      if (ed.original === null) {
        await api.post("/_admin/relations", body);
        toast.success(`Relation "${body.name}" created`);
      } else {
        await api.put(`/_admin/relations/${encodeURIComponent(ed.original)}`, body);
        toast.success(`Relation "${body.name}" updated`);
      }
      setEditing(null);
      refetch();
      reloadSchema();
    } catch (e) {
      setError(errorWithDetails(e, "Failed to save relation"));
    } finally {
      setSaving(false);
    }
  };

  const remove = async (r: Relation) => {
    const ok = await confirmDialog({ title: "Delete Relation", message: `Are you sure you want to delete relation "${r.name}"?` });
    if (!ok) return;
    try {
      await api.del(`/_admin/relations/${encodeURIComponent(r.name)}`);
      toast.success(`Relation "${r.name}" deleted`);
      refetch();
      reloadSchema();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to delete relation"));
    }
  };

  return (
    <div>
      <PageHeader title="Relations" subtitle="Manage entity relationships">
        <button class="btn btn-primary" onClick={() => open(null)}>
          Create Relation
        </button>
      </PageHeader>
      <Show when={!list.loading} fallback={<Loading />}>
        <DataTable
          testid="relations-table"
          rows={list() ?? []}
          empty="No relations yet. Create one to link entities."
          columns={[
            { header: "Name", cell: (r) => <span class="font-medium">{r.name}</span> },
            { header: "Type", cell: (r) => <Badge color={TYPE_COLOR[r.type] ?? "gray"}>{typeLabel(r.type)}</Badge> },
            { header: "Source → Target", cell: (r) => <span class="font-mono text-xs">{`${r.source} → ${r.target}`}</span> },
            { header: "Write Mode", cell: (r) => <Badge color="gray">{r.write_mode || "diff"}</Badge> },
          ]}
          actions={(r) => (
            <>
              <button class="btn btn-secondary btn-sm" onClick={() => open(r)}>
                Edit
              </button>
              <button class="btn btn-danger btn-sm" onClick={() => remove(r)}>
                Delete
              </button>
            </>
          )}
        />
      </Show>
      <Modal
        open={!!editing()}
        size="wide"
        title={editing()?.original === null ? "Create Relation" : "Edit Relation"}
        onClose={() => setEditing(null)}
        footer={
          <>
            <button class="btn btn-secondary" onClick={() => setEditing(null)}>
              Cancel
            </button>
            <button class="btn btn-primary" disabled={saving()} onClick={save}>
              {saving() ? "Saving..." : "Save"}
            </button>
          </>
        }
      >
        <ErrorBanner message={error()} />
        <Show when={editing()}>{(ed) => <RelationForm value={ed().value} onChange={(value) => setEditing({ ...ed(), value })} />}</Show>
      </Modal>
    </div>
  );
}
