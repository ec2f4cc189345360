// Webhooks: HTTP callouts fired by entity writes, with the condition in the shared
// expression builder and the signing secret shown once after a create
// (spec 17 §5.19; server behaviour in docs/webhooks.md).
import { A } from "@solidjs/router";
import { createResource, createSignal, Show } from "solid-js";
import { CopyButton } from "../components/CopyButton";
import { ExpressionBuilder } from "../components/ExpressionBuilder";
import { confirmDialog, Modal } from "../components/modal";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Badge, BadgeColor, ErrorBanner, FormField, JsonArea, Loading, PageHeader, SelectField, TextField, YesNo } from "../components/ui";
import { api, asObject, errorMessage } from "../lib/api";
import { entities, entityByName } from "../lib/schema";

interface Retry {
  max_attempts: number;
  backoff: string;
}

interface Webhook {
  id: string;
  entity: string;
  hook: string;
  url: string;
  method: string;
  headers: Record<string, string> | string;
  condition: string;
  async: boolean;
  retry: Retry | string;
  active: boolean;
  /** Only in the answer to a create (docs/webhooks.md). */
  secret?: string;
}

const HOOKS = ["after_write", "before_write", "after_delete", "before_delete"];
const METHODS = ["POST", "PUT", "PATCH", "GET", "DELETE"];
const HOOK_COLOR: Record<string, BadgeColor> = { after_write: "green", before_write: "blue", after_delete: "red", before_delete: "purple" };
const METHOD_COLOR: Record<string, BadgeColor> = { POST: "blue", PUT: "purple", PATCH: "yellow", GET: "green", DELETE: "red" };
const VARIABLES = ["record", "old", "changes", "action", "entity", "event", "user"];
/** The server's range for `retry.max_attempts` (docs/webhooks.md). */
const MAX_ATTEMPTS = 20;

const isSync = (hook: string) => hook.startsWith("before_");

const HOOK_HELP: Record<string, string> = {
  after_write: "Sent after the create or update committed; retried when the receiver fails.",
  after_delete: "Sent after the delete committed; retried when the receiver fails.",
  before_write:
    "Sent inside the write's transaction: a 4xx answer rejects the write (422), a 5xx, timeout or unreachable receiver fails it (502); both roll it back.",
  before_delete:
    "Sent inside the delete's transaction: a 4xx answer rejects the delete (422), a 5xx, timeout or unreachable receiver fails it (502); both roll it back.",
};

async function fetchWebhooks(): Promise<Webhook[]> {
  return (await api.get<Webhook[]>("/_admin/webhooks")).data ?? [];
}

export default function Webhooks() {
  const [hooks, { refetch }] = createResource(fetchWebhooks);
  const [editing, setEditing] = createSignal<Webhook | "new" | null>(null);
  const [deleting, setDeleting] = createSignal<string | null>(null);

  const remove = async (w: Webhook) => {
    const ok = await confirmDialog({
      title: "Delete Webhook",
      message: "Are you sure you want to delete this webhook? All associated delivery logs will also be deleted.",
    });
    if (!ok) return;
    setDeleting(w.id);
    try {
      await api.del(`/_admin/webhooks/${encodeURIComponent(w.id)}`);
      toast.success("Webhook deleted");
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to delete webhook"));
    } finally {
      setDeleting(null);
    }
  };

  return (
    <div>
      <PageHeader title="Webhooks" subtitle="Manage HTTP callouts triggered by entity writes">
        <button class="btn btn-primary" onClick={() => setEditing("new")}>
          Create Webhook
        </button>
      </PageHeader>
      <Show when={!hooks.error} fallback={<ErrorBanner message={errorMessage(hooks.error, "Failed to load webhooks")} />}>
        <Show when={hooks.latest} fallback={<Loading />}>
          <DataTable
            testid="webhooks-table"
            rows={hooks.latest ?? []}
            empty="No webhooks yet. Create one to trigger HTTP callouts on entity writes."
            columns={[
              { header: "Entity", cell: (w) => <span class="font-mono">{w.entity}</span> },
              { header: "Hook", cell: (w) => <Badge color={HOOK_COLOR[w.hook] ?? "gray"}>{w.hook}</Badge> },
              { header: "Method", cell: (w) => <Badge color={METHOD_COLOR[w.method] ?? "gray"}>{w.method}</Badge> },
              {
                header: "URL",
                cell: (w) => (
                  <span class="block max-w-[18rem] truncate font-mono text-xs" title={w.url}>
                    {w.url}
                  </span>
                ),
              },
              { header: "Mode", cell: (w) => (w.async ? <Badge color="green">Async</Badge> : <Badge color="yellow">Sync</Badge>) },
              { header: "Active", cell: (w) => <YesNo value={w.active} yes="Yes" no="No" /> },
            ]}
            actions={(w) => (
              <>
                <A
                  class="btn btn-ghost btn-sm"
                  href={`/webhook-logs?webhook_id=${encodeURIComponent(w.id)}`}
                  aria-label={`Logs of the ${w.entity} webhook to ${w.url}`}
                >
                  Logs
                </A>
                <button
                  class="btn btn-secondary btn-sm"
                  aria-label={`Edit the ${w.entity} webhook to ${w.url}`}
                  onClick={() => setEditing(w)}
                >
                  Edit
                </button>
                <button
                  class="btn btn-danger btn-sm"
                  aria-label={`Delete the ${w.entity} webhook to ${w.url}`}
                  disabled={deleting() === w.id}
                  onClick={() => remove(w)}
                >
                  {deleting() === w.id ? "Deleting..." : "Delete"}
                </button>
              </>
            )}
          />
        </Show>
      </Show>
      <Show when={editing()} keyed>
        {(target) => <WebhookEditor webhook={target === "new" ? null : target} onClose={() => setEditing(null)} onSaved={refetch} />}
      </Show>
    </div>
  );
}

