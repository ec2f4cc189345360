// ERD (spec 17 §5.8): every entity as a card on the shared graph canvas (§6.3),
// laid out left to right, relations as labelled arrows, and a detail panel for
// the clicked entity.
import { useNavigate } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, Show } from "solid-js";
import { GraphCanvas, GraphEdge, GraphNode } from "../components/GraphCanvas";
import { toast } from "../components/toast";
import { Badge, Loading, PageHeader } from "../components/ui";
import { errorMessage } from "../lib/api";
import { cardinality, Entity, fetchEntities, fetchRelations, Relation } from "../lib/schema";

const HEADER = 30;
const ROW = 22;
const PAD = 16;

/** The rows under the header: the primary key, then every other field. */
function fieldRows(e: Entity) {
  return e.fields.filter((f) => f.name !== e.primary_key?.field);
}

function nodeSize(e: Entity) {
  const rows = fieldRows(e);
  const longest = Math.max(
    e.name.length + 4,
    `${e.primary_key?.field ?? ""}  ${e.primary_key?.type ?? ""}`.length + 4,
    ...rows.map((f) => `${f.name} *  ${f.type}`.length),
  );
  return { width: Math.max(180, Math.ceil(longest * 7.5) + 32), height: HEADER + (rows.length + 1) * ROW + PAD };
}

function EntityCard(props: { entity: Entity; width: number; height: number; selected: boolean }) {
  const w = () => props.width;
  const rowY = (i: number) => HEADER + PAD / 2 + i * ROW + ROW / 2;
  return (
    <g font-size="12">
      <rect
        width={w()}
        height={props.height}
        rx="8"
        class={`fill-white dark:fill-gray-800 ${props.selected ? "stroke-indigo-500" : "stroke-indigo-200 dark:stroke-indigo-900"}`}
        filter="drop-shadow(0 1px 1px rgb(0 0 0 / 0.08))"
      />
      <path
        d={`M0,${HEADER} V8 A8,8 0 0 1 8,0 H${w() - 8} A8,8 0 0 1 ${w()},8 V${HEADER} Z`}
        class="fill-indigo-600 dark:fill-indigo-500"
      />
      <text x="12" y={HEADER / 2} dominant-baseline="central" font-size="13" font-weight="600" class="fill-white">
        {props.entity.name}
      </text>
      <g transform={`translate(0,${rowY(0)})`}>
        <circle cx="15" cy="0" r="3.5" fill="none" stroke-width="1.6" class="stroke-amber-500" />
        <path d="M18.5,0 H25 M23,0 V3" fill="none" stroke-width="1.6" class="stroke-amber-500" />
        <text x="32" dominant-baseline="central" font-weight="600" class="fill-gray-800 dark:fill-gray-100">
          {props.entity.primary_key?.field}
        </text>
        <text x={w() - 12} text-anchor="end" dominant-baseline="central" class="fill-gray-400 font-mono">
          {props.entity.primary_key?.type}
        </text>
      </g>
      <For each={fieldRows(props.entity)}>
        {(f, i) => (
          <g transform={`translate(0,${rowY(i() + 1)})`}>
            <text x="12" dominant-baseline="central" class="fill-gray-700 dark:fill-gray-200">
              {f.name}
              {f.required ? " *" : ""}
            </text>
            <text x={w() - 12} text-anchor="end" dominant-baseline="central" class="fill-gray-400 font-mono">
              {f.type}
            </text>
          </g>
        )}
      </For>
    </g>
  );
}

