// Trace waterfall (spec 17 §5.23): the span tree of one trace, depth-first, each bar
// offset by its start relative to the root span and sized by its duration (fixes §10.9).
import { useNavigate, useParams } from "@solidjs/router";
import { createResource, createSignal, For, Show } from "solid-js";
import { Badge, ErrorBanner, Loading, PageHeader } from "../components/ui";
import { api, errorMessage } from "../lib/api";
import { ms, sourceColor, SpanNode, startMicros, statusColor, Trace as TraceData } from "../lib/events";

/** Where a span's bar sits on the root's time line, in percent. */
interface Placement {
  left: number;
  width: number;
}

function placement(span: SpanNode, rootStart: number, total: number): Placement {
  if (!(total > 0)) return { left: 0, width: 100 };
  const left = Math.min(100, Math.max(0, (startMicros(span.created_at) - rootStart) / 1000 / total) * 100);
  const width = Math.min(100 - left, Math.max(0, ((span.duration_ms ?? 0) / total) * 100));
  return { left, width };
}

/** The tree flattened depth-first, each span with its depth. */
function flatten(node: SpanNode, depth = 0): { span: SpanNode; depth: number }[] {
  return [{ span: node, depth }, ...(node.children ?? []).flatMap((c) => flatten(c, depth + 1))];
}

export default function Trace() {
  const params = useParams<{ traceId: string }>();
  const navigate = useNavigate();
  const [trace] = createResource(
    () => params.traceId,
    async (id) => (await api.get<TraceData>(`/_events/trace/${encodeURIComponent(id)}`)).data,
  );
  const back = () => navigate("/events");
  const failure = () =>
    trace.error
      ? errorMessage(trace.error, "Failed to load trace. It may not exist.")
      : trace() && !trace()!.root_span
        ? "Trace has no spans."
        : null;

  return (
    <div>
      <div class="mb-2">
        <button class="btn btn-ghost btn-sm" onClick={back}>
          ← Back
        </button>
      </div>
      <PageHeader
        title={`Trace: ${params.traceId.slice(0, 8)}`}
        subtitle={trace.state === "ready" && trace()?.root_span ? `Total duration: ${ms(trace()!.total_duration_ms, "0.00ms")}` : undefined}
      />
      <Show when={!trace.loading} fallback={<Loading text="Loading trace..." />}>
        <Show when={!failure()} fallback={<TraceError message={failure()!} onBack={back} />}>
          <Waterfall data={trace()!} />
        </Show>
      </Show>
    </div>
  );
}

function TraceError(props: { message: string; onBack: () => void }) {
  return (
    <div class="card p-4">
      <ErrorBanner message={props.message} />
      <button class="btn btn-secondary" onClick={props.onBack}>
        Back to Events
      </button>
    </div>
  );
}

function Waterfall(props: { data: TraceData }) {
  const root = () => props.data.root_span!;
  const rootStart = () => startMicros(root().created_at);
  const total = () => props.data.total_duration_ms || root().duration_ms || 0;
  return (
    <div class="card overflow-hidden" data-testid="waterfall">
      <div class="flex items-center gap-3 border-b border-gray-200 px-4 py-2 text-xs text-gray-500 dark:border-gray-700 dark:text-gray-400">
        <div class="flex flex-1 justify-between gap-2">
          <span>0ms</span>
          <span class="truncate font-mono">{props.data.trace_id}</span>
          <span>{ms(total(), "0.00ms")}</span>
        </div>
        <span class="w-20 shrink-0" />
      </div>
      <ul class="divide-y divide-gray-100 dark:divide-gray-700">
        <For each={flatten(root())}>
          {(row) => <SpanRow span={row.span} depth={row.depth} place={placement(row.span, rootStart(), total())} />}
        </For>
      </ul>
    </div>
  );
}

function SpanRow(props: { span: SpanNode; depth: number; place: Placement }) {
  const [open, setOpen] = createSignal(false);
  const s = () => props.span;
  return (
    <li data-testid="span">
      <button
        class="block w-full px-4 py-2 text-left hover:bg-gray-50 dark:hover:bg-gray-700/40"
        aria-expanded={open()}
        onClick={() => setOpen(!open())}
      >
        <div class="flex flex-wrap items-center gap-2 text-sm" style={{ "padding-left": `${props.depth * 24}px` }}>
          <Badge color={sourceColor(s().source)}>{s().source}</Badge>
          <span class="font-mono text-xs break-all">
            {s().component} / {s().action}
          </span>
          <Show when={s().entity}>
            <span class="muted text-xs">{s().entity}</span>
          </Show>
          <Badge color={statusColor(s().status)}>{s().status}</Badge>
        </div>
        <div class="mt-1 flex items-center gap-3">
          <div class="relative h-2 flex-1 rounded bg-gray-100 dark:bg-gray-700" aria-hidden="true">
            <div
              data-testid="span-bar"
              class={`absolute inset-y-0 rounded ${s().status === "error" ? "bg-red-500" : "bg-blue-600 dark:bg-blue-500"}`}
              style={{ left: `${props.place.left}%`, width: `max(2px, ${props.place.width}%)` }}
            />
          </div>
          <span class="w-20 shrink-0 text-right font-mono text-xs text-gray-600 dark:text-gray-300">{ms(s().duration_ms, "0.00ms")}</span>
        </div>
      </button>
      <Show when={open()}>
        <div class="px-4 pb-3" style={{ "padding-left": `${16 + props.depth * 24}px` }}>
          <p class="section-title mb-1">Metadata</p>
          <pre class="code-block max-h-[300px]">{JSON.stringify(s().metadata ?? {}, null, 2)}</pre>
        </div>
      </Show>
    </li>
  );
}
