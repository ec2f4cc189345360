// The state-machine form editor (spec 17 §5.10): entity, state field, initial state,
// active, and one card per transition with its guard, roles and actions.
import { createSignal, Index } from "solid-js";
import { createStore } from "solid-js/store";
import { Modal } from "../../components/modal";
import { toast } from "../../components/toast";
import { ErrorBanner, SelectField, TextField, Toggle } from "../../components/ui";
import { api, errorWithDetails } from "../../lib/api";
import { entities } from "../../lib/schema";
import { ActionsEditor } from "../logic/actions";
import { emptyDraft, MachineDraft, newTransition, StateMachine, toBody, toDraft, TransitionDraft, validate } from "./model";

/** Creates or updates a machine and shows the toast; an API error is thrown to the caller. */
export async function saveMachine(id: string | undefined, d: MachineDraft): Promise<void> {
  if (id) {
    await api.put(`/_admin/state-machines/${encodeURIComponent(id)}`, toBody(d));
    toast.success("State machine updated");
  } else {
    await api.post("/_admin/state-machines", toBody(d));
    toast.success("State machine created");
  }
}

function TransitionCard(props: { n: number; t: TransitionDraft; onChange: (t: TransitionDraft) => void; onRemove: () => void }) {
  const set =
    <K extends keyof TransitionDraft>(k: K) =>
    (v: TransitionDraft[K]) =>
      props.onChange({ ...props.t, [k]: v });
  return (
    <div role="group" aria-label={`Transition ${props.n}`} class="space-y-3 rounded-md border border-gray-200 p-3 dark:border-gray-700">
      <div class="flex items-center justify-between">
        <h4 class="text-sm font-medium">Transition {props.n}</h4>
        <button type="button" class="btn btn-ghost btn-sm text-red-600 dark:text-red-400" onClick={props.onRemove}>
          Remove
        </button>
      </div>
      <div class="form-row">
        <TextField label="From State(s)" mono placeholder="e.g. draft  or  draft, sent" value={props.t.from} onInput={set("from")} />
        <TextField label="To State" mono placeholder="e.g. sent" value={props.t.to} onInput={set("to")} />
      </div>
      <div class="form-row">
        <TextField label="Guard Expression" mono placeholder="e.g. record.total > 0" value={props.t.guard} onInput={set("guard")} />
        <TextField
          label="Roles (comma-separated)"
          placeholder="e.g. admin, accountant"
          help="Empty: anyone who may update. Admins always may."
          value={props.t.roles}
          onInput={set("roles")}
        />
      </div>
      <ActionsEditor actions={props.t.actions} onChange={set("actions")} workflow={false} addLabel="+ Action" />
    </div>
  );
}

export function MachineForm(props: { machine: StateMachine | "new"; onClose: () => void; onSaved: () => void }) {
  const existing = props.machine === "new" ? null : props.machine;
  const [draft, setDraft] = createStore<MachineDraft>(existing ? toDraft(existing) : emptyDraft());
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);

  const save = async (e: Event) => {
    e.preventDefault();
    const problem = validate(draft);
    if (problem) return setError(problem);
    setError(null);
    setSaving(true);
    try {
      await saveMachine(existing?.id, draft);
      props.onSaved();
    } catch (err) {
      setError(errorWithDetails(err, "Failed to save state machine"));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      size="wide"
      title={existing ? "Edit State Machine" : "Create State Machine"}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" form="machine-form" class="btn btn-primary" disabled={saving()}>
            {saving() ? "Saving..." : existing ? "Save" : "Create"}
          </button>
        </>
      }
    >
      <form id="machine-form" class="space-y-4" onSubmit={save}>
        <ErrorBanner message={error()} />
        <div class="form-row">
          <SelectField
            label="Entity"
            value={draft.entity}
            placeholder="Select entity"
            options={entities().map((en) => en.name)}
            onChange={(v) => setDraft("entity", v)}
          />
          <TextField label="State Field" mono placeholder="e.g. status" value={draft.field} onInput={(v) => setDraft("field", v)} />
        </div>
        <div class="form-row">
          <TextField label="Initial State" mono placeholder="e.g. draft" value={draft.initial} onInput={(v) => setDraft("initial", v)} />
          <Toggle label="Active" checked={draft.active} onChange={(v) => setDraft("active", v)} />
        </div>
        <div>
          <div class="mb-2 flex items-center justify-between">
            <h3 class="section-title !mb-0">Transitions</h3>
            <button
              type="button"
              class="btn btn-secondary btn-sm"
              onClick={() => setDraft("transitions", (ts) => [...ts, newTransition()])}
            >
              + Add Transition
            </button>
          </div>
          <div class="space-y-3">
            <Index each={draft.transitions}>
              {(t, i) => (
                <TransitionCard
                  n={i + 1}
                  t={t()}
                  onChange={(next) => setDraft("transitions", i, next)}
                  onRemove={() => setDraft("transitions", (ts) => ts.filter((_, j) => j !== i))}
                />
              )}
            </Index>
          </div>
        </div>
      </form>
    </Modal>
  );
}
