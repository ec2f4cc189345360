// Workflows (spec 17 §5.11, spec 09 §1): the stored workflow, the editors' draft,
// the goto encoding (empty → omitted, `end` → "end", a step → {"goto": id}; read
// back from either form) and the step operations of the visual editor.
import { asObject } from "../../lib/api";
import { ActionForm, actionFromForm, actionToForm, StoredAction } from "../logic/actions";

export type StepType = "action" | "condition" | "approval";
export type AssigneeType = "role" | "fixed" | "relation";
export type Goto = string | { goto: string } | null | undefined;

export interface StoredStep {
  id: string;
  type: StepType | string;
  actions?: StoredAction[];
  then?: Goto;
  expression?: string;
  on_true?: Goto;
  on_false?: Goto;
  assignee?: { type?: string; role?: string; user?: string; path?: string };
  timeout?: string;
  on_approve?: Goto;
  on_reject?: Goto;
  on_timeout?: Goto;
}

export interface Trigger {
  type: string;
  entity: string;
  field: string;
  to: string;
}

export interface Workflow {
  id: string;
  name: string;
  trigger: Trigger;
  context: Record<string, string>;
  steps: StoredStep[];
  active: boolean;
}

export const GOTO_KEYS = ["then", "on_true", "on_false", "on_approve", "on_reject", "on_timeout"] as const;
export type GotoKey = (typeof GOTO_KEYS)[number];

/** A step as the editors hold it: every goto a string ("" none, "end", or a step id). */
export interface StepDraft {
  id: string;
  type: StepType;
  actions: ActionForm[];
  then: string;
  expression: string;
  on_true: string;
  on_false: string;
  assigneeType: AssigneeType;
  assignee: string;
  timeout: string;
  on_approve: string;
  on_reject: string;
  on_timeout: string;
}

export interface WorkflowDraft {
  name: string;
  active: boolean;
  trigger: Trigger;
  context: { key: string; path: string }[];
  steps: StepDraft[];
}

/** Reads a goto in any stored form. */
export function decodeGoto(g: Goto): string {
  if (g === null || g === undefined) return "";
  if (typeof g === "string") return g;
  return typeof g.goto === "string" ? g.goto : "";
}

/** Writes a goto: undefined (key left out), "end", or {"goto": id}. */
export function encodeGoto(s: string): Goto {
  if (!s) return undefined;
  return s === "end" ? "end" : { goto: s };
}

export function normalizeWorkflow(row: Workflow): Workflow {
  return {
    ...row,
    trigger: asObject<Trigger>(row.trigger) ?? { type: "state_change", entity: "", field: "", to: "" },
    context: asObject<Record<string, string>>(row.context) ?? {},
    steps: asObject<StoredStep[]>(row.steps) ?? [],
  };
}

export function newStep(type: StepType = "action", id = ""): StepDraft {
  return {
    id,
    type,
    actions: [],
    then: "",
    expression: "",
    on_true: "",
    on_false: "",
    assigneeType: "role",
    assignee: "",
    timeout: "",
    on_approve: "",
    on_reject: "",
    on_timeout: "",
  };
}

/** The new-workflow defaults of §5.11. */
export function emptyDraft(): WorkflowDraft {
  return {
    name: "",
    active: true,
    trigger: { type: "state_change", entity: "", field: "", to: "" },
    context: [],
    steps: [newStep()],
  };
}

function stepToDraft(s: StoredStep): StepDraft {
  const a = s.assignee ?? {};
  const assigneeType = (a.type === "fixed" || a.type === "relation" ? a.type : "role") as AssigneeType;
  return {
    ...newStep((["action", "condition", "approval"].includes(s.type) ? s.type : "action") as StepType, s.id ?? ""),
    actions: (s.actions ?? []).map(actionToForm),
    expression: s.expression ?? "",
    assigneeType,
    assignee: (assigneeType === "fixed" ? a.user : assigneeType === "relation" ? a.path : a.role) ?? "",
    timeout: s.timeout ?? "",
    ...Object.fromEntries(GOTO_KEYS.map((k) => [k, decodeGoto(s[k])])),
  };
}

export function toDraft(w: Workflow): WorkflowDraft {
  return {
    name: w.name,
    active: w.active,
    trigger: { type: "state_change", entity: w.trigger.entity ?? "", field: w.trigger.field ?? "", to: w.trigger.to ?? "" },
    context: Object.entries(w.context).map(([key, path]) => ({ key, path: String(path) })),
    steps: w.steps.map(stepToDraft),
  };
}

export function validate(d: WorkflowDraft): string | null {
  if (!d.name.trim()) return "Name is required";
  if (!d.trigger.entity.trim()) return "Trigger entity is required";
  return null;
}

function stepToStored(s: StepDraft): StoredStep {
  const out: StoredStep = { id: s.id.trim(), type: s.type };
  const goto = (k: GotoKey) => {
    const g = encodeGoto(s[k]);
    if (g !== undefined) out[k] = g;
  };
  if (s.type === "action") {
    out.actions = s.actions.map((a) => actionFromForm(a, true));
    goto("then");
  } else if (s.type === "condition") {
    out.expression = s.expression.trim();
    goto("on_true");
    goto("on_false");
  } else {
    const key = s.assigneeType === "fixed" ? "user" : s.assigneeType === "relation" ? "path" : "role";
    out.assignee = { type: s.assigneeType, [key]: s.assignee.trim() };
    if (s.timeout.trim()) out.timeout = s.timeout.trim();
    goto("on_approve");
    goto("on_reject");
    goto("on_timeout");
  }
  return out;
}

/** The request body of §5.11: mappings with an empty key dropped, gotos encoded. */
export function toBody(d: WorkflowDraft) {
  return {
    name: d.name.trim(),
    trigger: { type: "state_change", entity: d.trigger.entity.trim(), field: d.trigger.field.trim(), to: d.trigger.to.trim() },
    context: Object.fromEntries(d.context.filter((c) => c.key.trim()).map((c) => [c.key.trim(), c.path.trim()])),
    steps: d.steps.map(stepToStored),
    active: d.active,
  };
}

/** Renames a step and every goto that pointed at it. */
export function renameStep(steps: StepDraft[], index: number, id: string): StepDraft[] {
  const old = steps[index].id;
  return steps.map((s, i) => {
    const next = i === index ? { ...s, id } : { ...s };
    if (old && id) for (const k of GOTO_KEYS) if (next[k] === old) next[k] = id;
    return next;
  });
}

/** Deletes a step and clears every goto that referenced it. */
export function deleteStep(steps: StepDraft[], index: number): StepDraft[] {
  const old = steps[index].id;
  return steps
    .filter((_, i) => i !== index)
    .map((s) => {
      const next = { ...s };
      if (old) for (const k of GOTO_KEYS) if (next[k] === old) next[k] = "";
      return next;
    });
}
