// Transition actions (spec 17 §5.10) and workflow step actions (§5.11): the form
// state of one action, its conversion to and from the stored object, and the editor
// list with a type select, the per-type inputs and a remove button.
import { For, Index, Match, Show, Switch } from "solid-js";
import { SelectField, TextField } from "../../components/ui";
import { entities } from "../../lib/schema";

export const ACTION_TYPES: [string, string][] = [
  ["set_field", "set field"],
  ["webhook", "webhook"],
  ["create_record", "create record"],
  ["send_event", "send event"],
];
const METHODS = ["POST", "PUT", "PATCH", "GET", "DELETE"];

/** One action as the form edits it: every input is text. */
export interface ActionForm {
  type: string;
  entity: string;
  record_id: string;
  field: string;
  value: string;
  url: string;
  method: string;
  event: string;
  /** The stored value of `value`, kept when its text is not edited (a number stays a number). */
  original?: unknown;
}

export type StoredAction = Record<string, unknown> & { type?: string };

const text = (v: unknown) => (v === undefined || v === null ? "" : typeof v === "string" ? v : JSON.stringify(v));

/** The new-action default of §5.11. */
export function newAction(): ActionForm {
  return { type: "set_field", entity: "", record_id: "", field: "", value: "", url: "", method: "POST", event: "" };
}

export function actionToForm(a: StoredAction): ActionForm {
  return {
    type: String(a.type ?? "set_field"),
    entity: text(a.entity),
    record_id: text(a.record_id),
    field: text(a.field),
    value: text(a.value),
    url: text(a.url),
    method: text(a.method) || "POST",
    event: text(a.event),
    original: a.value,
  };
}

/** The stored action: only the keys of its type (`entity` and `record_id` only in workflows). */
export function actionFromForm(a: ActionForm, workflow: boolean): StoredAction {
  switch (a.type) {
    case "set_field": {
      const value = a.original !== undefined && text(a.original) === a.value ? a.original : a.value;
      return workflow
        ? { type: a.type, entity: a.entity, record_id: a.record_id, field: a.field, value }
        : { type: a.type, field: a.field, value };
    }
    case "webhook":
      return { type: a.type, url: a.url, method: a.method || "POST" };
    case "create_record":
      return { type: a.type, entity: a.entity };
    case "send_event":
      return { type: a.type, event: a.event };
    default:
      return { type: a.type };
  }
}

function EntityInput(props: { value: string; onChange: (v: string) => void; workflow: boolean; placeholder?: string }) {
  return (
    <Switch>
      <Match when={props.workflow && entities().length > 0}>
        <SelectField
          label="Entity"
          value={props.value}
          placeholder="Select entity"
          options={entities().map((e) => e.name)}
          onChange={props.onChange}
        />
      </Match>
      <Match when={true}>
        <TextField label="Entity" mono placeholder={props.placeholder} value={props.value} onInput={props.onChange} />
      </Match>
    </Switch>
  );
}

/** The inputs of one action, by type; placeholders differ between machines and workflows. */
function ActionFields(props: { action: ActionForm; onChange: (a: ActionForm) => void; workflow: boolean; stacked?: boolean }) {
  const set = (key: keyof ActionForm) => (v: string) => props.onChange({ ...props.action, [key]: v });
  const row = () => (props.stacked ? "space-y-2" : "form-row");
  return (
    <Switch>
      <Match when={props.action.type === "set_field"}>
        <div class={row()}>
          <Show when={props.workflow}>
            <EntityInput workflow value={props.action.entity} onChange={set("entity")} />
            <TextField
              label="Record ID Path"
              mono
              placeholder="e.g. context.record_id"
              value={props.action.record_id}
              onInput={set("record_id")}
            />
          </Show>
          <TextField
            label="Field"
            mono
            placeholder={props.workflow ? "e.g. approved_at" : "e.g. sent_at"}
            value={props.action.field}
            onInput={set("field")}
          />
          <TextField label="Value" placeholder="e.g. now" value={props.action.value} onInput={set("value")} />
        </div>
      </Match>
      <Match when={props.action.type === "webhook"}>
        <div class={row()}>
          <TextField
            label="URL"
            mono
            placeholder={props.workflow ? "e.g. /hooks/notify" : "e.g. /hooks/invoice-paid"}
            value={props.action.url}
            onInput={set("url")}
          />
          <SelectField label="Method" value={props.action.method || "POST"} options={METHODS} onChange={set("method")} />
        </div>
      </Match>
      <Match when={props.action.type === "create_record"}>
        <EntityInput workflow={props.workflow} placeholder="e.g. audit_log" value={props.action.entity} onChange={set("entity")} />
      </Match>
      <Match when={props.action.type === "send_event"}>
        <TextField
          label={props.workflow ? "Event" : "Event Name"}
          mono
          placeholder={props.workflow ? "e.g. order.approved" : "e.g. invoice.paid"}
          value={props.action.event}
          onInput={set("event")}
        />
      </Match>
    </Switch>
  );
}

/** The "Actions" list with "+ Action" (form editors) or "+ Add" (visual panels). */
export function ActionsEditor(props: {
  actions: ActionForm[];
  onChange: (a: ActionForm[]) => void;
  workflow: boolean;
  addLabel: string;
  /** One input per line (the narrow panels of the visual editors). */
  stacked?: boolean;
}) {
  const replace = (i: number, a: ActionForm) => props.onChange(props.actions.map((x, j) => (j === i ? a : x)));
  return (
    <div>
      <div class="mb-1 flex items-center justify-between">
        <span class="label !mb-0">Actions</span>
        <button
          type="button"
          class="btn btn-ghost btn-sm text-blue-600 dark:text-blue-400"
          onClick={() => props.onChange([...props.actions, newAction()])}
        >
          {props.addLabel}
        </button>
      </div>
      <div class="space-y-2">
        <Index each={props.actions}>
          {(action, i) => (
            <div
              role="group"
              aria-label={`Action ${i + 1}`}
              class="space-y-2 rounded-md border border-gray-200 bg-gray-50 p-2 dark:border-gray-700 dark:bg-gray-900/40"
            >
              <div class="flex items-center gap-2">
                <select
                  class="input input-sm flex-1"
                  aria-label="Action type"
                  value={action().type}
                  onChange={(e) => replace(i, { ...action(), type: e.currentTarget.value })}
                >
                  <For each={ACTION_TYPES}>
                    {([v, l]) => (
                      <option value={v} selected={v === action().type}>
                        {l}
                      </option>
                    )}
                  </For>
                </select>
                <button
                  type="button"
                  class="btn btn-ghost btn-sm"
                  aria-label={`Remove action ${i + 1}`}
                  onClick={() => props.onChange(props.actions.filter((_, j) => j !== i))}
                >
                  x
                </button>
              </div>
              <ActionFields action={action()} workflow={props.workflow} stacked={props.stacked} onChange={(a) => replace(i, a)} />
            </div>
          )}
        </Index>
      </div>
    </div>
  );
}
