// The shared graph canvas (spec 17 §6.3) of the ERD, the state-machine and the
// workflow editors: dagre lays the nodes out (margins 40), edges are smoothed
// curves through the route points with an arrowhead and a label pill at their
// midpoint; wheel zoom about the cursor, drag to pan, Fit / + / − toolbar, a
// refit whenever the layout changes, click to select, background click to clear.
// Only lazily loaded pages import this file, which keeps dagre out of the first load.
import dagre from "@dagrejs/dagre";
import { createEffect, createMemo, createSignal, createUniqueId, For, JSX, on, onCleanup, onMount, Show } from "solid-js";

export interface GraphNode {
  id: string;
  width: number;
  height: number;
  /** SVG content drawn in a <g> translated to the node's top-left, size width×height. */
  render: (selected: boolean) => JSX.Element;
  shape?: "rect" | "diamond" | "circle";
}

export interface GraphEdge {
  from: string;
  to: string;
  label?: string;
}

interface Point {
  x: number;
  y: number;
}

interface PlacedNode {
  node: GraphNode;
  x: number; // centre
  y: number;
}

interface PlacedEdge {
  key: string;
  label?: string;
  path: string;
  mid: Point;
}

interface Layout {
  nodes: PlacedNode[];
  edges: PlacedEdge[];
  width: number;
  height: number;
}

const MARGIN = 40;
const FIT_MARGIN = 60;
const LABEL_FONT = 11;
const labelWidth = (s: string) => Math.ceil(s.length * 6.2) + 14;
const LABEL_HEIGHT = 18;

/** Where the ray from the node's centre towards `toward` leaves the node's shape. */
function boundary(p: PlacedNode, toward: Point): Point {
  const dx = toward.x - p.x;
  const dy = toward.y - p.y;
  if (dx === 0 && dy === 0) return { x: p.x, y: p.y };
  const rx = p.node.width / 2;
  const ry = p.node.height / 2;
  let t: number;
  switch (p.node.shape ?? "rect") {
    case "circle":
      t = 1 / Math.sqrt((dx / rx) ** 2 + (dy / ry) ** 2);
      break;
    case "diamond":
      t = 1 / (Math.abs(dx) / rx + Math.abs(dy) / ry);
      break;
    default:
      t = Math.min(dx === 0 ? Infinity : rx / Math.abs(dx), dy === 0 ? Infinity : ry / Math.abs(dy));
  }
  return { x: p.x + dx * t, y: p.y + dy * t };
}

/** A Catmull-Rom curve through every point, as cubic Bézier segments. */
function smoothPath(pts: Point[]): string {
  if (pts.length === 0) return "";
  let d = `M${pts[0].x},${pts[0].y}`;
  for (let i = 0; i < pts.length - 1; i++) {
    const p0 = pts[i - 1] ?? pts[i];
    const p1 = pts[i];
    const p2 = pts[i + 1];
    const p3 = pts[i + 2] ?? p2;
    const c1 = { x: p1.x + (p2.x - p0.x) / 6, y: p1.y + (p2.y - p0.y) / 6 };
    const c2 = { x: p2.x - (p3.x - p1.x) / 6, y: p2.y - (p3.y - p1.y) / 6 };
    d += ` C${c1.x},${c1.y} ${c2.x},${c2.y} ${p2.x},${p2.y}`;
  }
  return d;
}

/** The point halfway along the polyline through `pts`. */
function midpoint(pts: Point[]): Point {
  const seg = pts.slice(1).map((p, i) => Math.hypot(p.x - pts[i].x, p.y - pts[i].y));
  let rest = seg.reduce((a, b) => a + b, 0) / 2;
  for (let i = 0; i < seg.length; i++) {
    if (rest <= seg[i] && seg[i] > 0) {
      const t = rest / seg[i];
      return { x: pts[i].x + (pts[i + 1].x - pts[i].x) * t, y: pts[i].y + (pts[i + 1].y - pts[i].y) * t };
    }
    rest -= seg[i];
  }
  return pts[pts.length - 1] ?? { x: 0, y: 0 };
}

