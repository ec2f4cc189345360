// The workflow visual editor (spec 17 §5.11): Start → steps → End laid out top to
// bottom, condition steps as diamonds, edges per goto with merged labels, a settings
// strip, an add-step menu and a step panel. A goto that is not set ends the workflow
// on this server (docs/logic.md "Steps"), so the diagram draws it as an edge to End
// and the panel names the empty choice "(not set: ends)"; an unset on_timeout draws nothing.
import { createMemo, createSignal, For, JSX, Show } from "solid-js";
import { createStore } from "solid-js/store";
import { GraphCanvas, GraphEdge, GraphNode } from "../../components/GraphCanvas";
import { SelectField, TextField } from "../../components/ui";
import { errorWithDetails } from "../../lib/api";
import { entities } from "../../lib/schema";
import { VisualFrame } from "../logic/VisualFrame";
import { deleteStep, emptyDraft, newStep, renameStep, StepDraft, StepType, toDraft, validate, Workflow, WorkflowDraft } from "./model";
import { STEP_TYPES, StepFields } from "./StepFields";
import { saveWorkflow } from "./WorkflowForm";

const START = "Start";
const END = "End";

const STYLE: Record<StepType, { box: string; text: string; sub: string }> = {
  action: {
    box: "fill-blue-50 stroke-blue-500 dark:fill-blue-950 dark:stroke-blue-400",
    text: "fill-blue-900 dark:fill-blue-100",
    sub: "⚡ action",
  },
  approval: {
    box: "fill-green-50 stroke-green-600 dark:fill-green-950 dark:stroke-green-400",
    text: "fill-green-900 dark:fill-green-100",
    sub: "✔ approval",
  },
  condition: {
    box: "fill-amber-50 stroke-amber-500 dark:fill-amber-950 dark:stroke-amber-400",
    text: "fill-amber-900 dark:fill-amber-100",
    sub: "◆ condition",
  },
};

function NodeText(props: { w: number; h: number; title: string; sub: string; class: string }): JSX.Element {
  return (
    <text x={props.w / 2} y={props.h / 2} text-anchor="middle" class={props.class}>
      <tspan x={props.w / 2} dy="-0.2em" font-size="13" font-weight="600">
        {props.title}
      </tspan>
      <tspan x={props.w / 2} dy="1.3em" font-size="10" fill-opacity="0.75">
        {props.sub}
      </tspan>
    </text>
  );
}

function stepNode(s: StepDraft): GraphNode {
  const style = STYLE[s.type];
  if (s.type === "condition") {
    const w = Math.max(130, Math.ceil(s.id.length * 8) + 70);
    const h = 84;
    return {
      id: s.id,
      width: w,
      height: h,
      shape: "diamond",
      render: () => (
        <g>
          <polygon points={`${w / 2},0 ${w},${h / 2} ${w / 2},${h} 0,${h / 2}`} stroke-width="1.5" class={style.box} />
          <NodeText w={w} h={h} title={s.id} sub={style.sub} class={style.text} />
        </g>
      ),
    };
  }
  const w = Math.max(140, Math.ceil(s.id.length * 8) + 36);
  const h = 54;
  return {
    id: s.id,
    width: w,
    height: h,
    render: () => (
      <g>
        <rect width={w} height={h} rx={10} stroke-width="1.5" class={style.box} />
        <NodeText w={w} h={h} title={s.id} sub={style.sub} class={style.text} />
      </g>
    ),
  };
}

const startNode: GraphNode = {
  id: START,
  width: 56,
  height: 56,
  shape: "circle",
  render: () => (
    <g>
      <circle cx={28} cy={28} r={27} stroke-width="2" class="fill-green-100 stroke-green-600 dark:fill-green-900 dark:stroke-green-400" />
      <text
        x={28}
        y={28}
        text-anchor="middle"
        dominant-baseline="central"
        font-size="11"
        font-weight="600"
        class="fill-green-900 dark:fill-green-100"
      >
        Start
      </text>
    </g>
  ),
};

const endNode: GraphNode = {
  id: END,
  width: 56,
  height: 56,
  shape: "circle",
  render: () => (
    <g>
      <circle cx={28} cy={28} r={27} stroke-width="2" class="fill-red-50 stroke-red-600 dark:fill-red-950 dark:stroke-red-400" />
      <circle cx={28} cy={28} r={21} stroke-width="1.5" class="fill-none stroke-red-600 dark:stroke-red-400" />
      <text
        x={28}
        y={28}
        text-anchor="middle"
        dominant-baseline="central"
        font-size="11"
        font-weight="600"
        class="fill-red-900 dark:fill-red-100"
      >
        End
      </text>
    </g>
  ),
};

/** A goto's node: End for "" and "end", else the step. */
const target = (g: string) => (!g || g === "end" ? END : g);

/** Edges from one step, one per target, labels of the same target joined with " / ". */
function stepEdges(s: StepDraft): GraphEdge[] {
  const outs: [string, string | undefined][] =
    s.type === "action"
      ? [[target(s.then), undefined]]
      : s.type === "condition"
        ? [
            [target(s.on_true), "true"],
            [target(s.on_false), "false"],
          ]
        : [
            [target(s.on_approve), "approve"],
            [target(s.on_reject), "reject"],
            ...(s.on_timeout ? [[target(s.on_timeout), "timeout"] as [string, string]] : []),
          ];
  const merged = new Map<string, string[]>();
  for (const [to, label] of outs) merged.set(to, [...(merged.get(to) ?? []), ...(label ? [label] : [])]);
  return [...merged].map(([to, labels]) => ({ from: s.id, to, label: labels.join(" / ") || undefined }));
}

