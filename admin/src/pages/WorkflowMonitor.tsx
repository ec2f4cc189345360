// Workflow Monitor (spec 17 §5.12): the running instances (GET /_workflows/pending),
// an instance's detail with its context and history, approve / reject / delete
// through the confirm dialog. Our server lists running instances only, so there is
// no status filter (§5.12's nice-to-have needs a listing of finished instances).
import { createResource, createSignal, For, Show } from "solid-js";
import { confirmDialog, Modal } from "../components/modal";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Badge, BadgeColor, formatTime, Loading, PageHeader } from "../components/ui";
import { api, asObject, errorMessage } from "../lib/api";

interface HistoryEntry {
  step: string;
  status: string;
  by?: string;
  at?: string;
}

interface Instance {
  id: string;
  workflow_id: string;
  workflow_name: string;
  status: string;
  current_step: string;
  current_step_deadline?: string;
  context: unknown;
  history: HistoryEntry[];
  created_at?: string;
  updated_at?: string;
}

type Decision = "approve" | "reject" | "delete";

const STATUS_COLOR: Record<string, BadgeColor> = { running: "blue", completed: "green", failed: "red" };
const HISTORY_COLOR: Record<string, BadgeColor> = { completed: "green", approved: "green", rejected: "red", timed_out: "red" };
const DONE: Record<Decision, string> = {
  approve: "Workflow approved",
  reject: "Workflow rejected",
  delete: "Workflow instance deleted",
};
const TITLE: Record<Decision, string> = { approve: "Approve Workflow", reject: "Reject Workflow", delete: "Delete Workflow" };
const LABEL: Record<Decision, string> = { approve: "Approve", reject: "Reject", delete: "Delete" };

function normalize(i: Instance): Instance {
  return { ...i, context: asObject(i.context), history: asObject<HistoryEntry[]>(i.history) ?? [] };
}

async function fetchPending(): Promise<Instance[]> {
  try {
    return ((await api.get<Instance[]>("/_workflows/pending")).data ?? []).map(normalize);
  } catch (e) {
    toast.error(errorMessage(e, "Failed to load workflow instances"));
    return [];
  }
}

const StatusBadge = (props: { status: string }) => <Badge color={STATUS_COLOR[props.status] ?? "gray"}>{props.status}</Badge>;

