// State machines (spec 17 §5.10): the list, the form editor modal and the visual
// editor overlay, which has its own URL (/state-machines/:id/visual, `new` for a
// blank machine) so that it survives a reload.
import { useNavigate, useParams } from "@solidjs/router";
import { createEffect, createResource, createSignal, Show } from "solid-js";
import { confirmDialog } from "../components/modal";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Loading, PageHeader, YesNo } from "../components/ui";
import { api, errorMessage } from "../lib/api";
import { MachineForm } from "./statemachines/MachineForm";
import { MachineVisual } from "./statemachines/MachineVisual";
import { normalizeMachine, StateMachine, transitionSummary } from "./statemachines/model";

async function fetchMachines(): Promise<StateMachine[]> {
  try {
    return ((await api.get<StateMachine[]>("/_admin/state-machines")).data ?? []).map(normalizeMachine);
  } catch (e) {
    toast.error(errorMessage(e, "Failed to load state machines"));
    return [];
  }
}

export default function StateMachines() {
  const params = useParams<{ id?: string }>();
  const navigate = useNavigate();
  const [machines, { refetch }] = createResource(fetchMachines);
  const [editing, setEditing] = createSignal<StateMachine | "new" | null>(null);
  const [deleting, setDeleting] = createSignal<string | null>(null);

  /** The machine the URL opens in the visual editor, once the list has loaded. */
  const visual = (): StateMachine | "new" | null => {
    if (!params.id) return null;
    if (params.id === "new") return "new";
    return machines.latest?.find((m) => m.id === params.id) ?? null;
  };
  createEffect(() => {
    if (params.id && params.id !== "new" && machines.state === "ready" && !visual()) {
      toast.error(`State machine not found: ${params.id}`);
      navigate("/state-machines", { replace: true });
    }
  });
  const openVisual = (id: string) => navigate(`/state-machines/${encodeURIComponent(id)}/visual`);
  const closeVisual = () => navigate("/state-machines");

  const remove = async (m: StateMachine) => {
    const ok = await confirmDialog({ title: "Delete State Machine", message: "Are you sure you want to delete this state machine?" });
    if (!ok) return;
    setDeleting(m.id);
    try {
      await api.del(`/_admin/state-machines/${encodeURIComponent(m.id)}`);
      toast.success("State machine deleted");
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to delete state machine"));
    } finally {
      setDeleting(null);
    }
  };

  return (
    <div>
      <PageHeader title="State Machines" subtitle="Manage state transitions, guards, and actions">
        <button class="btn btn-secondary" onClick={() => setEditing("new")}>
          Form Editor
        </button>
        <button class="btn btn-primary" onClick={() => openVisual("new")}>
          Create Visual
        </button>
      </PageHeader>
      <Show when={!machines.loading || machines.latest} fallback={<Loading />}>
        <DataTable
          testid="state-machines-table"
          rows={machines.latest ?? []}
          empty="No state machines yet. Create one to define state transitions."
          columns={[
            { header: "Entity", cell: (m) => <span class="font-mono">{m.entity}</span> },
            { header: "Field", cell: (m) => <span class="font-mono">{m.field}</span> },
            { header: "Initial State", cell: (m) => <span class="font-mono">{m.definition.initial || "-"}</span> },
            { header: "Transitions", cell: (m) => <code class="text-xs break-all">{transitionSummary(m)}</code> },
            { header: "Active", cell: (m) => <YesNo value={m.active} /> },
          ]}
          actions={(m) => (
            <>
              <button class="btn btn-secondary btn-sm" onClick={() => openVisual(m.id)}>
                Visual
              </button>
              <button class="btn btn-secondary btn-sm" onClick={() => setEditing(m)}>
                Edit
              </button>
              <button class="btn btn-danger btn-sm" disabled={deleting() === m.id} onClick={() => remove(m)}>
                {deleting() === m.id ? "Deleting..." : "Delete"}
              </button>
            </>
          )}
        />
      </Show>
      <Show when={editing()} keyed>
        {(m) => (
          <MachineForm
            machine={m}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              refetch();
            }}
          />
        )}
      </Show>
      <Show when={visual()} keyed>
        {(m) => (
          <MachineVisual
            machine={m}
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
