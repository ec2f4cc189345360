// Inline row editing (spec 17 §5.13 "Inline edit"): the writable fields that are
// not json, text or file become compact inputs; Save sends PUT with their coerced
// values; field errors show under the inputs and keep the row in edit mode;
// Escape cancels.
import { createEffect, createSignal, onCleanup, Show } from "solid-js";
import { toast } from "../../components/toast";
import { api, ApiError, errorWithDetails } from "../../lib/api";
import { Entity, Field, ForeignKey, writableFields } from "../../lib/schema";
import { FieldInput } from "./FieldInput";
import { fieldsBody, formValues, Values } from "./payload";
import { pkOf, recordPath, Row } from "./records";

export type InlineEdit = ReturnType<typeof createInlineEdit>;

export function createInlineEdit(entity: () => Entity, onSaved: () => void) {
  const [row, setRow] = createSignal<Row | null>(null);
  const [values, setValues] = createSignal<Values>({});
  const [errors, setErrors] = createSignal<Record<string, string>>({});
  const [saving, setSaving] = createSignal(false);
  const fields = () => writableFields(entity(), "edit").filter((f) => !["json", "text", "file"].includes(f.type));

  const start = (r: Row) => {
    setRow(r);
    setValues(formValues(fields(), r));
    setErrors({});
  };
  const cancel = () => {
    setRow(null);
    setErrors({});
  };
  const isEditing = (r: Row) => row() !== null && pkOf(entity(), row()!) === pkOf(entity(), r);

  createEffect(() => {
    if (!row()) return;
    const onKey = (e: KeyboardEvent) => e.key === "Escape" && cancel();
    document.addEventListener("keydown", onKey);
    onCleanup(() => document.removeEventListener("keydown", onKey));
  });

  const save = async () => {
    const r = row();
    if (!r) return;
    setSaving(true);
    setErrors({});
    try {
      await api.put(recordPath(entity().name, pkOf(entity(), r)), fieldsBody(fields(), values(), r));
      toast.success("Record updated");
      cancel();
      onSaved();
    } catch (e) {
      const names = new Set(fields().map((f) => f.name));
      const details = e instanceof ApiError ? e.details : [];
      const mine = details.filter((d) => d.field && names.has(d.field));
      setErrors(Object.fromEntries(mine.map((d) => [d.field!, d.message ?? "invalid"])));
      if (mine.length < details.length || !mine.length) toast.error(errorWithDetails(e, "Failed to update record", ", "));
    } finally {
      setSaving(false);
    }
  };

  // Editing a field clears its error.
  const set = (name: string, v: string) => {
    setValues((old) => ({ ...old, [name]: v }));
    setErrors(({ [name]: _, ...rest }) => rest);
  };
  return { fields, start, cancel, save, isEditing, values, set, errors, saving };
}

/** A grid cell of the row being edited: a compact input and its error. */
export function InlineInput(props: { edit: InlineEdit; field: Field; fk?: ForeignKey }) {
  const error = () => props.edit.errors()[props.field.name];
  return (
    <div>
      <FieldInput
        compact
        field={props.field}
        fk={props.fk}
        label={props.field.name}
        value={props.edit.values()[props.field.name] ?? ""}
        onInput={(v) => props.edit.set(props.field.name, v)}
        invalid={!!error()}
      />
      <Show when={error()}>
        <p class="mt-1 text-xs text-red-600 dark:text-red-400">{error()}</p>
      </Show>
    </div>
  );
}
