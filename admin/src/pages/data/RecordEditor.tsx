// The full record editor (spec 17 §5.13 "Full record editor"): a modal, fullscreen
// when the entity is the source of relations, with one control per writable field
// and a related-records block per relation; loads the record with ?include= first.
import { createResource, createSignal, createUniqueId, For, onMount, Show } from "solid-js";
import { Modal } from "../../components/modal";
import { toast } from "../../components/toast";
import { ErrorBanner, Loading } from "../../components/ui";
import { api, ApiError, errorWithDetails } from "../../lib/api";
import { can, Entity, entityByName, Field, foreignKeys, Relation, sourceRelations, writableFields } from "../../lib/schema";
import { FieldInput } from "./FieldInput";
import { LinkedRecords } from "./LinkedRecords";
import { fieldsBody, formValues, NestedWrite, Values } from "./payload";
import { pkOf, recordPath, Row } from "./records";
import { RelatedRecords } from "./RelatedRecords";

async function loadRecord(entity: Entity, row: Row, rels: Relation[]): Promise<Row> {
  if (!rels.length) return row;
  try {
    const q = `?include=${encodeURIComponent(rels.map((r) => r.name).join(","))}`;
    return (await api.get<Row>(`${recordPath(entity.name, pkOf(entity, row))}${q}`)).data;
  } catch {
    return row;
  }
}

export function RecordEditor(props: { entity: Entity; row?: Row; onClose: () => void; onSaved: () => void }) {
  const allRels = sourceRelations(props.entity.name);
  const rels = allRels.filter((r) => entityByName(r.target));
  // Only an edit of a relation source waits for a request; the rest opens at once.
  const needsLoad = !!props.row && rels.length > 0;
  const [loaded] = createResource(
    () => needsLoad || undefined,
    () => loadRecord(props.entity, props.row!, rels),
  );
  const record = () => (needsLoad ? loaded() : (props.row ?? ({} as Row)));
  const formId = createUniqueId();
  const [saving, setSaving] = createSignal(false);
  return (
    <Modal
      open
      size={allRels.length ? "fullscreen" : "wide"}
      title={props.row ? "Edit Record" : "Create Record"}
      onClose={props.onClose}
      footer={
        <>
          <button class="btn btn-secondary" onClick={props.onClose}>
            Cancel
          </button>
          {/* A user who may only read gets the record to look at, without a save. */}
          <Show when={can(props.entity.name, props.row ? "update" : "create")}>
            <button class="btn btn-primary" type="submit" form={formId} disabled={saving() || !record()}>
              {saving() ? "Saving..." : props.row ? "Update" : "Create"}
            </button>
          </Show>
        </>
      }
    >
      <Show when={record()} fallback={<Loading />}>
        {(r) => (
          <EditorForm
            id={formId}
            entity={props.entity}
            record={props.row ? r() : undefined}
            relations={rels}
            onSaving={setSaving}
            onSaved={props.onSaved}
          />
        )}
      </Show>
    </Modal>
  );
}

function FieldLabel(props: { field: Field; for: string; autoSlug: boolean; hint: string; target?: string }) {
  return (
    <div class="mb-1 flex flex-wrap items-baseline gap-x-2">
      <label class="text-xs font-medium text-gray-700 dark:text-gray-300" for={props.for}>
        {props.field.name}
        <Show when={props.field.required && !props.autoSlug}>
          <span class="ml-0.5 text-red-600 dark:text-red-400" aria-hidden="true">
            *
          </span>
        </Show>
        <Show when={props.target}> → {props.target}</Show>
      </label>
      <span id={`${props.for}-hint`} class="text-xs text-gray-400 dark:text-gray-500">
        {props.hint}
      </span>
    </div>
  );
}

function EditorForm(props: {
  id: string;
  entity: Entity;
  record?: Row;
  relations: Relation[];
  onSaving: (v: boolean) => void;
  onSaved: () => void;
}) {
  const fields = writableFields(props.entity, props.record ? "edit" : "create");
  const fks = foreignKeys(props.entity.name);
  const slug = props.entity.slug?.source ? props.entity.slug : undefined;
  const [values, setValues] = createSignal<Values>(formValues(fields, props.record));
  const [error, setError] = createSignal<string | null>(null);
  const [fieldErrors, setFieldErrors] = createSignal<Record<string, string>>({});
  const nested = new Map<string, () => NestedWrite | undefined>();
  let form!: HTMLFormElement;
  onMount(() => form.querySelector<HTMLElement>("input, select, textarea")?.focus());

  const submit = async (e: Event) => {
    e.preventDefault();
    const body = fieldsBody(fields, values(), props.record, slug?.field);
    for (const [name, payload] of nested) {
      const write = payload();
      if (write) body[name] = write;
    }
    props.onSaving(true);
    setError(null);
    setFieldErrors({});
    try {
      if (props.record) {
        await api.put(recordPath(props.entity.name, pkOf(props.entity, props.record)), body);
        toast.success("Record updated");
      } else {
        await api.post(`/${props.entity.name}`, body);
        toast.success("Record created");
      }
      props.onSaved();
    } catch (err) {
      setError(errorWithDetails(err, "Failed to save record", ", "));
      if (err instanceof ApiError)
        setFieldErrors(Object.fromEntries(err.details.filter((d) => d.field).map((d) => [d.field!, d.message ?? ""])));
      form.closest(".overflow-auto")?.scrollTo({ top: 0 });
    } finally {
      props.onSaving(false);
    }
  };

  return (
    <form id={props.id} ref={form} onSubmit={submit} aria-label={props.record ? "Edit record" : "Create record"} novalidate>
      <ErrorBanner message={error()} />
      <div class="grid grid-cols-1 gap-4 md:grid-cols-2">
        <For each={fields}>
          {(f) => {
            const id = `${props.id}-${f.name}`;
            const fk = fks.find((k) => k.field === f.name);
            const autoSlug = slug?.field === f.name;
            return (
              <div class={f.type === "json" || f.type === "text" ? "md:col-span-2" : ""}>
                <FieldLabel
                  field={f}
                  for={id}
                  autoSlug={autoSlug}
                  hint={autoSlug ? `auto-generated from ${slug!.source}` : f.type}
                  target={fk?.entity}
                />
                <FieldInput
                  id={id}
                  field={f}
                  fk={fk}
                  value={values()[f.name] ?? ""}
                  stored={props.record?.[f.name]}
                  onInput={(v) => {
                    setValues((old) => ({ ...old, [f.name]: v }));
                    setFieldErrors(({ [f.name]: _, ...rest }) => rest);
                  }}
                  placeholder={autoSlug ? "Leave empty to auto-generate" : undefined}
                  describedBy={`${id}-hint ${id}-error`}
                  invalid={!!fieldErrors()[f.name]}
                />
                <p id={`${id}-error`} class="mt-1 text-xs text-red-600 empty:hidden dark:text-red-400">
                  {fieldErrors()[f.name] ?? ""}
                </p>
              </div>
            );
          }}
        </For>
      </div>
      <Show when={props.relations.length}>
        <h3 class="section-title mt-6">Related records</h3>
        <div class="space-y-4">
          <For each={props.relations}>
            {(rel) => {
              const target = entityByName(rel.target)!;
              const register = (payload: () => NestedWrite | undefined) => nested.set(rel.name, payload);
              const existing = props.record?.[rel.name];
              return rel.type === "many_to_many" ? (
                <LinkedRecords relation={rel} target={target} existing={existing} register={register} />
              ) : (
                <RelatedRecords relation={rel} target={target} existing={existing} register={register} />
              );
            }}
          </For>
        </div>
      </Show>
    </form>
  );
}