/** The value of "Max Retry Attempts": unparsable input becomes 3 (§5.19), clamped to the server's range. */
function attempts(text: string): number {
  const n = Number.parseInt(text, 10);
  return Number.isFinite(n) ? Math.min(Math.max(n, 1), MAX_ATTEMPTS) : 3;
}

function WebhookEditor(props: { webhook: Webhook | null; onClose: () => void; onSaved: () => void }) {
  const stored = props.webhook;
  const retry = asObject<Retry | undefined>(stored?.retry) ?? { max_attempts: 3, backoff: "exponential" };
  const headers = asObject<Record<string, string> | undefined>(stored?.headers) ?? {};
  const [entity, setEntity] = createSignal(stored?.entity ?? "");
  const [hook, setHook] = createSignal(stored?.hook ?? "after_write");
  const [url, setUrl] = createSignal(stored?.url ?? "");
  const [method, setMethod] = createSignal(stored?.method ?? "POST");
  const [headersText, setHeadersText] = createSignal(Object.keys(headers).length ? JSON.stringify(headers, null, 2) : "");
  const [condition, setCondition] = createSignal(stored?.condition ?? "");
  const [isAsync, setAsync] = createSignal(stored?.async ?? true);
  const [active, setActive] = createSignal(stored?.active ?? true);
  const [maxAttempts, setMaxAttempts] = createSignal(String(retry.max_attempts ?? 3));
  const [secret, setSecret] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);
  const [created, setCreated] = createSignal<Webhook | null>(null);

  const entityOptions = () => {
    const names = entities().map((e) => e.name);
    return entity() && !names.includes(entity()) ? [entity(), ...names] : names;
  };
  // A hook and a mode that disagree never fire (docs/webhooks.md): follow the hook.
  const changeHook = (h: string) => {
    setHook(h);
    setAsync(!isSync(h));
  };
  const neverFires = () => isAsync() === isSync(hook());

  const save = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!entity()) return setError("Entity is required");
    if (!url().trim()) return setError("URL is required");
    if (!/^https?:\/\//.test(url().trim())) return setError("URL must start with http:// or https://");
    let parsedHeaders: unknown = {};
    if (headersText().trim()) {
      try {
        parsedHeaders = JSON.parse(headersText());
      } catch {
        return setError("Invalid JSON in headers");
      }
      if (!parsedHeaders || typeof parsedHeaders !== "object" || Array.isArray(parsedHeaders)) {
        return setError("Headers must be a JSON object of header names to values");
      }
    }
    const body: Record<string, unknown> = {
      entity: entity(),
      hook: hook(),
      url: url().trim(),
      method: method(),
      headers: parsedHeaders,
      condition: condition().trim(),
      async: isAsync(),
      retry: { max_attempts: attempts(maxAttempts()), backoff: retry.backoff ?? "exponential" },
      active: active(),
    };
    if (secret()) body.secret = secret();
    setSaving(true);
    try {
      if (stored) {
        await api.put(`/_admin/webhooks/${encodeURIComponent(stored.id)}`, body);
        toast.success("Webhook updated");
        props.onSaved();
        props.onClose();
      } else {
        const res = await api.post<Webhook>("/_admin/webhooks", body);
        toast.success("Webhook created");
        props.onSaved();
        if (res.data.secret) setCreated(res.data);
        else props.onClose();
      }
    } catch (err) {
      setError(errorMessage(err, "Failed to save webhook"));
    } finally {
      setSaving(false);
    }
  };

  const title = () => (created() ? "Webhook Created" : stored ? "Edit Webhook" : "Create Webhook");
  return (
    <Modal open size="wide" title={title()} onClose={props.onClose}>
      <Show
        when={created()}
        fallback={
          <form noValidate onSubmit={save} class="space-y-4" aria-label={title()}>
            <ErrorBanner message={error()} />
            <div class="form-row">
              <SelectField label="Entity" placeholder="Select entity..." value={entity()} onChange={setEntity} options={entityOptions()} />
              <SelectField label="Hook" value={hook()} onChange={changeHook} options={HOOKS} help={HOOK_HELP[hook()]} />
            </div>
            <div class="grid grid-cols-1 gap-4 sm:grid-cols-[minmax(0,1fr)_8rem]">
              <TextField label="URL" mono placeholder="https://example.com/webhook" value={url()} onInput={setUrl} />
              <SelectField label="Method" value={method()} onChange={setMethod} options={METHODS} />
            </div>
            <FormField
              label="Headers (JSON)"
              help="{{env.NAME}} in a value is replaced by the server's environment variable NAME when sent; it is never stored resolved."
            >
              {(id) => (
                <JsonArea
                  id={id}
                  rows={3}
                  value={headersText()}
                  onInput={setHeadersText}
                  placeholder={'{"Authorization": "Bearer {{env.API_TOKEN}}"}'}
                />
              )}
            </FormField>
            <ExpressionBuilder
              label="Condition (empty = always fire)"
              value={condition()}
              onChange={setCondition}
              fields={entityByName(entity())?.fields ?? []}
              variables={VARIABLES}
              oldAvailable
              placeholder={'record.status == "paid"'}
              help="Expression that must be true for the webhook to fire"
            />
            <div class="flex flex-wrap items-end gap-x-6 gap-y-3">
              <label class="flex items-center gap-2 py-1.5 text-sm">
                <input type="checkbox" checked={isAsync()} onChange={(e) => setAsync(e.currentTarget.checked)} />
                Async (fire after commit, with retries)
              </label>
              <label class="flex items-center gap-2 py-1.5 text-sm">
                <input type="checkbox" checked={active()} onChange={(e) => setActive(e.currentTarget.checked)} />
                Active
              </label>
              <TextField
                class="w-40"
                label="Max Retry Attempts"
                type="number"
                min="1"
                max={String(MAX_ATTEMPTS)}
                value={maxAttempts()}
                onInput={setMaxAttempts}
              />
            </div>
            <Show when={neverFires()}>
              <p
                role="status"
                class="rounded-md border border-yellow-300 bg-yellow-50 px-3 py-2 text-sm text-yellow-800 dark:border-yellow-700 dark:bg-yellow-500/10 dark:text-yellow-200"
              >
                This webhook will never fire: {hook()} hooks must be{" "}
                {isSync(hook()) ? "synchronous (Async off)" : "asynchronous (Async on)"}.
              </p>
            </Show>
            <Show when={stored}>
              <TextField
                label="New signing secret (leave blank to keep current)"
                type="password"
                autocomplete="new-password"
                mono
                placeholder="Unchanged"
                help="At least 16 characters. Receivers verify X-Rocket-Signature with it."
                value={secret()}
                onInput={setSecret}
              />
            </Show>
            <div class="flex justify-end gap-2 border-t border-gray-200 pt-4 dark:border-gray-700">
              <button type="button" class="btn btn-secondary" onClick={props.onClose}>
                Cancel
              </button>
              <button type="submit" class="btn btn-primary" disabled={saving()}>
                {saving() ? "Saving..." : "Save"}
              </button>
            </div>
          </form>
        }
      >
        {(w) => <CreatedSecret webhook={w()} onDone={props.onClose} />}
      </Show>
    </Modal>
  );
}

/** The signing secret, which the server shows only in the answer to a create. */
function CreatedSecret(props: { webhook: Webhook; onDone: () => void }) {
  return (
    <div class="space-y-4">
      <p class="text-sm text-gray-700 dark:text-gray-300">
        Every delivery carries <code>X-Rocket-Signature: sha256=…</code>, the HMAC-SHA256 of the body with this secret. It is shown only
        now: copy it to the receiver. A new one can be set later with Edit.
      </p>
      <FormField label="Signing secret">
        {(id) => (
          <div class="flex gap-2">
            <input
              id={id}
              ref={(el) => queueMicrotask(() => el.focus())}
              class="input font-mono text-xs"
              readOnly
              value={props.webhook.secret}
              onFocus={(e) => e.currentTarget.select()}
            />
            <CopyButton text={props.webhook.secret ?? ""} />
          </div>
        )}
      </FormField>
      <div class="flex justify-end border-t border-gray-200 pt-4 dark:border-gray-700">
        <button type="button" class="btn btn-primary" onClick={props.onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