function DetailPanel(props: { entity: Entity; relations: Relation[]; onClose: () => void }) {
  const navigate = useNavigate();
  const touching = () => props.relations.filter((r) => r.source === props.entity.name || r.target === props.entity.name);
  return (
    <aside aria-label="Entity details" class="card flex w-full shrink-0 flex-col overflow-auto p-4 lg:w-80">
      <div class="mb-4 flex items-center justify-between gap-2">
        <h2 class="text-lg font-semibold break-all">{props.entity.name}</h2>
        <button class="btn btn-ghost btn-sm" aria-label="Close details" onClick={() => props.onClose()}>
          ×
        </button>
      </div>
      <h3 class="section-title !mb-1">Primary Key</h3>
      <p class="mb-4 text-sm">
        <span class="font-mono">{props.entity.primary_key?.field}</span>{" "}
        <span class="muted font-mono">{props.entity.primary_key?.type}</span>
        <Show when={props.entity.primary_key?.generated}>
          <span class="ml-2">
            <Badge color="blue">auto-generated</Badge>
          </span>
        </Show>
      </p>
      <h3 class="section-title !mb-1">Fields ({props.entity.fields.length})</h3>
      <ul class="mb-4 space-y-1 text-sm">
        <For each={props.entity.fields}>
          {(f) => (
            <li class="flex items-center gap-1.5">
              <span class="font-mono break-all">
                {f.name}
                <Show when={f.required}>
                  <span class="text-red-500" title="required">
                    {" *"}
                  </span>
                </Show>
              </span>
              <Show when={f.unique}>
                <Badge color="purple">unique</Badge>
              </Show>
              <Show when={f.enum?.length}>
                <Badge color="yellow" title={f.enum!.join(", ")}>
                  enum
                </Badge>
              </Show>
              <span class="muted ml-auto font-mono text-xs">{f.type}</span>
            </li>
          )}
        </For>
      </ul>
      <Show when={props.entity.soft_delete}>
        <p class="mb-4 text-sm text-gray-600 dark:text-gray-300">Soft delete enabled</p>
      </Show>
      <h3 class="section-title !mb-1">Relations ({touching().length})</h3>
      <ul class="mb-4 space-y-2 text-sm">
        <For each={touching()}>
          {(r) => (
            <li>
              <span class="font-medium">{r.name}</span> <Badge color="blue">{cardinality(r.type)}</Badge>
              <div class="muted font-mono text-xs break-all">
                {r.source} → {r.target} via {r.source_key || "id"}
              </div>
            </li>
          )}
        </For>
      </ul>
      <button class="btn btn-primary mt-auto w-full" onClick={() => navigate(`/entities/${encodeURIComponent(props.entity.name)}`)}>
        Edit Entity
      </button>
    </aside>
  );
}

export default function Erd() {
  const [data] = createResource(async () => {
    try {
      const [entities, relations] = await Promise.all([fetchEntities(), fetchRelations()]);
      return { entities, relations };
    } catch (e) {
      toast.error(errorMessage(e, "Failed to load schema"));
      return { entities: [], relations: [] };
    }
  });
  const [selected, setSelected] = createSignal<string | null>(null);

  const nodes = createMemo<GraphNode[]>(() =>
    (data()?.entities ?? []).map((e) => {
      const size = nodeSize(e);
      return { id: e.name, ...size, render: (sel: boolean) => <EntityCard entity={e} {...size} selected={sel} /> };
    }),
  );
  const edges = createMemo<GraphEdge[]>(() =>
    (data()?.relations ?? []).map((r) => ({ from: r.source, to: r.target, label: `${r.name} (${cardinality(r.type)})` })),
  );
  const selectedEntity = () => data()?.entities.find((e) => e.name === selected());

  return (
    <div>
      <PageHeader title="Entity Relationship Diagram" subtitle="Visual overview of entities and their relationships" />
      <Show when={!data.loading} fallback={<Loading />}>
        <Show
          when={nodes().length > 0}
          fallback={
            <div class="rounded-lg border-2 border-dashed border-gray-300 p-12 text-center text-sm text-gray-500 dark:border-gray-600">
              No entities defined yet. Create entities to see the ERD.
            </div>
          }
        >
          <div class="flex flex-col gap-4 lg:h-[calc(100vh-180px)] lg:min-h-[420px] lg:flex-row">
            <div class="h-[60vh] min-h-[320px] min-w-0 lg:h-auto lg:flex-1">
              <GraphCanvas
                nodes={nodes()}
                edges={edges()}
                direction="LR"
                nodeGap={80}
                rankGap={120}
                multigraph
                selected={selected()}
                onSelect={setSelected}
                ariaLabel="Entity relationship diagram"
              />
            </div>
            <Show when={selectedEntity()}>
              {(e) => <DetailPanel entity={e()} relations={data()!.relations} onClose={() => setSelected(null)} />}
            </Show>
          </div>
        </Show>
      </Show>
    </div>
  );
}
