// Events, traces and stats as the server answers them (spec 17 §5.22–§5.24,
// docs/observability.md): the row type, source colours, and duration formatting.
import type { BadgeColor } from "../components/ui";

/** A span or business event: one row of the app's `_events` table. */
export interface EventRow {
  id: string;
  trace_id: string;
  span_id: string;
  parent_span_id: string | null;
  event_type: string;
  source: string;
  component: string;
  action: string;
  entity: string | null;
  record_id: string | null;
  user_id: string | null;
  duration_ms: number | null;
  status: string;
  metadata: Record<string, unknown> | null;
  created_at: string;
}

export interface SpanNode extends EventRow {
  children: SpanNode[];
}

/** `GET /_events/trace/{id}`. */
export interface Trace {
  trace_id: string;
  root_span: SpanNode | null;
  spans: EventRow[];
  total_duration_ms: number;
}

export interface SourceStats {
  source: string;
  count: number;
  avg_duration_ms: number | null;
  p95_duration_ms: number | null;
  error_count: number;
}

/** `GET /_events/stats`. */
export interface EventStats {
  total_events: number;
  avg_latency_ms: number | null;
  p95_latency_ms: number | null;
  error_rate: number;
  by_source: SourceStats[];
}

/** The sources our server records (docs/observability.md): the spec's list less `storage`/`db`, plus `business`. */
export const EVENT_SOURCES = ["http", "engine", "auth", "webhook", "workflow", "business"];

const SOURCE_COLOR: Record<string, BadgeColor> = {
  http: "blue",
  engine: "green",
  auth: "purple",
  webhook: "yellow",
  workflow: "blue",
  business: "purple",
};

export const sourceColor = (source: string): BadgeColor => SOURCE_COLOR[source] ?? "gray";
export const statusColor = (status: string): BadgeColor => (status === "error" ? "red" : status === "ok" ? "green" : "gray");

/** `{x.xx}ms`, or "-" when unknown (§5.22), or `fallback`. */
export function ms(v: number | null | undefined, fallback = "-"): string {
  return typeof v === "number" && Number.isFinite(v) ? `${v.toFixed(2)}ms` : fallback;
}

/**
 * A span's start in microseconds since the epoch. `created_at` carries microseconds
 * (`…T16:42:35.014801Z`), which `Date` would round to milliseconds.
 */
export function startMicros(created_at: string): number {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$/.exec(created_at);
  if (!m) return Date.parse(created_at) * 1000;
  const whole = Date.parse(`${m[1]}${m[3] ?? "Z"}`);
  const fraction = Number(((m[2] ?? "") + "000000").slice(0, 6));
  return whole * 1000 + fraction;
}

/** A local `datetime-local` or `date` value as the RFC 3339 time the server needs (`400` otherwise). */
export function toRfc3339(local: string): string {
  if (!local) return "";
  const d = new Date(local.length === 10 ? `${local}T00:00` : local);
  return isNaN(d.getTime()) ? "" : d.toISOString();
}
