// Entity editor (spec 17 §5.5): settings, primary key, slug and the fields table,
// with the client-side save validation (the first failure in the banner), create
// and update, and the shared schema store reloaded after a save.
import { useNavigate, useParams } from "@solidjs/router";
import { createEffect, createSignal, For, JSX, on, Show } from "solid-js";
import { toast } from "../components/toast";
import { ErrorBanner, FormField, Loading, PageHeader, SelectField, TextField, Toggle } from "../components/ui";
import { api, asObject, errorMessage, errorWithDetails } from "../lib/api";
import { Entity, Field, reloadSchema } from "../lib/schema";
import { entityBody, FieldsHeader, FieldsTable } from "./entities/fields";

const PK_TYPES = ["uuid", "int", "bigint", "string"];
const isText = (f: Field) => f.type === "string" || f.type === "text";

const newEntity = (): Entity => ({
  name: "",
  table: "",
  primary_key: { field: "id", type: "uuid", generated: true },
  soft_delete: true,
  fields: [{ name: "id", type: "uuid", required: true }],
});

/** §5.5 save validation, in order: the first failure, or null. */
function validateEntity(e: Entity): string | null {
  if (!e.name.trim()) return "Entity name is required";
  if (e.fields.length === 0) return "Entity must have at least one field";
  if (e.fields.some((f) => !f.name.trim())) return "All fields must have a name";
  if (e.slug) {
    const f = e.slug.field;
    if (!f) return "Slug is enabled but no slug field is selected";
    const field = e.fields.find((x) => x.name === f);
    if (!field) return `Slug field "${f}" not found in fields`;
    if (!isText(field)) return `Slug field "${f}" must be of type string or text`;
    if (!field.unique) return `Slug field "${f}" must have unique enabled`;
    const s = e.slug.source;
    if (s && !e.fields.some((x) => x.name === s)) return `Slug source field "${s}" not found in fields`;
  }
  return null;
}

function Section(props: { title: string; children: JSX.Element; actions?: JSX.Element }) {
  return (
    <section class="card p-4 sm:p-5" aria-label={props.title}>
      <Show when={props.actions} fallback={<h2 class="section-title">{props.title}</h2>}>
        {props.actions}
      </Show>
      {props.children}
    </section>
  );
}

function SlugSection(props: { entity: Entity; onChange: (e: Entity) => void }) {
  const slug = () => props.entity.slug;
  const uniqueText = () => props.entity.fields.filter((f) => isText(f) && f.unique && f.name);
  const textFields = () => props.entity.fields.filter((f) => isText(f) && f.name);
  const setSlug = (patch: Partial<NonNullable<Entity["slug"]>>) => props.onChange({ ...props.entity, slug: { ...slug()!, ...patch } });
  return (
    <Section title="Slug">
      <div class="space-y-4">
        <Toggle
          label="Enable Slug"
          checked={!!slug()}
          onChange={(on) => {
            if (on) {
              props.onChange({ ...props.entity, slug: { field: uniqueText()[0]?.name ?? "", source: "", regenerate_on_update: false } });
            } else {
              const { slug: _removed, ...rest } = props.entity;
              props.onChange(rest as Entity);
            }
          }}
        />
        <Show when={slug()}>
          {(s) => (
            <div class="form-row">
              <SelectField
                label="Slug Field"
                placeholder="Select unique string field"
                value={s().field}
                options={uniqueText().map((f) => f.name)}
                onChange={(v) => setSlug({ field: v })}
              />
              <SelectField
                label="Auto-generate from"
                value={s().source ?? ""}
                options={[["", "(manual)"], ...textFields().map((f): [string, string] => [f.name, f.name])]}
                onChange={(v) => setSlug({ source: v, regenerate_on_update: v ? s().regenerate_on_update : false })}
              />
              <Show when={s().source}>
                <Toggle
                  label="Regenerate on Update"
                  checked={!!s().regenerate_on_update}
                  onChange={(v) => setSlug({ regenerate_on_update: v })}
                />
              </Show>
            </div>
          )}
        </Show>
      </div>
    </Section>
  );
}

