// Event Stats: aggregate latency and error metrics, overall and by source (spec 17 §5.24).
import { createResource, createSignal, JSX, Show } from "solid-js";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Badge, FormField, Loading, PageHeader, SelectField } from "../components/ui";
import { api, errorMessage, query } from "../lib/api";
import { EventStats as Stats, ms, sourceColor, toRfc3339 } from "../lib/events";
import { entities } from "../lib/schema";

interface Filters {
  entity: string;
  from: string;
  to: string;
}

/** The day after a `YYYY-MM-DD` date, so that "To" includes its whole day. */
function dayAfter(date: string): string {
  if (!date) return "";
  const d = new Date(`${date}T00:00`);
  d.setDate(d.getDate() + 1);
  return isNaN(d.getTime()) ? "" : d.toISOString();
}

export default function EventStats() {
  const [draft, setDraft] = createSignal<Filters>({ entity: "", from: "", to: "" });
  const [applied, setApplied] = createSignal<Filters>({ entity: "", from: "", to: "" });
  const [stats, { refetch }] = createResource(applied, async (f) => {
    try {
      const q = query({ entity: f.entity, from: toRfc3339(f.from), to: dayAfter(f.to) });
      return (await api.get<Stats>(`/_events/stats${q}`)).data;
    } catch (e) {
      toast.error(errorMessage(e, "Failed to load event stats"));
      return undefined;
    }
  });
  const set = (k: keyof Filters) => (v: string) => setDraft({ ...draft(), [k]: v });

  return (
    <div>
      <PageHeader title="Event Stats" subtitle="Aggregate performance metrics">
        <button class="btn btn-secondary" disabled={stats.loading} onClick={() => refetch()}>
          {stats.loading ? "Loading..." : "Refresh"}
        </button>
      </PageHeader>

      <form
        class="card mb-6 grid grid-cols-1 gap-3 p-4 sm:grid-cols-4"
        aria-label="Stats filters"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ ...draft() });
        }}
      >
        <SelectField
          label="Entity"
          value={draft().entity}
          onChange={set("entity")}
          options={[["", "All"], ...entities().map((e) => e.name)]}
        />
        <FormField label="From">
          {(id) => <input id={id} type="date" class="input" value={draft().from} onInput={(e) => set("from")(e.currentTarget.value)} />}
        </FormField>
        <FormField label="To">
          {(id) => <input id={id} type="date" class="input" value={draft().to} onInput={(e) => set("to")(e.currentTarget.value)} />}
        </FormField>
        <div class="flex items-end">
          <button type="submit" class="btn btn-primary">
            Apply
          </button>
        </div>
      </form>

      <Show when={!stats.loading || stats.latest} fallback={<Loading />}>
        <Show when={stats.latest}>{(s) => <StatsView stats={s()} />}</Show>
      </Show>
    </div>
  );
}

function StatsView(props: { stats: Stats }) {
  const rate = () => props.stats.error_rate * 100;
  return (
    <>
      <div class="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
        <StatCard label="Total Events">{props.stats.total_events.toLocaleString()}</StatCard>
        <StatCard label="Avg Latency">{ms(props.stats.avg_latency_ms, "N/A")}</StatCard>
        <StatCard label="P95 Latency">{ms(props.stats.p95_latency_ms, "N/A")}</StatCard>
        <StatCard label="Error Rate">
          <span class={rate() > 5 ? "text-red-600 dark:text-red-400" : "text-green-600 dark:text-green-400"}>{rate().toFixed(1)}%</span>
        </StatCard>
      </div>
      <h2 class="section-title">By Source</h2>
      <DataTable
        testid="stats-by-source"
        rows={props.stats.by_source}
        empty="No source breakdown data available."
        columns={[
          { header: "Source", cell: (r) => <Badge color={sourceColor(r.source)}>{r.source}</Badge> },
          { header: "Count", cell: (r) => r.count.toLocaleString(), class: "text-right" },
          { header: "Avg Duration", cell: (r) => ms(r.avg_duration_ms), class: "text-right" },
          { header: "P95 Duration", cell: (r) => ms(r.p95_duration_ms), class: "text-right" },
          {
            header: "Error Count",
            cell: (r) => <span class={r.error_count > 0 ? "font-medium text-red-600 dark:text-red-400" : ""}>{r.error_count}</span>,
            class: "text-right",
          },
        ]}
      />
    </>
  );
}

function StatCard(props: { label: string; children: JSX.Element }) {
  return (
    <div class="card p-4" role="group" aria-label={props.label}>
      <p class="text-xs font-medium tracking-wider text-gray-500 uppercase dark:text-gray-400">{props.label}</p>
      <p class="mt-2 text-2xl font-semibold">{props.children}</p>
    </div>
  );
}
