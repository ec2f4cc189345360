// Users: the app's user accounts and their roles (spec 17 §5.16).
import { createResource, createSignal, Show } from "solid-js";
import { confirmDialog, Modal } from "../components/modal";
import { RoleBadges } from "../components/RoleBadges";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { ErrorBanner, Loading, PageHeader, splitList, TextField, YesNo } from "../components/ui";
import { api, errorMessage } from "../lib/api";

interface User {
  id: string;
  email: string;
  roles: string[];
  active: boolean;
  created_at?: string;
  updated_at?: string;
}

async function fetchUsers(): Promise<User[]> {
  return (await api.get<User[]>("/_admin/users")).data ?? [];
}

export default function Users() {
  const [users, { refetch }] = createResource(fetchUsers);
  const [editing, setEditing] = createSignal<User | "new" | null>(null);
  const [deleting, setDeleting] = createSignal<string | null>(null);

  const remove = async (u: User) => {
    const ok = await confirmDialog({
      title: "Delete User",
      message: "Are you sure you want to delete this user? This action cannot be undone.",
    });
    if (!ok) return;
    setDeleting(u.id);
    try {
      await api.del(`/_admin/users/${encodeURIComponent(u.id)}`);
      toast.success("User deleted");
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to delete user"));
    } finally {
      setDeleting(null);
    }
  };

  return (
    <div>
      <PageHeader title="Users" subtitle="Manage user accounts and roles">
        <button class="btn btn-primary" onClick={() => setEditing("new")}>
          Create User
        </button>
      </PageHeader>
      <Show when={!users.error} fallback={<ErrorBanner message={errorMessage(users.error, "Failed to load users")} />}>
        <Show when={users.latest} fallback={<Loading />}>
          <DataTable
            testid="users-table"
            rows={users.latest ?? []}
            empty="No users yet."
            columns={[
              { header: "Email", cell: (u) => <span class="font-medium whitespace-nowrap">{u.email}</span> },
              { header: "Roles", cell: (u) => <RoleBadges roles={u.roles} /> },
              { header: "Active", cell: (u) => <YesNo value={u.active} /> },
            ]}
            actions={(u) => (
              <>
                <button class="btn btn-secondary btn-sm" aria-label={`Edit ${u.email}`} onClick={() => setEditing(u)}>
                  Edit
                </button>
                <button
                  class="btn btn-danger btn-sm"
                  aria-label={`Delete ${u.email}`}
                  disabled={deleting() === u.id}
                  onClick={() => remove(u)}
                >
                  {deleting() === u.id ? "Deleting..." : "Delete"}
                </button>
              </>
            )}
          />
        </Show>
      </Show>
      <Show when={editing()} keyed>
        {(target) => (
          <UserEditor
            user={target === "new" ? null : target}
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

function UserEditor(props: { user: User | null; onClose: () => void; onSaved: () => void }) {
  const isNew = !props.user;
  const [email, setEmail] = createSignal(props.user?.email ?? "");
  const [password, setPassword] = createSignal("");
  const [roles, setRoles] = createSignal((props.user?.roles ?? []).join(", "));
  const [active, setActive] = createSignal(props.user?.active ?? true);
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!email().trim()) return setError("Email is required");
    if (isNew && !password()) return setError("Password is required for new users");
    const body: Record<string, unknown> = { email: email().trim(), roles: splitList(roles()), active: active() };
    if (password()) body.password = password();
    setSaving(true);
    try {
      if (isNew) {
        await api.post("/_admin/users", body);
        toast.success("User created");
      } else {
        await api.put(`/_admin/users/${encodeURIComponent(props.user!.id)}`, body);
        toast.success("User updated");
      }
      props.onSaved();
    } catch (err) {
      setError(errorMessage(err, "Failed to save user"));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal open title={isNew ? "Create User" : "Edit User"} onClose={props.onClose}>
      <form noValidate onSubmit={save} class="space-y-4" aria-label={isNew ? "Create User" : "Edit User"}>
        <ErrorBanner message={error()} />
        <TextField label="Email" type="email" placeholder="user@example.com" autocomplete="off" value={email()} onInput={setEmail} />
        <TextField
          label={isNew ? "Password" : "Password (leave blank to keep current)"}
          type="password"
          placeholder={isNew ? "Password" : "Unchanged"}
          autocomplete="new-password"
          value={password()}
          onInput={setPassword}
        />
        <TextField label="Roles (comma-separated)" placeholder="admin, editor, viewer" value={roles()} onInput={setRoles} />
        <label class="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={active()} onChange={(e) => setActive(e.currentTarget.checked)} />
          Active
        </label>
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
