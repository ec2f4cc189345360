// State machines (spec 17 §5.10, spec 08 §1): the stored machine, the editors'
// draft (text inputs for from-lists and roles) and the state operations of the
// visual editor (collect, rename, delete).
import { asObject } from "../../lib/api";
import { splitList } from "../../components/ui";
import { ActionForm, actionFromForm, actionToForm, StoredAction } from "../logic/actions";

export interface Transition {
  from: string | string[];
  to: string;
  guard?: string | null;
  roles?: string[];
  actions?: StoredAction[];
}

export interface StateMachine {
  id: string;
  entity: string;
  field: string;
  definition: { initial?: string; transitions?: Transition[] };
  active: boolean;
}

export interface TransitionDraft {
  /** A comma-separated list, or one state. */
  from: string;
  to: string;
  guard: string;
  /** Comma-separated. */
  roles: string;
  actions: ActionForm[];
}

export interface MachineDraft {
  entity: string;
  field: string;
  initial: string;
  active: boolean;
  transitions: TransitionDraft[];
}

export function normalizeMachine(row: StateMachine): StateMachine {
  const definition = asObject<StateMachine["definition"]>(row.definition) ?? {};
  return { ...row, definition: { ...definition, transitions: definition.transitions ?? [] } };
}

export const newTransition = (from = ""): TransitionDraft => ({ from, to: "", guard: "", roles: "", actions: [] });

/** The new-machine defaults of §5.10. */
export function emptyDraft(): MachineDraft {
  return { entity: "", field: "status", initial: "", active: true, transitions: [newTransition()] };
}

export function toDraft(m: StateMachine): MachineDraft {
  return {
    entity: m.entity,
    field: m.field,
    initial: m.definition.initial ?? "",
    active: m.active,
    transitions: (m.definition.transitions ?? []).map((t) => ({
      from: Array.isArray(t.from) ? t.from.join(", ") : (t.from ?? ""),
      to: t.to ?? "",
      guard: t.guard ?? "",
      roles: (t.roles ?? []).join(", "),
      actions: (t.actions ?? []).map(actionToForm),
    })),
  };
}

export function validate(d: MachineDraft): string | null {
  if (!d.entity.trim()) return "Entity is required";
  if (!d.field.trim()) return "State field is required";
  return null;
}

/** The request body of §5.10: `from` an array when comma-separated, empty guard and roles left out. */
export function toBody(d: MachineDraft) {
  const transitions = d.transitions.map((t) => {
    const out: Transition = { from: t.from.includes(",") ? splitList(t.from) : t.from.trim(), to: t.to.trim() };
    if (t.guard.trim()) out.guard = t.guard.trim();
    const roles = splitList(t.roles);
    if (roles.length) out.roles = roles;
    out.actions = t.actions.map((a) => actionFromForm(a, false));
    return out;
  });
  return { entity: d.entity.trim(), field: d.field.trim(), definition: { initial: d.initial.trim(), transitions }, active: d.active };
}

export const fromStates = (t: TransitionDraft) => splitList(t.from);

/** Every distinct state: the initial one, every source, every target, then the added ones. */
export function collectStates(d: MachineDraft, added: string[]): string[] {
  const out: string[] = [];
  const push = (s: string) => {
    const v = s.trim();
    if (v && !out.includes(v)) out.push(v);
  };
  push(d.initial);
  for (const t of d.transitions) {
    fromStates(t).forEach(push);
    push(t.to);
  }
  added.forEach(push);
  return out;
}

/** The list's Transitions column: `{from list} -> {to}`, joined, cut at 60 characters. */
export function transitionSummary(m: StateMachine): string {
  const s = (m.definition.transitions ?? []).map((t) => `${Array.isArray(t.from) ? t.from.join(", ") : t.from} -> ${t.to}`).join(", ");
  return s.length > 60 ? `${s.slice(0, 60)}...` : s;
}

const joinStates = (states: string[]) => states.join(", ");

/** Renames a state everywhere: initial, sources and targets. */
export function renameState(d: MachineDraft, from: string, to: string): MachineDraft {
  const swap = (s: string) => (s === from ? to : s);
  return {
    ...d,
    initial: swap(d.initial.trim()),
    transitions: d.transitions.map((t) => ({
      ...t,
      from: fromStates(t).length > 1 ? joinStates(fromStates(t).map(swap)) : swap(t.from.trim()),
      to: swap(t.to.trim()),
    })),
  };
}

/**
 * Deletes a state: transitions into it and those whose only source it is go, it
 * leaves multi-source lists, and `initial` is cleared if it was the state.
 */
export function deleteState(d: MachineDraft, state: string): MachineDraft {
  return {
    ...d,
    initial: d.initial.trim() === state ? "" : d.initial,
    transitions: d.transitions
      .filter((t) => t.to.trim() !== state)
      .filter((t) => !(fromStates(t).length === 1 && fromStates(t)[0] === state))
      .map((t) => (fromStates(t).includes(state) ? { ...t, from: joinStates(fromStates(t).filter((s) => s !== state)) } : t)),
  };
}