export default function EntityEditor() {
  const params = useParams<{ name?: string }>();
  const navigate = useNavigate();
  const isNew = () => !params.name;
  const [entity, setEntity] = createSignal<Entity>(newEntity());
  const [loading, setLoading] = createSignal(false);
  const [saving, setSaving] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [loadFailed, setLoadFailed] = createSignal(false);

  const load = async (name: string) => {
    setLoading(true);
    setLoadFailed(false);
    try {
      const row = (await api.get<{ definition: Entity | string }>(`/_admin/entities/${encodeURIComponent(name)}`)).data;
      const def = asObject<Entity>(row.definition);
      setEntity({ ...def, name: def.name ?? name, fields: def.fields ?? [] });
    } catch (e) {
      toast.error(errorMessage(e, "Failed to load entity"));
      setLoadFailed(true);
    } finally {
      setLoading(false);
    }
  };

  createEffect(
    on(
      () => params.name,
      (name) => {
        setError(null);
        if (name) load(name);
        else {
          setLoadFailed(false);
          setEntity(newEntity());
        }
      },
    ),
  );

  const update = (patch: Partial<Entity>) => setEntity({ ...entity(), ...patch });

  const save = async () => {
    const invalid = validateEntity(entity());
    if (invalid) {
      setError(invalid);
      return;
    }
    setError(null);
    setSaving(true);
    const body = entityBody(entity());
    try {
      if (isNew()) {
        await api.post("/_admin/entities", body);
        toast.success(`Entity "${body.name}" created`);
        reloadSchema();
        navigate(`/entities/${encodeURIComponent(body.name)}`);
      } else {
        await api.put(`/_admin/entities/${encodeURIComponent(body.name)}`, body);
        toast.success(`Entity "${body.name}" updated`);
        reloadSchema();
        await load(body.name);
      }
    } catch (e) {
      setError(errorWithDetails(e, "Failed to save entity"));
    } finally {
      setSaving(false);
    }
  };

  return (
    <div>
      <PageHeader title={isNew() ? "Create Entity" : `Entity: ${params.name}`}>
        <button class="btn btn-secondary" onClick={() => navigate("/entities")}>
          Back
        </button>
        <button class="btn btn-primary" disabled={saving() || loading() || loadFailed()} onClick={save}>
          {saving() ? "Saving..." : "Save"}
        </button>
      </PageHeader>
      <ErrorBanner message={error()} />
      <Show when={!loading()} fallback={<Loading />}>
        <Show when={!loadFailed()} fallback={<p class="text-sm text-gray-500 dark:text-gray-400">This entity could not be loaded.</p>}>
          <div class="space-y-6">
            <Section title="Settings">
              <div class="form-row">
                <FormField label="Entity Name">
                  {(id) => (
                    <input
                      id={id}
                      class="input font-mono read-only:bg-gray-100 read-only:text-gray-500 dark:read-only:bg-gray-800 dark:read-only:text-gray-400"
                      placeholder="e.g. invoice"
                      value={entity().name}
                      readOnly={!isNew()}
                      onInput={(e) => update({ name: e.currentTarget.value })}
                    />
                  )}
                </FormField>
                <TextField
                  label="Table Name"
                  placeholder="defaults to entity name"
                  mono
                  value={entity().table ?? ""}
                  onInput={(v) => update({ table: v })}
                />
                <Toggle label="Soft Delete" checked={!!entity().soft_delete} onChange={(v) => update({ soft_delete: v })} />
              </div>
            </Section>
            <Section title="Primary Key">
              <div class="grid grid-cols-1 gap-4 sm:grid-cols-3">
                <SelectField
                  label="Field"
                  placeholder="Select field"
                  value={entity().primary_key?.field ?? ""}
                  options={entity()
                    .fields.filter((f) => f.name)
                    .map((f) => f.name)}
                  onChange={(v) => update({ primary_key: { ...entity().primary_key, field: v } })}
                />
                <FormField label="Type">
                  {(id) => (
                    <select
                      id={id}
                      class="input"
                      value={entity().primary_key?.type ?? ""}
                      onChange={(e) => update({ primary_key: { ...entity().primary_key, type: e.currentTarget.value } })}
                    >
                      <For
                        each={
                          PK_TYPES.includes(entity().primary_key?.type ?? "") ? PK_TYPES : [...PK_TYPES, entity().primary_key?.type ?? ""]
                        }
                      >
                        {(t) => (
                          <option value={t} selected={t === entity().primary_key?.type}>
                            {t || "(none)"}
                          </option>
                        )}
                      </For>
                    </select>
                  )}
                </FormField>
                <Toggle
                  label="Auto-generated"
                  checked={!!entity().primary_key?.generated}
                  onChange={(v) => update({ primary_key: { ...entity().primary_key, generated: v } })}
                />
              </div>
            </Section>
            <SlugSection entity={entity()} onChange={setEntity} />
            <Section title="Fields" actions={<FieldsHeader fields={entity().fields} onChange={(fields) => update({ fields })} />}>
              <FieldsTable fields={entity().fields} pkField={entity().primary_key?.field} onChange={(fields) => update({ fields })} />
            </Section>
          </div>
        </Show>
      </Show>
    </div>
  );
}