function computeLayout(
  nodes: GraphNode[],
  edges: GraphEdge[],
  direction: "LR" | "TB",
  nodeGap: number,
  rankGap: number,
  multigraph: boolean,
): Layout {
  const g = new dagre.graphlib.Graph({ multigraph });
  g.setGraph({ rankdir: direction, nodesep: nodeGap, ranksep: rankGap, marginx: MARGIN, marginy: MARGIN });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  const known = new Set(nodes.map((n) => n.id));
  const kept = edges.map((e, i) => ({ e, name: String(i) })).filter(({ e }) => known.has(e.from) && known.has(e.to));
  for (const { e, name } of kept) {
    const label = e.label ? { width: labelWidth(e.label), height: LABEL_HEIGHT, labelpos: "c" } : {};
    if (multigraph) g.setEdge(e.from, e.to, label, name);
    else g.setEdge(e.from, e.to, label);
  }
  dagre.layout(g);
  const placed = new Map<string, PlacedNode>();
  for (const n of nodes) {
    const p = g.node(n.id);
    placed.set(n.id, { node: n, x: p.x, y: p.y });
  }
  const seen = new Set<string>();
  const out: PlacedEdge[] = [];
  for (const { e, name } of kept) {
    const key = multigraph ? `${e.from}\u0000${e.to}\u0000${name}` : `${e.from}\u0000${e.to}`;
    if (seen.has(key)) continue; // a simple graph keeps one edge per pair
    seen.add(key);
    const info = multigraph ? g.edge(e.from, e.to, name) : g.edge(e.from, e.to);
    const raw: Point[] = (info?.points ?? []).map((p: Point) => ({ x: p.x, y: p.y }));
    const src = placed.get(e.from)!;
    const dst = placed.get(e.to)!;
    if (raw.length >= 2) {
      raw[0] = boundary(src, raw[1]);
      raw[raw.length - 1] = boundary(dst, raw[raw.length - 2]);
    }
    out.push({ key, label: e.label, path: smoothPath(raw), mid: midpoint(raw) });
  }
  const size = g.graph();
  return { nodes: [...placed.values()], edges: out, width: size.width ?? 0, height: size.height ?? 0 };
}

/** A signature of what the layout depends on: the canvas refits only when it changes. */
function layoutKey(nodes: GraphNode[], edges: GraphEdge[], direction: string, nodeGap: number, rankGap: number) {
  return JSON.stringify([
    direction,
    nodeGap,
    rankGap,
    nodes.map((n) => [n.id, n.width, n.height, n.shape ?? "rect"]),
    edges.map((e) => [e.from, e.to, e.label ?? ""]),
  ]);
}

/** The selection (or focus) outline drawn around a node, in its own shape. */
function Outline(props: { node: GraphNode; class: string }) {
  const w = () => props.node.width;
  const h = () => props.node.height;
  return (
    <Show
      when={props.node.shape === "diamond"}
      fallback={
        <Show
          when={props.node.shape === "circle"}
          fallback={<rect x={-2} y={-2} width={w() + 4} height={h() + 4} rx={10} class={props.class} />}
        >
          <ellipse cx={w() / 2} cy={h() / 2} rx={w() / 2 + 2} ry={h() / 2 + 2} class={props.class} />
        </Show>
      }
    >
      <polygon points={`${w() / 2},-3 ${w() + 3},${h() / 2} ${w() / 2},${h() + 3} -3,${h() / 2}`} class={props.class} />
    </Show>
  );
}