export function WorkflowVisual(props: { workflow: Workflow | "new"; onClose: () => void; onSaved: () => void }) {
  const existing = props.workflow === "new" ? null : props.workflow;
  // A new workflow starts without the form's blank step: a step without an id is not drawn.
  const [draft, setDraft] = createStore<WorkflowDraft>(existing ? toDraft(existing) : { ...emptyDraft(), steps: [] });
  const [selected, setSelected] = createSignal<number | null>(null);
  const [settingsOpen, setSettingsOpen] = createSignal(!existing);
  const [menuOpen, setMenuOpen] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);

  const drawn = createMemo(() => draft.steps.filter((s) => s.id.trim()));
  const nodes = createMemo(() => [startNode, ...drawn().map(stepNode), endNode]);
  const edges = createMemo<GraphEdge[]>(() => [{ from: START, to: drawn()[0]?.id ?? END }, ...drawn().flatMap(stepEdges)]);
  const ids = () => drawn().map((s) => s.id);
  const selectedId = () => {
    const i = selected();
    return i === null ? null : (draft.steps[i]?.id ?? null);
  };

  const addStep = (type: StepType) => {
    let n = draft.steps.length + 1;
    while (draft.steps.some((s) => s.id === `step_${n}`)) n++;
    setDraft("steps", (s) => [...s, newStep(type, `step_${n}`)]);
    setSelected(draft.steps.length - 1);
    setMenuOpen(false);
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
      await saveWorkflow(existing?.id, draft);
      props.onSaved();
    } catch (e) {
      setSettingsOpen(true);
      setError(errorWithDetails(e, "Failed to save workflow"));
    } finally {
      setSaving(false);
    }
  };

  const settings = (
    <div class="grid grid-cols-1 items-end gap-3 sm:grid-cols-2 lg:grid-cols-5">
      <TextField label="Name" mono value={draft.name} onInput={(v) => setDraft("name", v)} />
      <Show
        when={entities().length > 0}
        fallback={<TextField label="Trigger Entity" mono value={draft.trigger.entity} onInput={(v) => setDraft("trigger", "entity", v)} />}
      >
        <SelectField
          label="Trigger Entity"
          value={draft.trigger.entity}
          placeholder="Select entity"
          options={entities().map((e) => e.name)}
          onChange={(v) => setDraft("trigger", "entity", v)}
        />
      </Show>
      <TextField label="Trigger Field" mono value={draft.trigger.field} onInput={(v) => setDraft("trigger", "field", v)} />
      <TextField label="Trigger To" mono value={draft.trigger.to} onInput={(v) => setDraft("trigger", "to", v)} />
      <label class="flex items-center gap-2 pb-2 text-sm">
        <input type="checkbox" checked={draft.active} onChange={(e) => setDraft("active", e.currentTarget.checked)} />
        Active
      </label>
    </div>
  );

  const menu = (
    <div role="menu" class="flex flex-col">
      <For
        each={
          [
            ["action", "Action"],
            ["condition", "Condition"],
            ["approval", "Approval"],
          ] as [StepType, string][]
        }
      >
        {([type, label]) => (
          <button
            type="button"
            role="menuitem"
            class="rounded px-2 py-1.5 text-left text-sm hover:bg-gray-100 dark:hover:bg-gray-700"
            onClick={() => addStep(type)}
          >
            {label}
          </button>
        )}
      </For>
    </div>
  );

  return (
    <VisualFrame
      title={draft.name || "New Workflow"}
      settingsOpen={settingsOpen()}
      onToggleSettings={() => setSettingsOpen(!settingsOpen())}
      settings={settings}
      error={error()}
      addLabel="+ Add Step"
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
          direction="TB"
          nodeGap={60}
          rankGap={80}
          selected={selectedId()}
          onSelect={(id) => {
            const i = id === null ? -1 : draft.steps.findIndex((s) => s.id === id);
            setSelected(i >= 0 ? i : null);
          }}
          ariaLabel="Workflow diagram"
        />
      }
      panel={
        selected() !== null ? (
          <StepPanel
            step={draft.steps[selected()!]}
            targets={ids().filter((id) => id !== selectedId())}
            onChange={(s) => setDraft("steps", selected()!, s)}
            onRename={(id) => setDraft("steps", (steps) => renameStep(steps, selected()!, id))}
            onDelete={() => {
              const i = selected()!;
              setSelected(null);
              setDraft("steps", (steps) => deleteStep(steps, i));
            }}
          />
        ) : undefined
      }
    />
  );
}

function StepPanel(props: {
  step: StepDraft;
  targets: string[];
  onChange: (s: StepDraft) => void;
  onRename: (id: string) => void;
  onDelete: () => void;
}) {
  return (
    <div class="space-y-3">
      <TextField label="Step ID" mono value={props.step.id} onInput={props.onRename} />
      <SelectField
        label="Type"
        value={props.step.type}
        options={STEP_TYPES}
        onChange={(v) => props.onChange({ ...props.step, type: v as StepType })}
      />
      <StepFields step={props.step} onChange={props.onChange} targets={props.targets} visual />
      <button type="button" class="btn btn-danger btn-sm w-full" onClick={props.onDelete}>
        Delete Step
      </button>
    </div>
  );
}
