// Webhook Logs: delivery history, filters, manual retry and a detail drawer
// (spec 17 §5.20). The server answers the newest 200 logs without paging, so the
// pages are cut from that list here.
import { useSearchParams } from "@solidjs/router";
import { createMemo, createResource, createSignal, JSX, onCleanup, onMount, Show } from "solid-js";
import { Portal } from "solid-js/web";
import { DataTable, Pagination } from "../components/table";
import { toast } from "../components/toast";
import { Badge, BadgeColor, ErrorBanner, formatTime, Loading, PageHeader, SelectField, TextField } from "../components/ui";
import { api, errorMessage, query } from "../lib/api";

export interface WebhookLog {
  id: string;
  webhook_id: string;
  entity: string;
  hook: string;
  url: string;
  method: string;
  request_headers?: unknown;
  request_body?: unknown;
  response_status?: number | null;
  response_body?: string | null;
  status: "pending" | "delivered" | "retrying" | "failed";
  attempt: number;
  max_attempts: number;
  next_retry_at?: string | null;
  error?: string | null;
  idempotency_key?: string | null;
  created_at: string;
  updated_at?: string;
}

/** The server's cap on one listing (docs/webhooks.md: logs). */
const SERVER_LIMIT = 200;

const STATUS_COLOR: Record<string, BadgeColor> = { delivered: "green", retrying: "yellow", failed: "red", pending: "blue" };

const canRetry = (l: WebhookLog) => l.status === "failed" || l.status === "retrying";

function HttpBadge(props: { status: number | null | undefined }) {
  return (
    <Show when={props.status} fallback={<Badge color="gray">---</Badge>}>
      {(s) => <Badge color={s() >= 200 && s() < 300 ? "green" : "red"}>{s()}</Badge>}
    </Show>
  );
}

interface Filters {
  entity: string;
  status: string;
  webhook_id: string;
}

