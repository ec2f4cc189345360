// Apps: list, create, delete, open (spec 17 §5.2).
import { useNavigate } from "@solidjs/router";
import { createSignal, Show } from "solid-js";
import { confirmDialog } from "../components/modal";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Badge, ErrorBanner, formatDate, Loading, PageHeader, SelectField, TextField } from "../components/ui";
import { errorMessage, platform } from "../lib/api";
import { AppRow, apps, appsError, appsLoading, reloadApps } from "../lib/apps";
import { selectApp, selectedApp } from "../lib/session";

const SLUG = /^[a-z][a-z0-9_-]*$/;

export default function Apps() {
  const navigate = useNavigate();
  const [showForm, setShowForm] = createSignal(false);
  const [name, setName] = createSignal("");
  const [display, setDisplay] = createSignal("");
  const [driver, setDriver] = createSignal("sqlite");
  const [error, setError] = createSignal<string | null>(null);
  const [creating, setCreating] = createSignal(false);
  const [deleting, setDeleting] = createSignal<string | null>(null);

  const open = (a: AppRow) => {
    selectApp(a.name);
    navigate("/entities");
  };

  const create = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!SLUG.test(name())) {
      setError("App name must start with a lowercase letter and contain only lowercase letters, digits, - and _");
      return;
    }
    if (!display().trim()) {
      setError("Display name is required");
      return;
    }
    setCreating(true);
    try {
      await platform.post("/apps", { name: name(), display_name: display(), db_driver: driver() });
      toast.success(`App "${name()}" created`);
      setName("");
      setDisplay("");
      setShowForm(false);
      reloadApps();
    } catch (err) {
      setError(errorMessage(err, "Failed to create app"));
    } finally {
      setCreating(false);
    }
  };

  const remove = async (a: AppRow) => {
    const ok = await confirmDialog({
      title: "Delete App",
      message: `Delete app "${a.name}"? This will drop the database and cannot be undone.`,
    });
    if (!ok) return;
    setDeleting(a.name);
    try {
      await platform.del(`/apps/${encodeURIComponent(a.name)}`);
      toast.success(`App "${a.name}" deleted`);
      if (selectedApp() === a.name) selectApp(null);
      reloadApps();
    } catch (err) {
      toast.error(errorMessage(err, "Failed to delete app"));
    } finally {
      setDeleting(null);
    }
  };

  return (
    <div>
      <PageHeader title="Apps" subtitle="Each app has its own database, users and schema">
        <button class="btn btn-secondary" onClick={() => navigate("/ai-generate")}>
          Create with AI
        </button>
        <button class="btn btn-primary" onClick={() => setShowForm(true)}>
          Create App
        </button>
      </PageHeader>

      <Show when={showForm()}>
        <form class="card mb-6 p-4" onSubmit={create} aria-label="Create app">
          <ErrorBanner message={error()} />
          <div class="form-row">
            <TextField
              label="App Name (URL-safe slug)"
              required
              pattern="^[a-z][a-z0-9_-]*$"
              placeholder="e.g. timesheet"
              value={name()}
              onInput={setName}
            />
            <TextField label="Display Name" required placeholder="e.g. Timesheet App" value={display()} onInput={setDisplay} />
          </div>
          <SelectField
            class="mt-4"
            label="Database Driver"
            value={driver()}
            onChange={setDriver}
            options={[
              ["sqlite", "SQLite"],
              ["postgres", "PostgreSQL"],
            ]}
            help={
              driver() === "sqlite"
                ? "Lightweight and file-based; needs no infrastructure. Good for development and demos."
                : "Production-grade; needs the PostgreSQL server the platform is configured with."
            }
          />
          <div class="mt-4 flex gap-2">
            <button type="submit" class="btn btn-primary" disabled={creating()}>
              {creating() ? "Creating..." : "Create"}
            </button>
            <button type="button" class="btn btn-secondary" onClick={() => setShowForm(false)}>
              Cancel
            </button>
          </div>
        </form>
      </Show>

      <Show when={!appsLoading() || apps().length} fallback={<Loading text="Loading apps..." />}>
        <Show when={!appsError()} fallback={<ErrorBanner message={errorMessage(appsError(), "Failed to load apps")} />}>
          <Show
            when={apps().length}
            fallback={<div class="card p-8 text-center text-gray-500">No apps yet. Create one to get started.</div>}
          >
            <DataTable
              testid="apps-table"
              rows={apps()}
              empty="No apps yet. Create one to get started."
              columns={[
                {
                  header: "Name",
                  cell: (a) => (
                    <button class="link font-medium" onClick={() => open(a)}>
                      {a.name}
                    </button>
                  ),
                },
                { header: "Display Name", cell: (a) => a.display_name ?? "" },
                { header: "Database", cell: (a) => <span class="font-mono text-xs">{a.db_name}</span> },
                {
                  header: "Driver",
                  cell: (a) => (
                    <Badge color={a.db_driver === "sqlite" ? "purple" : "blue"}>{a.db_driver === "sqlite" ? "SQLite" : "PostgreSQL"}</Badge>
                  ),
                },
                {
                  header: "Status",
                  cell: (a) => <Badge color={a.status === "active" ? "green" : "yellow"}>{a.status ?? "unknown"}</Badge>,
                },
                { header: "Created", cell: (a) => formatDate(a.created_at) },
              ]}
              actions={(a) => (
                <>
                  <button class="btn btn-primary btn-sm" onClick={() => open(a)}>
                    Open
                  </button>
                  <button class="btn btn-danger btn-sm" disabled={deleting() === a.name} onClick={() => remove(a)}>
                    {deleting() === a.name ? "Deleting..." : "Delete"}
                  </button>
                </>
              )}
            />
          </Show>
        </Show>
      </Show>
    </div>
  );
}
