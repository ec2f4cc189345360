// Workflows (spec 17 §5.11): the list, the form editor modal and the visual editor
// overlay, which has its own URL (/workflows/:id/visual, `new` for a blank workflow).
import { useNavigate, useParams } from "@solidjs/router";
import { createEffect, createResource, createSignal, Show } from "solid-js";
import { confirmDialog } from "../components/modal";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Loading, PageHeader, YesNo } from "../components/ui";
import { api, errorMessage } from "../lib/api";
import { normalizeWorkflow, Workflow } from "./workflows/model";
import { WorkflowForm } from "./workflows/WorkflowForm";
import { WorkflowVisual } from "./workflows/WorkflowVisual";

async function fetchWorkflows(): Promise<Workflow[]> {
  try {
    return ((await api.get<Workflow[]>("/_admin/workflows")).data ?? []).map(normalizeWorkflow);
  } catch (e) {
    toast.error(errorMessage(e, "Failed to load workflows"));
    return [];
  }
}

export default function Workflows() {
  const params = useParams<{ id?: string }>();
  const navigate = useNavigate();
  const [workflows, { refetch }] = createResource(fetchWorkflows);
  const [editing, setEditing] = createSignal<Workflow | "new" | null>(null);
  const [deleting, setDeleting] = createSignal<string | null>(null);

  /** The workflow the URL opens in the visual editor, once the list has loaded. */
  const visual = (): Workflow | "new" | null => {
    if (!params.id) return null;
    if (params.id === "new") return "new";
    return workflows.latest?.find((w) => w.id === params.id) ?? null;
  };
  createEffect(() => {
    if (params.id && params.id !== "new" && workflows.state === "ready" && !visual()) {
      toast.error(`Workflow not found: ${params.id}`);
      navigate("/workflows", { replace: true });
    }
  });
  const openVisual = (id: string) => navigate(`/workflows/${encodeURIComponent(id)}/visual`);
  const closeVisual = () => navigate("/workflows");

  const remove = async (w: Workflow) => {
    const ok = await confirmDialog({
      title: "Delete Workflow",
      // Our server deletes a workflow's instances with it (docs/logic.md), so they are not orphaned.
      message: "Are you sure you want to delete this workflow? Its instances will be deleted too.",
    });
    if (!ok) return;
    setDeleting(w.id);
    try {
      await api.del(`/_admin/workflows/${encodeURIComponent(w.id)}`);
      toast.success("Workflow deleted");
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to delete workflow"));
    } finally {
      setDeleting(null);
    }
  };

  return (
    <div>
      <PageHeader title="Workflows" subtitle="Manage multi-step workflow definitions">
        <button class="btn btn-secondary" onClick={() => setEditing("new")}>
          Form Editor
        </button>
        <button class="btn btn-primary" onClick={() => openVisual("new")}>
          Create Visual
        </button>
      </PageHeader>
      <Show when={!workflows.loading || workflows.latest} fallback={<Loading />}>
        <DataTable
          testid="workflows-table"
          rows={workflows.latest ?? []}
          empty="No workflows yet. Create one to define multi-step processes."
          columns={[
            { header: "Name", cell: (w) => <span class="font-mono">{w.name}</span> },
            { header: "Trigger Entity", cell: (w) => <span class="font-mono">{w.trigger.entity}</span> },
            { header: "Field", cell: (w) => <span class="font-mono">{w.trigger.field}</span> },
            { header: "To State", cell: (w) => <span class="font-mono">{w.trigger.to}</span> },
            { header: "Steps", cell: (w) => w.steps.length },
            { header: "Active", cell: (w) => <YesNo value={w.active} /> },
          ]}
          actions={(w) => (
            <>
              <button class="btn btn-secondary btn-sm" onClick={() => openVisual(w.id)}>
                Visual
              </button>
              <button class="btn btn-secondary btn-sm" onClick={() => setEditing(w)}>
                Edit
              </button>
              <button class="btn btn-danger btn-sm" disabled={deleting() === w.id} onClick={() => remove(w)}>
                {deleting() === w.id ? "Deleting..." : "Delete"}
              </button>
            </>
          )}
        />
      </Show>
      <Show when={editing()} keyed>
        {(w) => (
          <WorkflowForm
            workflow={w}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              refetch();
            }}
          />
        )}
      </Show>
      <Show when={visual()} keyed>
        {(w) => (
          <WorkflowVisual
            workflow={w}
            onClose={closeVisual}
            onSaved={() => {
              closeVisual();
              refetch();
            }}
          />
        )}
      </Show>
    </div>
  );
}
