// The workflow form editor (spec 17 §5.11): name, active, the state-change trigger,
// context mappings and one card per step; gotos encoded as §5.11's table says.
import { createSignal, Index } from "solid-js";
import { createStore } from "solid-js/store";
import { Modal } from "../../components/modal";
import { toast } from "../../components/toast";
import { ErrorBanner, SelectField, TextField, Toggle } from "../../components/ui";
import { api, errorWithDetails } from "../../lib/api";
import { entities } from "../../lib/schema";
import { emptyDraft, newStep, renameStep, StepDraft, StepType, toBody, toDraft, validate, Workflow, WorkflowDraft } from "./model";
import { STEP_TYPES, StepFields } from "./StepFields";

/** Creates or updates a workflow and shows the toast; an API error is thrown to the caller. */
export async function saveWorkflow(id: string | undefined, d: WorkflowDraft): Promise<void> {
  if (id) {
    await api.put(`/_admin/workflows/${encodeURIComponent(id)}`, toBody(d));
    toast.success("Workflow updated");
  } else {
    await api.post("/_admin/workflows", toBody(d));
    toast.success("Workflow created");
  }
}

function StepCard(props: {
  n: number;
  step: StepDraft;
  targets: string[];
  onChange: (s: StepDraft) => void;
  onRename: (id: string) => void;
  onRemove: () => void;
}) {
  return (
    <div role="group" aria-label={`Step ${props.n}`} class="space-y-3 rounded-md border border-gray-200 p-3 dark:border-gray-700">
      <div class="flex items-center justify-between">
        <h4 class="text-sm font-medium">Step {props.n}</h4>
        <button type="button" class="btn btn-ghost btn-sm text-red-600 dark:text-red-400" onClick={props.onRemove}>
          Remove
        </button>
      </div>
      <div class="form-row">
        <TextField label="Step ID" mono placeholder="e.g. check_amount" value={props.step.id} onInput={props.onRename} />
        <SelectField
          label="Type"
          value={props.step.type}
          options={STEP_TYPES}
          onChange={(v) => props.onChange({ ...props.step, type: v as StepType })}
        />
      </div>
      <StepFields step={props.step} onChange={props.onChange} targets={props.targets} visual={false} />
    </div>
  );
}

export function WorkflowForm(props: { workflow: Workflow | "new"; onClose: () => void; onSaved: () => void }) {
  const existing = props.workflow === "new" ? null : props.workflow;
  const [draft, setDraft] = createStore<WorkflowDraft>(existing ? toDraft(existing) : emptyDraft());
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);
  const ids = () => draft.steps.map((s) => s.id.trim()).filter(Boolean);

  const save = async (e: Event) => {
    e.preventDefault();
    const problem = validate(draft);
    if (problem) return setError(problem);
    setError(null);
    setSaving(true);
    try {
      await saveWorkflow(existing?.id, draft);
      props.onSaved();
    } catch (err) {
      setError(errorWithDetails(err, "Failed to save workflow"));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      size="wide"
      title={existing ? "Edit Workflow" : "Create Workflow"}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" form="workflow-form" class="btn btn-primary" disabled={saving()}>
            {saving() ? "Saving..." : existing ? "Save" : "Create"}
          </button>
        </>
      }
    >
      <form id="workflow-form" class="space-y-4" onSubmit={save}>
        <ErrorBanner message={error()} />
        <div class="form-row">
          <TextField
            label="Workflow Name"
            mono
            placeholder="e.g. purchase_approval"
            value={draft.name}
            onInput={(v) => setDraft("name", v)}
          />
          <Toggle label="Active" checked={draft.active} onChange={(v) => setDraft("active", v)} />
        </div>
        <fieldset class="space-y-3 rounded-md border border-gray-200 p-3 dark:border-gray-700">
          <legend class="px-1 text-sm font-semibold">Trigger</legend>
          <SelectField
            label="Entity"
            value={draft.trigger.entity}
            placeholder="Select entity"
            options={entities().map((e) => e.name)}
            onChange={(v) => setDraft("trigger", "entity", v)}
          />
          <div class="form-row">
            <TextField
              label="Field"
              mono
              placeholder="e.g. status"
              help="Needs an active state machine on this field"
              value={draft.trigger.field}
              onInput={(v) => setDraft("trigger", "field", v)}
            />
            <TextField
              label="To State"
              mono
              placeholder="e.g. approved"
              value={draft.trigger.to}
              onInput={(v) => setDraft("trigger", "to", v)}
            />
          </div>
        </fieldset>
        <div>
          <div class="mb-2 flex items-center justify-between">
            <h3 class="section-title !mb-0">Context Mappings</h3>
            <button
              type="button"
              class="btn btn-secondary btn-sm"
              onClick={() => setDraft("context", (c) => [...c, { key: "", path: "" }])}
            >
              + Add Mapping
            </button>
          </div>
          <div class="space-y-2">
            <Index each={draft.context}>
              {(m, i) => (
                <div role="group" aria-label={`Mapping ${i + 1}`} class="flex items-end gap-2">
                  <TextField
                    class="flex-1"
                    label="Key"
                    mono
                    placeholder="e.g. record_id"
                    value={m().key}
                    onInput={(v) => setDraft("context", i, "key", v)}
                  />
                  <TextField
                    class="flex-1"
                    label="Path"
                    mono
                    placeholder="e.g. trigger.record_id"
                    value={m().path}
                    onInput={(v) => setDraft("context", i, "path", v)}
                  />
                  <button
                    type="button"
                    class="btn btn-ghost btn-sm mb-1"
                    aria-label={`Remove mapping ${i + 1}`}
                    onClick={() => setDraft("context", (c) => c.filter((_, j) => j !== i))}
                  >
                    x
                  </button>
                </div>
              )}
            </Index>
          </div>
        </div>
        <div>
          <div class="mb-2 flex items-center justify-between">
            <h3 class="section-title !mb-0">Steps</h3>
            <button type="button" class="btn btn-secondary btn-sm" onClick={() => setDraft("steps", (s) => [...s, newStep()])}>
              + Add Step
            </button>
          </div>
          <div class="space-y-3">
            <Index each={draft.steps}>
              {(step, i) => (
                <StepCard
                  n={i + 1}
                  step={step()}
                  targets={ids()}
                  onChange={(s) => setDraft("steps", i, s)}
                  onRename={(id) => setDraft("steps", (steps) => renameStep(steps, i, id))}
                  onRemove={() => setDraft("steps", (s) => s.filter((_, j) => j !== i))}
                />
              )}
            </Index>
          </div>
        </div>
      </form>
    </Modal>
  );
}