export default function WorkflowMonitor() {
  const [instances, { refetch }] = createResource(fetchPending);
  const [detail, setDetail] = createSignal<Instance | null>(null);
  const [busy, setBusy] = createSignal<string | null>(null);

  const view = async (id: string) => {
    setBusy(`view:${id}`);
    try {
      setDetail(normalize((await api.get<Instance>(`/_workflows/${encodeURIComponent(id)}`)).data));
    } catch (e) {
      toast.error(errorMessage(e, "Failed to load instance"));
    } finally {
      setBusy(null);
    }
  };

  const decide = async (id: string, action: Decision) => {
    const ok = await confirmDialog({
      title: TITLE[action],
      message: `Are you sure you want to ${action} this workflow instance?`,
      confirmLabel: LABEL[action],
      primary: action === "approve",
    });
    if (!ok) return;
    setBusy(`${action}:${id}`);
    try {
      const path = `/_workflows/${encodeURIComponent(id)}`;
      if (action === "delete") await api.del(path);
      else await api.post(`${path}/${action}`, {});
      toast.success(DONE[action]);
      setDetail(null);
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, `Failed to ${action} workflow`));
    } finally {
      setBusy(null);
    }
  };

  const actionButton = (i: Instance, action: Decision, style: string, pending: string) => (
    <button class={`btn btn-sm ${style}`} disabled={busy() !== null} onClick={() => decide(i.id, action)}>
      {busy() === `${action}:${i.id}` ? pending : LABEL[action]}
    </button>
  );

  return (
    <div>
      <PageHeader title="Workflow Monitor" subtitle="View and manage running workflow instances">
        <button class="btn btn-secondary" disabled={instances.loading} onClick={() => refetch()}>
          {instances.loading ? "Refreshing..." : "Refresh"}
        </button>
      </PageHeader>
      <Show when={!instances.loading || instances.latest} fallback={<Loading />}>
        <DataTable
          testid="instances-table"
          rows={instances.latest ?? []}
          empty="No pending workflow instances."
          columns={[
            { header: "Workflow", cell: (i) => <span class="font-mono">{i.workflow_name}</span> },
            { header: "Status", cell: (i) => <StatusBadge status={i.status} /> },
            { header: "Current Step", cell: (i) => <span class="font-mono">{i.current_step || "-"}</span> },
            { header: "Deadline", cell: (i) => formatTime(i.current_step_deadline) },
            { header: "Created", cell: (i) => formatTime(i.created_at) },
          ]}
          actions={(i) => (
            <>
              <button class="btn btn-secondary btn-sm" disabled={busy() !== null} onClick={() => view(i.id)}>
                {busy() === `view:${i.id}` ? "Loading..." : "View"}
              </button>
              {actionButton(i, "approve", "btn-primary", "Approving...")}
              {actionButton(i, "reject", "btn-secondary", "Rejecting...")}
              {actionButton(i, "delete", "btn-danger", "Deleting...")}
            </>
          )}
        />
      </Show>
      <Show when={detail()}>
        {(d) => (
          <Modal
            open
            size="wide"
            title={`Instance: ${d().id.slice(0, 8)}...`}
            onClose={() => setDetail(null)}
            footer={
              <>
                <Show when={d().status === "running" && d().current_step}>
                  {actionButton(d(), "approve", "btn-primary", "Approving...")}
                  {actionButton(d(), "reject", "btn-secondary", "Rejecting...")}
                </Show>
                {actionButton(d(), "delete", "btn-danger", "Deleting...")}
              </>
            }
          >
            <InstanceDetail instance={d()} />
          </Modal>
        )}
      </Show>
    </div>
  );
}

function InstanceDetail(props: { instance: Instance }) {
  const row = "grid grid-cols-[8rem_1fr] gap-2 text-sm";
  return (
    <div class="space-y-4">
      <dl class="space-y-2">
        <div class={row}>
          <dt class="text-gray-500 dark:text-gray-400">Workflow</dt>
          <dd class="font-mono">{props.instance.workflow_name}</dd>
        </div>
        <div class={row}>
          <dt class="text-gray-500 dark:text-gray-400">Status</dt>
          <dd>
            <StatusBadge status={props.instance.status} />
          </dd>
        </div>
        <div class={row}>
          <dt class="text-gray-500 dark:text-gray-400">Current Step</dt>
          <dd class="font-mono">{props.instance.current_step || "-"}</dd>
        </div>
        <Show when={props.instance.current_step_deadline}>
          <div class={row}>
            <dt class="text-gray-500 dark:text-gray-400">Deadline</dt>
            <dd>{formatTime(props.instance.current_step_deadline)}</dd>
          </div>
        </Show>
      </dl>
      <div>
        <h3 class="section-title !mb-1">Context</h3>
        <pre class="code-block max-h-[150px]" data-testid="instance-context">
          {JSON.stringify(props.instance.context, null, 2)}
        </pre>
      </div>
      <div>
        <h3 class="section-title !mb-1">History</h3>
        <Show when={props.instance.history.length} fallback={<p class="text-sm text-gray-500 dark:text-gray-400">No history yet</p>}>
          <ul class="divide-y divide-gray-100 text-sm dark:divide-gray-700" data-testid="instance-history">
            <For each={props.instance.history}>
              {(h) => (
                <li class="flex flex-wrap items-center gap-2 py-1.5">
                  <Badge color={HISTORY_COLOR[h.status] ?? "gray"}>{h.status}</Badge>
                  <span class="font-mono">{h.step}</span>
                  <Show when={h.by}>
                    <span class="text-gray-500 dark:text-gray-400">by {h.by}</span>
                  </Show>
                  <span class="ml-auto text-xs text-gray-500 dark:text-gray-400">{formatTime(h.at)}</span>
                </li>
              )}
            </For>
          </ul>
        </Show>
      </div>
    </div>
  );
}
