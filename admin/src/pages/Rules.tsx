// Rules (spec 17 §5.9): validation and computed-field rules per entity, with the
// editor modal (rules/RuleEditor.tsx) and delete through the confirm dialog.
import { createResource, createSignal, Show } from "solid-js";
import { confirmDialog } from "../components/modal";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Badge, BadgeColor, Loading, PageHeader, YesNo } from "../components/ui";
import { api, errorMessage } from "../lib/api";
import { normalizeRule, Rule, summary } from "./rules/model";
import { RuleEditor } from "./rules/RuleEditor";

const TYPE_COLOR: Record<string, BadgeColor> = { field: "blue", expression: "purple", computed: "green" };

/** The list; a failure is an error toast and an empty table (§2.5). */
async function fetchRules(): Promise<Rule[]> {
  try {
    return ((await api.get<Rule[]>("/_admin/rules")).data ?? []).map(normalizeRule);
  } catch (e) {
    toast.error(errorMessage(e, "Failed to load rules"));
    return [];
  }
}

export default function Rules() {
  const [rules, { refetch }] = createResource(fetchRules);
  const [editing, setEditing] = createSignal<Rule | "new" | null>(null);
  const [deleting, setDeleting] = createSignal<string | null>(null);

  const remove = async (r: Rule) => {
    const ok = await confirmDialog({ title: "Delete Rule", message: "Are you sure you want to delete this rule?" });
    if (!ok) return;
    setDeleting(r.id);
    try {
      await api.del(`/_admin/rules/${encodeURIComponent(r.id)}`);
      toast.success("Rule deleted");
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to delete rule"));
    } finally {
      setDeleting(null);
    }
  };

  return (
    <div>
      <PageHeader title="Rules" subtitle="Manage validation rules and computed fields">
        <button class="btn btn-primary" onClick={() => setEditing("new")}>
          Create Rule
        </button>
      </PageHeader>
      <Show when={!rules.loading || rules.latest} fallback={<Loading />}>
        <DataTable
          testid="rules-table"
          rows={rules.latest ?? []}
          empty="No rules yet. Create one to add validation or computed fields."
          columns={[
            { header: "Entity", cell: (r) => <span class="font-mono">{r.entity}</span> },
            { header: "Type", cell: (r) => <Badge color={TYPE_COLOR[r.type] ?? "gray"}>{r.type}</Badge> },
            {
              header: "Hook",
              cell: (r) => <Badge color={r.hook === "before_write" ? "blue" : "gray"}>{r.hook.replace(/_/g, " ")}</Badge>,
            },
            { header: "Summary", cell: (r) => <code class="text-xs break-all">{summary(r)}</code> },
            { header: "Priority", cell: (r) => r.priority },
            { header: "Active", cell: (r) => <YesNo value={r.active} /> },
          ]}
          actions={(r) => (
            <>
              <button class="btn btn-secondary btn-sm" onClick={() => setEditing(r)}>
                Edit
              </button>
              <button class="btn btn-danger btn-sm" disabled={deleting() === r.id} onClick={() => remove(r)}>
                {deleting() === r.id ? "Deleting..." : "Delete"}
              </button>
            </>
          )}
        />
      </Show>
      <Show when={editing()} keyed>
        {(rule) => (
          <RuleEditor
            rule={rule}
            onClose={() => setEditing(null)}
            onSaved={() => {
              setEditing(null);
              refetch();
            }}
          />
        )}
      </Show>
    </div>
  );
}
