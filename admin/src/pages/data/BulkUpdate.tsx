// The "Bulk Update" modal (spec 17 §5.13 "Bulk update"): one field and one value,
// applied with PUT /{entity}/{id} to each selected record, five at a time.
import { createSignal, Show } from "solid-js";
import { Modal } from "../../components/modal";
import { toast } from "../../components/toast";
import { FormField, SelectField } from "../../components/ui";
import { api } from "../../lib/api";
import { Entity, foreignKeys, OMIT, writableFields } from "../../lib/schema";
import { FieldInput } from "./FieldInput";
import { fieldValue } from "./payload";
import { inBatches, recordPath } from "./records";

export function BulkUpdate(props: { entity: Entity; ids: string[]; onClose: () => void; onDone: () => void }) {
  const [name, setName] = createSignal("");
  const [value, setValue] = createSignal("");
  const [busy, setBusy] = createSignal(false);
  const fields = () => writableFields(props.entity, "edit");
  const field = () => fields().find((f) => f.name === name());
  const n = () => props.ids.length;

  const choose = (v: string) => {
    setName(v);
    setValue(fields().find((f) => f.name === v)?.type === "boolean" ? "false" : "");
  };

  const apply = async () => {
    const f = field();
    if (!f) return;
    // An empty value clears the field here: there is nothing else it could mean.
    const coerced = fieldValue(f, value(), undefined, false);
    const body = { [f.name]: coerced === OMIT ? null : coerced };
    setBusy(true);
    const { ok, failed } = await inBatches(props.ids, 5, (id) => api.put(recordPath(props.entity.name, id), body));
    setBusy(false);
    failed ? toast.error(`${ok} updated, ${failed} failed`) : toast.success(`${ok} record(s) updated`);
    props.onDone();
  };

  return (
    <Modal
      open
      title="Bulk Update"
      onClose={props.onClose}
      footer={
        <>
          <button class="btn btn-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button class="btn btn-primary" disabled={!field() || busy()} onClick={apply}>
            {busy() ? "Applying..." : `Apply to ${n()} record(s)`}
          </button>
        </>
      }
    >
      <p class="mb-4 text-sm">
        Update <strong>{n()}</strong> selected record(s). Choose a field and the new value to apply.
      </p>
      <SelectField
        label="Field"
        value={name()}
        onChange={choose}
        placeholder="Select field..."
        options={fields().map((f) => [f.name, `${f.name} (${f.type})`] as [string, string])}
      />
      <Show when={field()} keyed>
        {(f) => (
          <FormField class="mt-4" label="New Value">
            {(id) => (
              <FieldInput
                id={id}
                field={f}
                fk={foreignKeys(props.entity.name).find((k) => k.field === f.name)}
                value={value()}
                onInput={setValue}
              />
            )}
          </FormField>
        )}
      </Show>
    </Modal>
  );
}
