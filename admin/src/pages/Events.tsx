// Events: the activity feed of spans and business events (spec 17 §5.22), with
// filters, pagination and a 5 s auto-refresh that stops when the page is left.
import { useNavigate } from "@solidjs/router";
import { createResource, createSignal, onCleanup, Show } from "solid-js";
import { DataTable, Pagination } from "../components/table";
import { toast } from "../components/toast";
import { Badge, FormField, formatTime, Loading, PageHeader, SelectField, TextField } from "../components/ui";
import { api, errorMessage, query } from "../lib/api";
import { EVENT_SOURCES, EventRow, ms, sourceColor, statusColor, toRfc3339 } from "../lib/events";
import { entities } from "../lib/schema";

interface Filters {
  source: string;
  entity: string;
  status: string;
  trace_id: string;
  user_id: string;
  from: string;
  to: string;
}

const EMPTY: Filters = { source: "", entity: "", status: "", trace_id: "", user_id: "", from: "", to: "" };

export default function Events() {
  const navigate = useNavigate();
  const [draft, setDraft] = createSignal<Filters>({ ...EMPTY });
  const [applied, setApplied] = createSignal<Filters>({ ...EMPTY });
  const [page, setPage] = createSignal(1);
  const [perPage, setPerPage] = createSignal(25);
  const [auto, setAuto] = createSignal(false);

  const [events, { refetch }] = createResource(
    () => ({ f: applied(), page: page(), perPage: perPage() }),
    async ({ f, page, perPage }) => {
      try {
        const q = query({
          page,
          per_page: perPage,
          source: f.source,
          entity: f.entity,
          status: f.status,
          trace_id: f.trace_id.trim(),
          user_id: f.user_id.trim(),
          from: toRfc3339(f.from),
          to: toRfc3339(f.to),
        });
        const res = await api.get<EventRow[]>(`/_events${q}`);
        return { rows: res.data ?? [], total: res.pagination?.total ?? res.data?.length ?? 0 };
      } catch (e) {
        toast.error(errorMessage(e, "Failed to load events"));
        return { rows: [], total: 0 };
      }
    },
  );

  let timer: ReturnType<typeof setInterval> | undefined;
  const setAutoRefresh = (on: boolean) => {
    setAuto(on);
    clearInterval(timer);
    if (on) timer = setInterval(() => !events.loading && refetch(), 5000);
  };
  onCleanup(() => clearInterval(timer));

  const set = (k: keyof Filters) => (v: string) => setDraft({ ...draft(), [k]: v });
  const apply = (e: Event) => {
    e.preventDefault();
    setPage(1);
    setApplied({ ...draft() });
  };

  return (
    <div>
      <PageHeader title="Events" subtitle="Activity feed with traces and spans">
        <label class="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={auto()} onChange={(e) => setAutoRefresh(e.currentTarget.checked)} />
          Auto-refresh
        </label>
        <button class="btn btn-secondary" disabled={events.loading} onClick={() => refetch()}>
          {events.loading ? "Loading..." : "Refresh"}
        </button>
      </PageHeader>

      <form class="card mb-4 grid grid-cols-1 gap-3 p-4 sm:grid-cols-2 lg:grid-cols-4" onSubmit={apply} aria-label="Event filters">
        <SelectField label="Source" value={draft().source} onChange={set("source")} options={[["", "All"], ...EVENT_SOURCES]} />
        <SelectField
          label="Entity"
          value={draft().entity}
          onChange={set("entity")}
          options={[["", "All"], ...entities().map((e) => e.name)]}
        />
        <SelectField label="Status" value={draft().status} onChange={set("status")} options={[["", "All"], "ok", "error"]} />
        <TextField label="Trace ID" mono value={draft().trace_id} onInput={set("trace_id")} />
        <TextField label="User ID" mono value={draft().user_id} onInput={set("user_id")} />
        <FormField label="From">
          {(id) => (
            <input id={id} type="datetime-local" class="input" value={draft().from} onInput={(e) => set("from")(e.currentTarget.value)} />
          )}
        </FormField>
        <FormField label="To">
          {(id) => (
            <input id={id} type="datetime-local" class="input" value={draft().to} onInput={(e) => set("to")(e.currentTarget.value)} />
          )}
        </FormField>
        <div class="flex items-end">
          <button type="submit" class="btn btn-primary">
            Filter
          </button>
        </div>
      </form>

      <Show when={events.latest} fallback={<Loading />}>
        {(data) => (
          <>
            <EventTable rows={data().rows} onOpen={(ev) => navigate(`/events/trace/${ev.trace_id}`)} />
            <Pagination
              page={page()}
              perPage={perPage()}
              total={data().total}
              onPage={setPage}
              onPerPage={(n) => {
                setPerPage(n);
                setPage(1);
              }}
            />
          </>
        )}
      </Show>
    </div>
  );
}

function EventTable(props: { rows: EventRow[]; onOpen: (ev: EventRow) => void }) {
  return (
    <DataTable
      testid="events-table"
      rows={props.rows}
      empty="No events found. Events appear here when the system processes requests."
      onRowClick={props.onOpen}
      columns={[
        { header: "Source", cell: (ev) => <Badge color={sourceColor(ev.source)}>{ev.source}</Badge> },
        { header: "Component", cell: (ev) => ev.component },
        {
          header: "Action",
          cell: (ev) => (
            // The row is clickable; the link makes it reachable from the keyboard too.
            <a class="link font-mono text-xs" href={`/admin/events/trace/${ev.trace_id}`} onClick={(e) => e.preventDefault()}>
              {ev.action}
            </a>
          ),
        },
        { header: "Entity", cell: (ev) => ev.entity || "-" },
        { header: "Status", cell: (ev) => <Badge color={statusColor(ev.status)}>{ev.status}</Badge> },
        { header: "Duration", cell: (ev) => ms(ev.duration_ms), class: "whitespace-nowrap text-right" },
        { header: "Created", cell: (ev) => formatTime(ev.created_at), class: "whitespace-nowrap" },
      ]}
    />
  );
}