export function GraphCanvas(props: {
  nodes: GraphNode[];
  edges: GraphEdge[];
  direction: "LR" | "TB";
  nodeGap: number;
  rankGap: number;
  selected?: string | null;
  onSelect?: (id: string | null) => void;
  multigraph?: boolean;
  ariaLabel: string;
  class?: string;
}): JSX.Element {
  const uid = createUniqueId().replace(/[^a-zA-Z0-9_-]/g, "");
  const arrowId = `graph-arrow-${uid}`;
  const paperId = `graph-paper-${uid}`;
  let box!: HTMLDivElement;
  let svg!: SVGSVGElement;

  const layout = createMemo(() =>
    computeLayout(props.nodes, props.edges, props.direction, props.nodeGap, props.rankGap, !!props.multigraph),
  );
  const key = createMemo(() => layoutKey(props.nodes, props.edges, props.direction, props.nodeGap, props.rankGap));

  // The view: the graph point at the canvas centre and graph units per screen pixel.
  const [size, setSize] = createSignal({ w: 0, h: 0 });
  const [view, setView] = createSignal({ cx: 0, cy: 0, scale: 1 });
  const viewBox = () => {
    const { w, h } = size();
    const { cx, cy, scale } = view();
    return `${cx - (w * scale) / 2} ${cy - (h * scale) / 2} ${w * scale} ${h * scale}`;
  };

  const clampScale = (s: number) => Math.min(20, Math.max(0.05, s));
  const fit = () => {
    const { w, h } = size();
    if (!w || !h) return;
    const l = layout();
    const gw = l.width + 2 * FIT_MARGIN;
    const gh = l.height + 2 * FIT_MARGIN;
    // Never magnify past 1:1: a small graph sits at its natural size, centred.
    setView({ cx: l.width / 2, cy: l.height / 2, scale: clampScale(Math.max(gw / w, gh / h, 1)) });
  };
  const zoomBy = (factor: number, about?: Point) => {
    setView((v) => {
      const scale = clampScale(v.scale * factor);
      const f = scale / v.scale;
      const p = about ?? { x: v.cx, y: v.cy };
      return { cx: p.x + (v.cx - p.x) * f, cy: p.y + (v.cy - p.y) * f, scale };
    });
  };
  /** A client (screen) point in graph units. */
  const toGraph = (clientX: number, clientY: number): Point => {
    const r = svg.getBoundingClientRect();
    const { cx, cy, scale } = view();
    return { x: cx + (clientX - r.left - r.width / 2) * scale, y: cy + (clientY - r.top - r.height / 2) * scale };
  };

  // Refit when the layout changes and once the canvas first has a size; a later
  // resize keeps the centre and the zoom.
  const hasSize = createMemo(() => size().w > 0 && size().h > 0);
  createEffect(on([key, hasSize], () => fit()));

  // Drag to pan; a press that moved more than a few pixels is not a click.
  let panned = false;
  const onPointerDown = (e: PointerEvent) => {
    if (e.button !== 0) return;
    panned = false;
    const start = { x: e.clientX, y: e.clientY };
    const origin = view();
    const move = (m: PointerEvent) => {
      const dx = m.clientX - start.x;
      const dy = m.clientY - start.y;
      if (!panned && Math.hypot(dx, dy) < 4) return;
      panned = true;
      setView({ ...origin, cx: origin.cx - dx * origin.scale, cy: origin.cy - dy * origin.scale });
    };
    const up = () => {
      window.removeEventListener("pointermove", move);
      window.removeEventListener("pointerup", up);
    };
    window.addEventListener("pointermove", move);
    window.addEventListener("pointerup", up);
  };

  onMount(() => {
    const ro = new ResizeObserver(([entry]) => {
      const { width, height } = entry.contentRect;
      setSize({ w: width, h: height });
    });
    ro.observe(box);
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      zoomBy(e.deltaY > 0 ? 1.1 : 0.9, toGraph(e.clientX, e.clientY));
    };
    svg.addEventListener("wheel", wheel, { passive: false });
    onCleanup(() => {
      ro.disconnect();
      svg.removeEventListener("wheel", wheel);
    });
  });

  const select = (id: string | null) => props.onSelect?.(id);

  return (
    <div
      ref={box}
      role="group"
      aria-label={props.ariaLabel}
      class={`relative h-full w-full overflow-hidden rounded-lg border border-stone-200 bg-[#faf8f3] dark:border-gray-700 dark:bg-[#1c1b18] ${props.class ?? ""}`}
    >
      <svg
        ref={svg}
        class="absolute inset-0 h-full w-full cursor-grab touch-none select-none active:cursor-grabbing"
        viewBox={viewBox()}
        aria-label={props.ariaLabel}
        onPointerDown={onPointerDown}
        onClick={() => {
          if (!panned) select(null);
        }}
      >
        <defs>
          <marker
            id={arrowId}
            viewBox="0 0 10 10"
            refX="9"
            refY="5"
            markerWidth="10"
            markerHeight="10"
            markerUnits="userSpaceOnUse"
            orient="auto-start-reverse"
          >
            <path d="M0,0 L10,5 L0,10 z" class="fill-slate-500 dark:fill-slate-400" />
          </marker>
          <pattern id={paperId} width="24" height="24" patternUnits="userSpaceOnUse">
            <circle cx="1" cy="1" r="1" class="fill-stone-300/70 dark:fill-gray-700/70" />
          </pattern>
        </defs>
        <rect x="-100000" y="-100000" width="200000" height="200000" fill={`url(#${paperId})`} />
        <g>
          <For each={layout().edges}>
            {(edge) => (
              <g data-graph-edge={edge.key}>
                <path
                  d={edge.path}
                  fill="none"
                  stroke-width="1.5"
                  class="stroke-slate-500 dark:stroke-slate-400"
                  marker-end={`url(#${arrowId})`}
                />
                <Show when={edge.label}>
                  {(label) => (
                    <g transform={`translate(${edge.mid.x},${edge.mid.y})`}>
                      <rect
                        x={-labelWidth(label()) / 2}
                        y={-LABEL_HEIGHT / 2}
                        width={labelWidth(label())}
                        height={LABEL_HEIGHT}
                        rx={9}
                        class="fill-white stroke-stone-200 dark:fill-gray-800 dark:stroke-gray-600"
                      />
                      <text
                        text-anchor="middle"
                        dominant-baseline="central"
                        font-size={String(LABEL_FONT)}
                        class="fill-gray-500 dark:fill-gray-300"
                      >
                        {label()}
                      </text>
                    </g>
                  )}
                </Show>
              </g>
            )}
          </For>
        </g>
        <g>
          <For each={layout().nodes}>
            {(p) => {
              const selected = () => props.selected === p.node.id;
              return (
                <g
                  data-graph-node={p.node.id}
                  transform={`translate(${p.x - p.node.width / 2},${p.y - p.node.height / 2})`}
                  role="button"
                  tabIndex={0}
                  aria-label={p.node.id}
                  aria-pressed={selected()}
                  class="group cursor-pointer outline-none"
                  onClick={(e) => {
                    e.stopPropagation(); // not a background click
                    if (!panned) select(p.node.id);
                  }}
                  onKeyDown={(e) => {
                    if (e.key === "Enter" || e.key === " ") {
                      e.preventDefault();
                      select(p.node.id);
                    }
                  }}
                >
                  {p.node.render(selected())}
                  <Outline
                    node={p.node}
                    class={`pointer-events-none fill-none ${
                      selected()
                        ? "stroke-blue-600 [stroke-width:3] dark:stroke-blue-400"
                        : "stroke-transparent [stroke-width:2] group-focus-visible:stroke-blue-400"
                    }`}
                  />
                </g>
              );
            }}
          </For>
        </g>
      </svg>
      <div class="absolute top-2 right-2 flex gap-1 rounded-md border border-stone-200 bg-white/90 p-1 shadow-sm dark:border-gray-600 dark:bg-gray-800/90">
        <button type="button" class="btn btn-ghost btn-sm" aria-label="Fit graph to view" title="Fit" onClick={fit}>
          Fit
        </button>
        <button type="button" class="btn btn-ghost btn-sm w-7" aria-label="Zoom in" title="Zoom in" onClick={() => zoomBy(0.8)}>
          +
        </button>
        <button type="button" class="btn btn-ghost btn-sm w-7" aria-label="Zoom out" title="Zoom out" onClick={() => zoomBy(1.25)}>
          −
        </button>
      </div>
    </div>
  );
}
