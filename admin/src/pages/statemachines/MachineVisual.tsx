// The state-machine visual editor (spec 17 §5.10): one node per state laid out left to
// right, one edge per source/target pair of each transition (a multigraph), a
// settings strip and a state panel (rename, initial, transitions, delete).
import { createMemo, createSignal, Index, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { GraphCanvas, GraphEdge, GraphNode } from "../../components/GraphCanvas";
import { FormField, SelectField, TextField } from "../../components/ui";
import { errorWithDetails } from "../../lib/api";
import { entities } from "../../lib/schema";
import { ActionsEditor } from "../logic/actions";
import { VisualFrame } from "../logic/VisualFrame";
import { saveMachine } from "./MachineForm";
import {
  collectStates,
  deleteState,
  emptyDraft,
  fromStates,
  MachineDraft,
  newTransition,
  renameState,
  StateMachine,
  toDraft,
  TransitionDraft,
  validate,
} from "./model";

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}...` : s);

function edgeLabel(t: TransitionDraft): string | undefined {
  if (t.guard.trim()) return cut(t.guard.trim(), 25);
  const roles = t.roles.trim();
  return roles
    ? roles
        .split(",")
        .map((r) => r.trim())
        .filter(Boolean)
        .join(", ")
    : undefined;
}

function stateNode(name: string, initial: boolean): GraphNode {
  const width = Math.max(100, Math.ceil(name.length * 8.5) + 32);
  const height = 40;
  return {
    id: name,
    width,
    height,
    render: () => (
      <g>
        <rect
          width={width}
          height={height}
          rx={10}
          stroke-width={initial ? 3 : 1.5}
          class={
            initial
              ? "fill-blue-50 stroke-blue-600 dark:fill-blue-950 dark:stroke-blue-400"
              : "fill-slate-50 stroke-slate-400 dark:fill-slate-800 dark:stroke-slate-500"
          }
        />
        <text
          x={width / 2}
          y={height / 2}
          text-anchor="middle"
          dominant-baseline="central"
          font-size="13"
          font-weight={initial ? 700 : 500}
          class={initial ? "fill-blue-900 dark:fill-blue-100" : "fill-slate-800 dark:fill-slate-100"}
        >
          {name}
        </text>
      </g>
    ),
  };
}

/** One transition of the state panel: target, guard, roles, actions. */
function TransitionPanelCard(props: {
  t: TransitionDraft;
  states: string[];
  onChange: (t: TransitionDraft) => void;
  onRemove: () => void;
}) {
  const set =
    <K extends keyof TransitionDraft>(k: K) =>
    (v: TransitionDraft[K]) =>
      props.onChange({ ...props.t, [k]: v });
  return (
    <div
      role="group"
      aria-label={`Transition ${props.t.from} → ${props.t.to}`}
      class="space-y-2 rounded-md border border-gray-200 p-2 dark:border-gray-700"
    >
      <div class="flex items-center justify-between gap-2 text-sm">
        <span class="truncate font-mono">
          {props.t.from} → {props.t.to}
        </span>
        <button type="button" class="link text-xs text-red-600 dark:text-red-400" onClick={props.onRemove}>
          remove
        </button>
      </div>
      <SelectField label="To" value={props.t.to} placeholder="Select state" options={props.states} onChange={set("to")} />
      <TextField label="Guard" mono value={props.t.guard} onInput={set("guard")} />
      <TextField label="Roles (comma-separated)" value={props.t.roles} onInput={set("roles")} />
      <ActionsEditor actions={props.t.actions} onChange={set("actions")} workflow={false} stacked addLabel="+ Add" />
    </div>
  );
}

export function MachineVisual(props: { machine: StateMachine | "new"; onClose: () => void; onSaved: () => void }) {
  const existing = props.machine === "new" ? null : props.machine;
  // A new machine starts without the form's blank transition, which could not be drawn.
  const [draft, setDraft] = createStore<MachineDraft>(existing ? toDraft(existing) : { ...emptyDraft(), transitions: [] });
  const [added, setAdded] = createSignal<string[]>([]);
  const [selected, setSelected] = createSignal<string | null>(null);
  const [settingsOpen, setSettingsOpen] = createSignal(!existing);
  const [menuOpen, setMenuOpen] = createSignal(false);
  const [newState, setNewState] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);

  const states = createMemo(() => collectStates(draft, added()));
  const nodes = createMemo(() => states().map((s) => stateNode(s, s === draft.initial.trim())));
  const edges = createMemo<GraphEdge[]>(() =>
    draft.transitions.flatMap((t) => fromStates(t).map((from) => ({ from, to: t.to.trim(), label: edgeLabel(t) }))),
  );
  const title = () => `${draft.entity || "New State Machine"}${draft.field ? ` / ${draft.field}` : ""}`;

  const addState = () => {
    const name = newState().trim();
    if (!name) return;
    if (!states().includes(name)) setAdded((a) => [...a, name]);
    setNewState("");
    setMenuOpen(false);
    setSelected(name);
  };
  const rename = (from: string, to: string) => {
    const name = to.trim();
    if (!name || name === from) return;
    setDraft((d) => renameState(d, from, name));
    setAdded((a) => a.map((s) => (s === from ? name : s)));
    setSelected(name);
  };
  const remove = (state: string) => {
    setDraft((d) => deleteState(d, state));
    setAdded((a) => a.filter((s) => s !== state));
    setSelected(null);
  };

  const save = async () => {
    const problem = validate(draft);
    if (problem) {
      setSettingsOpen(true);
      return setError(problem);
    }
    setError(null);
    setSaving(true);
    try {
      await saveMachine(existing?.id, draft);
      props.onSaved();
    } catch (e) {
      setSettingsOpen(true);
      setError(errorWithDetails(e, "Failed to save state machine"));
    } finally {
      setSaving(false);
    }
  };

  const settings = (
    <div class="grid grid-cols-1 items-end gap-3 sm:grid-cols-2 lg:grid-cols-4">
      <Show
        when={entities().length > 0}
        fallback={<TextField label="Entity" mono value={draft.entity} onInput={(v) => setDraft("entity", v)} />}
      >
        <SelectField
          label="Entity"
          value={draft.entity}
          placeholder="Select entity"
          options={entities().map((e) => e.name)}
          onChange={(v) => setDraft("entity", v)}
        />
      </Show>
      <TextField label="State Field" mono value={draft.field} onInput={(v) => setDraft("field", v)} />
      <TextField label="Initial State" mono value={draft.initial} onInput={(v) => setDraft("initial", v)} />
      <label class="flex items-center gap-2 pb-2 text-sm">
        <input type="checkbox" checked={draft.active} onChange={(e) => setDraft("active", e.currentTarget.checked)} />
        Active
      </label>
    </div>
  );

  const menu = (
    <FormField label="State name">
      {(id) => (
        <div class="flex gap-2">
          <input
            id={id}
            class="input input-sm font-mono"
            value={newState()}
            onInput={(e) => setNewState(e.currentTarget.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter") {
                e.preventDefault();
                addState();
              }
            }}
            ref={(el) => queueMicrotask(() => el.focus())}
          />
          <button type="button" class="btn btn-primary btn-sm" onClick={addState}>
            Add
          </button>
        </div>
      )}
    </FormField>
  );

  return (
    <VisualFrame
      title={title()}
      settingsOpen={settingsOpen()}
      onToggleSettings={() => setSettingsOpen(!settingsOpen())}
      settings={settings}
      error={error()}
      addLabel="+ Add State"
      menuOpen={menuOpen()}
      onToggleMenu={() => setMenuOpen(!menuOpen())}
      menu={menu}
      saving={saving()}
      onSave={save}
      onClose={props.onClose}
      canvas={
        <GraphCanvas
          nodes={nodes()}
          edges={edges()}
          direction="LR"
          nodeGap={60}
          rankGap={100}
          multigraph
          selected={selected()}
          onSelect={setSelected}
          ariaLabel="State machine diagram"
        />
      }
      panel={
        selected() ? (
          <StatePanel
            state={selected()!}
            draft={draft}
            states={states()}
            onInitial={(on) => setDraft("initial", on ? selected()! : "")}
            onRename={(to) => rename(selected()!, to)}
            onTransitions={(ts) => setDraft("transitions", ts)}
            onDelete={() => remove(selected()!)}
          />
        ) : undefined
      }
    />
  );
}

function StatePanel(props: {
  state: string;
  draft: MachineDraft;
  states: string[];
  onInitial: (on: boolean) => void;
  onRename: (to: string) => void;
  onTransitions: (ts: TransitionDraft[]) => void;
  onDelete: () => void;
}) {
  const [name, setName] = createSignal(props.state);
  /** Indexes (into all transitions) of those leaving this state. */
  const outgoing = () =>
    props.draft.transitions
      .map((t, i) => [t, i] as const)
      .filter(([t]) => fromStates(t).includes(props.state))
      .map(([, i]) => i);
  const replace = (i: number, t: TransitionDraft) => props.onTransitions(props.draft.transitions.map((x, j) => (j === i ? t : x)));

  return (
    <div class="space-y-4">
      <FormField label="State Name">
        {(id) => (
          <input
            id={id}
            class="input font-mono"
            value={name()}
            onInput={(e) => setName(e.currentTarget.value)}
            onChange={() => props.onRename(name())}
            onKeyDown={(e) => e.key === "Enter" && props.onRename(name())}
          />
        )}
      </FormField>
      <label class="flex items-center gap-2 text-sm">
        <input
          type="checkbox"
          checked={props.draft.initial.trim() === props.state}
          onChange={(e) => props.onInitial(e.currentTarget.checked)}
        />
        Initial state
      </label>
      <div>
        <div class="mb-2 flex items-center justify-between">
          <h3 class="section-title !mb-0">Transitions ({outgoing().length})</h3>
          <button
            type="button"
            class="btn btn-ghost btn-sm text-blue-600 dark:text-blue-400"
            onClick={() => props.onTransitions([...props.draft.transitions, newTransition(props.state)])}
          >
            + Add
          </button>
        </div>
        <div class="space-y-2">
          <Index each={outgoing()}>
            {(i) => (
              <TransitionPanelCard
                t={props.draft.transitions[i()]}
                states={props.states}
                onChange={(t) => replace(i(), t)}
                onRemove={() => props.onTransitions(props.draft.transitions.filter((_, j) => j !== i()))}
              />
            )}
          </Index>
        </div>
      </div>
      <button type="button" class="btn btn-danger btn-sm w-full" onClick={props.onDelete}>
        Delete State
      </button>
    </div>
  );
}