export default function WebhookLogs() {
  const [params, setParams] = useSearchParams<{ entity?: string; status?: string; webhook_id?: string }>();
  const applied = (): Filters => ({ entity: params.entity ?? "", status: params.status ?? "", webhook_id: params.webhook_id ?? "" });
  const [entity, setEntity] = createSignal(applied().entity);
  const [status, setStatus] = createSignal(applied().status);
  const [webhookId, setWebhookId] = createSignal(applied().webhook_id);
  const [logs, { refetch }] = createResource(
    applied,
    async (f) => (await api.get<WebhookLog[]>(`/_admin/webhook-logs${query({ ...f })}`)).data ?? [],
  );
  const [page, setPage] = createSignal(1);
  const [perPage, setPerPage] = createSignal(25);
  const [retrying, setRetrying] = createSignal<string | null>(null);
  const [open, setOpen] = createSignal<string | null>(null);
  const [retried, setRetried] = createSignal(0);

  const rows = () => logs.latest ?? [];
  const pageRows = createMemo(() => rows().slice((page() - 1) * perPage(), page() * perPage()));

  const filter = (e: Event) => {
    e.preventDefault();
    setPage(1);
    const next = { entity: entity().trim(), status: status(), webhook_id: webhookId().trim() };
    const same = JSON.stringify(next) === JSON.stringify(applied());
    setParams({ entity: next.entity || undefined, status: next.status || undefined, webhook_id: next.webhook_id || undefined });
    if (same) refetch();
  };

  const retry = async (l: WebhookLog) => {
    setRetrying(l.id);
    try {
      await api.post(`/_admin/webhook-logs/${encodeURIComponent(l.id)}/retry`, {});
      toast.success("Webhook log queued for retry");
      setRetried((n) => n + 1);
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to retry webhook"));
    } finally {
      setRetrying(null);
    }
  };

  const retryButton = (l: WebhookLog) => (
    <Show when={canRetry(l)}>
      <button class="btn btn-primary btn-sm" disabled={retrying() === l.id} onClick={() => retry(l)}>
        {retrying() === l.id ? "Retrying..." : "Retry"}
      </button>
    </Show>
  );

  return (
    <div>
      <PageHeader title="Webhook Logs" subtitle="View webhook delivery history and retry failed deliveries">
        <button class="btn btn-secondary" disabled={logs.loading} onClick={() => refetch()}>
          {logs.loading ? "Refreshing..." : "Refresh"}
        </button>
      </PageHeader>
      <form class="card mb-4 flex flex-wrap items-end gap-3 p-3" onSubmit={filter} aria-label="Filter webhook logs">
        <TextField class="min-w-[10rem] flex-1" label="Entity" placeholder="Filter by entity" value={entity()} onInput={setEntity} />
        <SelectField
          class="min-w-[8rem]"
          label="Status"
          value={status()}
          onChange={setStatus}
          options={[["", "All"], "delivered", "retrying", "failed", "pending"]}
        />
        <TextField class="min-w-[12rem] flex-[2]" label="Webhook ID" mono value={webhookId()} onInput={setWebhookId} />
        <button type="submit" class="btn btn-primary">
          Filter
        </button>
      </form>
      <Show when={!logs.error} fallback={<ErrorBanner message={errorMessage(logs.error, "Failed to load webhook logs")} />}>
        <Show when={logs.latest} fallback={<Loading />}>
          <DataTable
            testid="webhook-logs-table"
            rows={pageRows()}
            empty="No webhook logs found. Logs appear here when webhooks are triggered."
            onRowClick={(l) => setOpen(l.id)}
            columns={[
              { header: "Status", cell: (l) => <Badge color={STATUS_COLOR[l.status] ?? "gray"}>{l.status}</Badge> },
              { header: "Entity", cell: (l) => <span class="font-mono">{l.entity}</span> },
              { header: "Hook", cell: (l) => <span class="font-mono text-xs">{l.hook}</span> },
              { header: "Method", cell: (l) => <Badge color="blue">{l.method}</Badge> },
              {
                header: "URL",
                cell: (l) => (
                  <span class="block max-w-[16rem] truncate font-mono text-xs" title={l.url}>
                    {l.url}
                  </span>
                ),
              },
              { header: "HTTP", cell: (l) => <HttpBadge status={l.response_status} /> },
              { header: "Attempt", cell: (l) => `${l.attempt}/${l.max_attempts}` },
              {
                header: "Error",
                cell: (l) => (
                  <span class="block max-w-[12rem] truncate text-xs text-red-600 dark:text-red-400" title={l.error ?? ""}>
                    {l.error}
                  </span>
                ),
              },
              { header: "Created", cell: (l) => <span class="whitespace-nowrap">{formatTime(l.created_at)}</span> },
            ]}
            actions={(l) => (
              <>
                <button
                  class="btn btn-secondary btn-sm"
                  aria-label={`Details of the ${l.entity} delivery to ${l.url}`}
                  onClick={() => setOpen(l.id)}
                >
                  Details
                </button>
                {retryButton(l)}
              </>
            )}
          />
          <Show when={rows().length > 0}>
            <Pagination
              page={page()}
              perPage={perPage()}
              total={rows().length}
              onPage={setPage}
              onPerPage={(n) => {
                setPerPage(n);
                setPage(1);
              }}
            />
          </Show>
          <Show when={rows().length >= SERVER_LIMIT}>
            <p class="help">The server returns the newest {SERVER_LIMIT} logs; use the filters to find older ones.</p>
          </Show>
        </Show>
      </Show>
      <Show when={open()} keyed>
        {(id) => <LogDrawer id={id} version={retried()} onClose={() => setOpen(null)} retryButton={retryButton} />}
      </Show>
    </div>
  );
}

function pretty(v: unknown): string {
  if (v === null || v === undefined || v === "") return "";
  if (typeof v === "string") {
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      return v;
    }
  }
  return JSON.stringify(v, null, 2);
}

