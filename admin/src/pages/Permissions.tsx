// Permissions: role-based access policies with row-level conditions, as a table or
// as an entity × action matrix, with the whitelist reminder (spec 17 §5.18, §6.2).
import { createMemo, createResource, createSignal, For, Match, Show, Switch } from "solid-js";
import { ConditionBuilder, ConditionRow, fromRows, toRows } from "../components/ConditionBuilder";
import { confirmDialog, Modal } from "../components/modal";
import { RoleBadges } from "../components/RoleBadges";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Badge, ErrorBanner, Loading, PageHeader, SelectField, splitList, TextField } from "../components/ui";
import { api, asObject, errorMessage } from "../lib/api";
import { entities, entityByName } from "../lib/schema";

const ACTIONS = ["read", "create", "update", "delete"] as const;
type Action = (typeof ACTIONS)[number];
const ACTION_COLOR = { read: "green", create: "blue", update: "purple", delete: "red" } as const;

interface Permission {
  id: string;
  entity: string;
  action: Action;
  roles: string[];
  conditions: unknown;
}

/** What the editor opens with: a stored permission, or a new one (maybe preset from the matrix). */
type Target = { permission: Permission } | { entity: string; action: Action };

const conditionCount = (p: Permission) => {
  const list = asObject<unknown>(p.conditions);
  return Array.isArray(list) ? list.length : 0;
};

const conditionsLabel = (n: number) => (n === 0 ? "None" : `${n} condition${n === 1 ? "" : "s"}`);

async function fetchPermissions(): Promise<Permission[]> {
  return (await api.get<Permission[]>("/_admin/permissions")).data ?? [];
}

