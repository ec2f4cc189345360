// The per-type fields of a workflow step (spec 17 §5.11), shared by the form editor's
// step cards and the visual editor's step panel: actions and "Then", the condition's
// expression and branches, the approval's assignee, timeout and outcomes.
import { For, Match, Switch } from "solid-js";
import { FormField, SelectField, TextField } from "../../components/ui";
import { ActionsEditor } from "../logic/actions";
import { AssigneeType, GotoKey, StepDraft, StepType } from "./model";

export const STEP_TYPES: StepType[] = ["action", "condition", "approval"];

/**
 * A goto select: not set (the key is left out), end, or a step. The form editor
 * offers "Select next step or end", "end (finish)" and the step ids. The visual
 * panel says what an unset goto does on this server (it ends the workflow; an unset
 * on_timeout fails it), "End workflow" and the other ids. A target that is no step
 * any more stays visible so that it can be changed.
 */
export function GotoSelect(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  targets: string[];
  visual: boolean;
  unset: string;
}) {
  const options = () => {
    const ids = props.targets.filter((t) => t && t !== "end");
    if (props.value && props.value !== "end" && !ids.includes(props.value)) ids.push(props.value);
    return [
      ["", props.visual ? props.unset : "Select next step or end"],
      ["end", props.visual ? "End workflow" : "end (finish)"],
      ...ids.map((id) => [id, id]),
    ];
  };
  return (
    <FormField label={props.label}>
      {(id) => (
        <select id={id} class="input" value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
          <For each={options()}>
            {([v, l]) => (
              <option value={v} selected={v === props.value}>
                {l}
              </option>
            )}
          </For>
        </select>
      )}
    </FormField>
  );
}

const ASSIGNEE: Record<AssigneeType, [string, string]> = {
  role: ["Role", "e.g. manager"],
  // The server compares the approver's user id (docs/logic.md), not an email.
  fixed: ["User", "a user id, e.g. 3f2c9a1e-…"],
  relation: ["Path", "e.g. context.manager_id"],
};

export function StepFields(props: { step: StepDraft; onChange: (s: StepDraft) => void; targets: string[]; visual: boolean }) {
  const set =
    <K extends keyof StepDraft>(k: K) =>
    (v: StepDraft[K]) =>
      props.onChange({ ...props.step, [k]: v });
  // The visual panel is narrow: one column there.
  const row = () => (props.visual ? "space-y-3" : "form-row");
  const goto = (label: string, key: GotoKey) => (
    <GotoSelect
      label={label}
      value={props.step[key]}
      onChange={set(key)}
      targets={props.targets}
      visual={props.visual}
      unset={key === "on_timeout" ? "(not set: fails)" : "(not set: ends)"}
    />
  );
  return (
    <Switch>
      <Match when={props.step.type === "action"}>
        <ActionsEditor
          actions={props.step.actions}
          onChange={set("actions")}
          workflow
          stacked={props.visual}
          addLabel={props.visual ? "+ Add" : "+ Action"}
        />
        {goto("Then (goto)", "then")}
      </Match>
      <Match when={props.step.type === "condition"}>
        <TextField
          label="Expression"
          mono
          placeholder="e.g. context.amount < 1000"
          value={props.step.expression}
          onInput={set("expression")}
        />
        <div class={row()}>
          {goto("On True (goto)", "on_true")}
          {goto("On False (goto)", "on_false")}
        </div>
      </Match>
      <Match when={props.step.type === "approval"}>
        <div class={row()}>
          <SelectField
            label="Assignee Type"
            value={props.step.assigneeType}
            options={["relation", "role", "fixed"]}
            onChange={(v) => set("assigneeType")(v as AssigneeType)}
          />
          <TextField
            label={ASSIGNEE[props.step.assigneeType][0]}
            mono
            placeholder={ASSIGNEE[props.step.assigneeType][1]}
            help="Only they (or an admin) may approve or reject; empty: anyone"
            value={props.step.assignee}
            onInput={set("assignee")}
          />
        </div>
        <TextField
          label="Timeout"
          mono
          placeholder="e.g. 72h"
          help="Units h, m, s, ms (1h30m); empty waits forever"
          value={props.step.timeout}
          onInput={set("timeout")}
        />
        <div class={row()}>
          {goto("On Approve (goto)", "on_approve")}
          {goto("On Reject (goto)", "on_reject")}
        </div>
        {goto("On Timeout (goto)", "on_timeout")}
      </Match>
    </Switch>
  );
}