/** The recommended detail drawer: `GET /_admin/webhook-logs/{id}`. */
function LogDrawer(props: { id: string; version: number; onClose: () => void; retryButton: (l: WebhookLog) => JSX.Element }) {
  // `version` changes after a retry, so the drawer reloads the log with the list.
  const [log] = createResource(
    () => ({ id: props.id, version: props.version }),
    async ({ id }) => (await api.get<WebhookLog>(`/_admin/webhook-logs/${encodeURIComponent(id)}`)).data,
  );
  let panel!: HTMLDivElement;
  const onKey = (e: KeyboardEvent) => e.key === "Escape" && props.onClose();
  onMount(() => {
    document.addEventListener("keydown", onKey);
    panel.focus();
  });
  onCleanup(() => document.removeEventListener("keydown", onKey));
  return (
    <Portal>
      <div class="fixed inset-0 z-50 flex justify-end bg-black/30" onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}>
        <div
          ref={panel}
          role="dialog"
          aria-modal="true"
          aria-label="Webhook delivery"
          tabIndex={-1}
          class="flex h-full w-full max-w-xl flex-col border-l border-gray-200 bg-white shadow-xl dark:border-gray-700 dark:bg-gray-800"
        >
          <div class="flex items-center justify-between border-b border-gray-200 px-4 py-3 dark:border-gray-700">
            <h2 class="text-base font-semibold">Webhook delivery</h2>
            <button class="btn btn-ghost btn-sm" aria-label="Close" onClick={() => props.onClose()}>
              ✕
            </button>
          </div>
          <div class="flex-1 space-y-4 overflow-auto p-4 text-sm">
            <Show when={!log.error} fallback={<ErrorBanner message={errorMessage(log.error, "Failed to load webhook log")} />}>
              <Show when={log.latest} fallback={<Loading />}>
                {(l) => <LogDetail log={l()} retryButton={props.retryButton} />}
              </Show>
            </Show>
          </div>
        </div>
      </div>
    </Portal>
  );
}

function Detail(props: { label: string; children: JSX.Element }) {
  return (
    <div class="grid grid-cols-[8rem_minmax(0,1fr)] gap-2">
      <dt class="text-xs font-medium text-gray-500 dark:text-gray-400">{props.label}</dt>
      <dd class="min-w-0 break-all">{props.children}</dd>
    </div>
  );
}

function Block(props: { title: string; text: string }) {
  return (
    <section>
      <h3 class="section-title !mb-1">{props.title}</h3>
      <Show when={props.text} fallback={<p class="muted text-xs">(empty)</p>}>
        <pre class="code-block max-h-72 whitespace-pre-wrap break-all">{props.text}</pre>
      </Show>
    </section>
  );
}

function LogDetail(props: { log: WebhookLog; retryButton: (l: WebhookLog) => JSX.Element }) {
  const l = () => props.log;
  return (
    <>
      <div class="flex flex-wrap items-center gap-2">
        <Badge color={STATUS_COLOR[l().status] ?? "gray"}>{l().status}</Badge>
        <Badge color="blue">{l().method}</Badge>
        <HttpBadge status={l().response_status} />
        <span class="flex-1" />
        {props.retryButton(l())}
      </div>
      <dl class="space-y-1.5">
        <Detail label="URL">
          <span class="font-mono text-xs">{l().url}</span>
        </Detail>
        <Detail label="Entity / hook">
          <span class="font-mono text-xs">
            {l().entity} · {l().hook}
          </span>
        </Detail>
        <Detail label="Attempt">{`${l().attempt}/${l().max_attempts}`}</Detail>
        <Detail label="Next retry">{formatTime(l().next_retry_at)}</Detail>
        <Show when={l().error}>
          <Detail label="Error">
            <span class="text-red-600 dark:text-red-400">{l().error}</span>
          </Detail>
        </Show>
        <Detail label="Idempotency key">
          <span class="font-mono text-xs">{l().idempotency_key || "-"}</span>
        </Detail>
        <Detail label="Delivery id">
          <span class="font-mono text-xs">{l().id}</span>
        </Detail>
        <Detail label="Webhook id">
          <span class="font-mono text-xs">{l().webhook_id}</span>
        </Detail>
        <Detail label="Created">{formatTime(l().created_at)}</Detail>
        <Detail label="Updated">{formatTime(l().updated_at)}</Detail>
      </dl>
      <Block title="Request headers" text={pretty(l().request_headers)} />
      <Block title="Request body" text={pretty(l().request_body)} />
      <Block title="Response body" text={pretty(l().response_body)} />
    </>
  );
}