export default function Permissions() {
  const [perms, { refetch }] = createResource(fetchPermissions);
  const [view, setView] = createSignal<"table" | "matrix">("table");
  const [editing, setEditing] = createSignal<Target | null>(null);
  const [deleting, setDeleting] = createSignal<string | null>(null);

  const remove = async (p: Permission) => {
    const ok = await confirmDialog({ title: "Delete Permission", message: "Are you sure you want to delete this permission?" });
    if (!ok) return;
    setDeleting(p.id);
    try {
      await api.del(`/_admin/permissions/${encodeURIComponent(p.id)}`);
      toast.success("Permission deleted");
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to delete permission"));
    } finally {
      setDeleting(null);
    }
  };

  return (
    <div>
      <PageHeader title="Permissions" subtitle="Manage role-based access policies">
        <ViewSwitch view={view()} onChange={setView} />
        <button class="btn btn-primary" onClick={() => setEditing({ entity: "", action: "read" })}>
          Create Permission
        </button>
      </PageHeader>
      <WhitelistNote />
      <Show when={!perms.error} fallback={<ErrorBanner message={errorMessage(perms.error, "Failed to load permissions")} />}>
        <Show when={perms.latest} fallback={<Loading />}>
          <Switch>
            <Match when={view() === "table"}>
              <DataTable
                testid="permissions-table"
                rows={perms.latest ?? []}
                empty="No permissions yet. Create one to define access policies."
                columns={[
                  { header: "Entity", cell: (p) => <span class="font-mono">{p.entity}</span> },
                  { header: "Action", cell: (p) => <Badge color={ACTION_COLOR[p.action] ?? "gray"}>{p.action}</Badge> },
                  { header: "Roles", cell: (p) => <RoleBadges roles={p.roles} color="blue" /> },
                  { header: "Conditions", cell: (p) => conditionsLabel(conditionCount(p)) },
                ]}
                actions={(p) => (
                  <>
                    <button
                      class="btn btn-secondary btn-sm"
                      aria-label={`Edit ${p.action} on ${p.entity}`}
                      onClick={() => setEditing({ permission: p })}
                    >
                      Edit
                    </button>
                    <button
                      class="btn btn-danger btn-sm"
                      aria-label={`Delete ${p.action} on ${p.entity}`}
                      disabled={deleting() === p.id}
                      onClick={() => remove(p)}
                    >
                      {deleting() === p.id ? "Deleting..." : "Delete"}
                    </button>
                  </>
                )}
              />
            </Match>
            <Match when={view() === "matrix"}>
              <PermissionMatrix permissions={perms.latest ?? []} onEdit={setEditing} />
            </Match>
          </Switch>
        </Show>
      </Show>
      <Show when={editing()} keyed>
        {(target) => (
          <PermissionEditor
            target={target}
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

function ViewSwitch(props: { view: "table" | "matrix"; onChange: (v: "table" | "matrix") => void }) {
  const item = (v: "table" | "matrix", label: string) => (
    <button
      type="button"
      aria-pressed={props.view === v}
      class={`px-3 py-1.5 text-sm font-medium ${
        props.view === v
          ? "bg-blue-600 text-white"
          : "bg-white text-gray-700 hover:bg-gray-50 dark:bg-gray-800 dark:text-gray-200 dark:hover:bg-gray-700"
      }`}
      onClick={() => props.onChange(v)}
    >
      {label}
    </button>
  );
  return (
    <div role="group" aria-label="View" class="inline-flex overflow-hidden rounded-md border border-gray-300 dark:border-gray-600">
      {item("table", "Table")}
      {item("matrix", "Matrix")}
    </div>
  );
}

function WhitelistNote() {
  return (
    <div class="mb-4 rounded-md border border-blue-200 bg-blue-50 px-3 py-2 text-sm text-blue-900 dark:border-blue-800 dark:bg-blue-500/10 dark:text-blue-200">
      Access is a whitelist: an entity and action without a permission is denied to every role. Users with the role <code>admin</code> (and
      platform operators) bypass all checks and conditions. Read conditions of every matching permission are combined (AND) into the query;
      update and delete conditions are checked on the stored record; create ignores conditions.
    </div>
  );
}

/** Entities as rows, the four actions as columns, each cell listing the roles (§5.18 nice-to-have). */
function PermissionMatrix(props: { permissions: Permission[]; onEdit: (t: Target) => void }) {
  const names = createMemo(() => [...new Set([...entities().map((e) => e.name), ...props.permissions.map((p) => p.entity)])].sort());
  const cell = (entity: string, action: Action) => props.permissions.filter((p) => p.entity === entity && p.action === action);
  return (
    <div class="card overflow-x-auto">
      <table class="w-full text-left text-sm" data-testid="permissions-matrix">
        <thead class="border-b border-gray-200 bg-gray-50 text-xs tracking-wider text-gray-500 uppercase dark:border-gray-700 dark:bg-gray-800/60 dark:text-gray-400">
          <tr>
            <th class="px-4 py-2 font-medium">Entity</th>
            <For each={ACTIONS}>{(a) => <th class="px-4 py-2 font-medium">{a}</th>}</For>
          </tr>
        </thead>
        <tbody class="divide-y divide-gray-100 dark:divide-gray-700">
          <Show
            when={names().length}
            fallback={
              <tr>
                <td colSpan={5} class="px-4 py-8 text-center text-gray-500">
                  No permissions yet. Create one to define access policies.
                </td>
              </tr>
            }
          >
            <For each={names()}>
              {(entity) => (
                <tr>
                  <th scope="row" class="px-4 py-3 align-top font-mono font-normal">
                    {entity}
                  </th>
                  <For each={ACTIONS}>
                    {(action) => (
                      <td class="px-4 py-3 align-top">
                        <MatrixCell entity={entity} action={action} permissions={cell(entity, action)} onEdit={props.onEdit} />
                      </td>
                    )}
                  </For>
                </tr>
              )}
            </For>
          </Show>
        </tbody>
      </table>
    </div>
  );
}

function MatrixCell(props: { entity: string; action: Action; permissions: Permission[]; onEdit: (t: Target) => void }) {
  return (
    <div class="flex flex-col items-start gap-1">
      <For
        each={props.permissions}
        fallback={
          <span class="muted text-xs" title="Denied to everyone but admins">
            denied
          </span>
        }
      >
        {(p) => (
          <button
            type="button"
            class="flex flex-wrap items-center gap-1 rounded p-0.5 text-left hover:bg-gray-100 dark:hover:bg-gray-700"
            aria-label={`Edit ${p.action} on ${p.entity} for ${p.roles.join(", ") || "no roles"}`}
            onClick={() => props.onEdit({ permission: p })}
          >
            <RoleBadges roles={p.roles} color="blue" none="no roles" />
            <Show when={conditionCount(p)}>
              <Badge color="yellow">{conditionsLabel(conditionCount(p))}</Badge>
            </Show>
          </button>
        )}
      </For>
      <button
        type="button"
        class="btn btn-ghost btn-sm !px-1 !py-0 text-xs"
        aria-label={`Add ${props.action} permission on ${props.entity}`}
        onClick={() => props.onEdit({ entity: props.entity, action: props.action })}
      >
        + Add
      </button>
    </div>
  );
}

function PermissionEditor(props: { target: Target; onClose: () => void; onSaved: () => void }) {
  const stored = "permission" in props.target ? props.target.permission : null;
  const preset = "permission" in props.target ? null : props.target;
  const [entity, setEntity] = createSignal(stored?.entity ?? preset?.entity ?? "");
  const [action, setAction] = createSignal<string>(stored?.action ?? preset?.action ?? "read");
  const [roles, setRoles] = createSignal((stored?.roles ?? []).join(", "));
  const [rows, setRows] = createSignal<ConditionRow[]>(toRows(stored?.conditions));
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);

  const entityOptions = () => {
    const names = entities().map((e) => e.name);
    return entity() && !names.includes(entity()) ? [entity(), ...names] : names;
  };
  const fields = () => entityByName(entity())?.fields.map((f) => f.name) ?? [];

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!entity()) return setError("Entity is required");
    if (!action()) return setError("Action is required");
    const body = { entity: entity(), action: action(), roles: splitList(roles()), conditions: fromRows(rows()) };
    setSaving(true);
    try {
      if (stored) {
        await api.put(`/_admin/permissions/${encodeURIComponent(stored.id)}`, body);
        toast.success("Permission updated");
      } else {
        await api.post("/_admin/permissions", body);
        toast.success("Permission created");
      }
      props.onSaved();
    } catch (err) {
      setError(errorMessage(err, "Failed to save permission"));
    } finally {
      setSaving(false);
    }
  };

  const title = stored ? "Edit Permission" : "Create Permission";
  return (
    <Modal open size="wide" title={title} onClose={props.onClose}>
      <form noValidate onSubmit={save} class="space-y-4" aria-label={title}>
        <ErrorBanner message={error()} />
        <div class="form-row">
          <SelectField label="Entity" placeholder="Select entity..." value={entity()} onChange={setEntity} options={entityOptions()} />
          <SelectField label="Action" value={action()} onChange={setAction} options={[...ACTIONS]} />
        </div>
        <TextField label="Roles (comma-separated)" placeholder="viewer, editor, manager" value={roles()} onInput={setRoles} />
        <ConditionBuilder label="Row-Level Conditions" rows={rows()} onChange={setRows} fields={fields()} />
        <div class="flex justify-end gap-2 border-t border-gray-200 pt-4 dark:border-gray-700">
          <button type="button" class="btn btn-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" class="btn btn-primary" disabled={saving()}>
            {saving() ? "Saving..." : "Save"}
          </button>
        </div>
      </form>
    </Modal>
  );
}
