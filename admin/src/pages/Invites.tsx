// Invites: single and bulk invites, their tokens, and revoking (spec 17 §5.17).
import { createResource, createSignal, For, Match, Show, Switch } from "solid-js";
import { CopyButton } from "../components/CopyButton";
import { confirmDialog, Modal } from "../components/modal";
import { RoleBadges } from "../components/RoleBadges";
import { DataTable } from "../components/table";
import { toast } from "../components/toast";
import { Badge, ErrorBanner, FormField, formatTime, Loading, PageHeader, splitList, TextField } from "../components/ui";
import { api, errorMessage } from "../lib/api";

interface Invite {
  id: string;
  email: string;
  roles: string[];
  token: string;
  expires_at: string;
  accepted_at?: string | null;
  invited_by?: string | null;
  created_at: string;
}

interface BulkResult {
  created: { id: string; email: string; token: string; expires_at: string }[];
  skipped: { email: string; reason: string }[];
  summary: { total: number; created: number; skipped: number };
}

type Status = "accepted" | "expired" | "pending";

function statusOf(i: Invite): Status {
  if (i.accepted_at) return "accepted";
  if (new Date(i.expires_at).getTime() < Date.now()) return "expired";
  return "pending";
}

const STATUS_COLOR = { accepted: "green", expired: "gray", pending: "yellow" } as const;

async function fetchInvites(): Promise<Invite[]> {
  return (await api.get<Invite[]>("/_admin/invites")).data ?? [];
}

export default function Invites() {
  const [invites, { refetch }] = createResource(fetchInvites);
  const [modal, setModal] = createSignal<"single" | "bulk" | null>(null);
  const [revoking, setRevoking] = createSignal<string | null>(null);

  const revoke = async (i: Invite) => {
    const ok = await confirmDialog({
      title: "Revoke Invite",
      message: "Are you sure you want to revoke this invite? The token will no longer be valid.",
      confirmLabel: "Revoke",
    });
    if (!ok) return;
    setRevoking(i.id);
    try {
      await api.del(`/_admin/invites/${encodeURIComponent(i.id)}`);
      toast.success("Invite revoked");
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to revoke invite"));
    } finally {
      setRevoking(null);
    }
  };

  return (
    <div>
      <PageHeader title="Invites" subtitle="Invite users to join the application">
        <button class="btn btn-secondary" onClick={() => setModal("bulk")}>
          Bulk Invite
        </button>
        <button class="btn btn-primary" onClick={() => setModal("single")}>
          Send Invite
        </button>
      </PageHeader>
      <Show when={!invites.error} fallback={<ErrorBanner message={errorMessage(invites.error, "Failed to load invites")} />}>
        <Show when={invites.latest} fallback={<Loading />}>
          <DataTable
            testid="invites-table"
            rows={invites.latest ?? []}
            empty="No invites yet."
            columns={[
              { header: "Email", cell: (i) => <span class="font-medium whitespace-nowrap">{i.email}</span> },
              { header: "Roles", cell: (i) => <RoleBadges roles={i.roles} /> },
              { header: "Status", cell: (i) => <Badge color={STATUS_COLOR[statusOf(i)]}>{statusOf(i)}</Badge> },
              { header: "Expires", cell: (i) => <span class="whitespace-nowrap">{formatTime(i.expires_at)}</span> },
              { header: "Created", cell: (i) => <span class="whitespace-nowrap">{formatTime(i.created_at)}</span> },
            ]}
            actions={(i) => (
              <Show when={statusOf(i) === "pending"}>
                <button
                  class="btn btn-danger btn-sm"
                  aria-label={`Revoke invite for ${i.email}`}
                  disabled={revoking() === i.id}
                  onClick={() => revoke(i)}
                >
                  {revoking() === i.id ? "Revoking..." : "Revoke"}
                </button>
              </Show>
            )}
          />
        </Show>
      </Show>
      <Switch>
        <Match when={modal() === "single"}>
          <SendInvite onClose={() => setModal(null)} onCreated={refetch} />
        </Match>
        <Match when={modal() === "bulk"}>
          <BulkInvite onClose={() => setModal(null)} onCreated={refetch} />
        </Match>
      </Switch>
    </div>
  );
}

function ModalButtons(props: { onCancel: () => void; busy: boolean; label: string }) {
  return (
    <div class="flex justify-end gap-2 border-t border-gray-200 pt-4 dark:border-gray-700">
      <button type="button" class="btn btn-secondary" onClick={props.onCancel}>
        Cancel
      </button>
      <button type="submit" class="btn btn-primary" disabled={props.busy}>
        {props.busy ? "Sending..." : props.label}
      </button>
    </div>
  );
}

function SendInvite(props: { onClose: () => void; onCreated: () => void }) {
  const [email, setEmail] = createSignal("");
  const [roles, setRoles] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [sending, setSending] = createSignal(false);
  const [created, setCreated] = createSignal<Invite | null>(null);

  const send = async (e: Event) => {
    e.preventDefault();
    setError(null);
    if (!email().trim()) return setError("Email is required");
    setSending(true);
    try {
      const res = await api.post<Invite>("/_admin/invites", { email: email().trim(), roles: splitList(roles()) });
      toast.success("Invite created");
      setCreated(res.data);
      props.onCreated();
    } catch (err) {
      setError(errorMessage(err, "Failed to send invite"));
    } finally {
      setSending(false);
    }
  };

  return (
    <Modal open title={created() ? "Invite Created" : "Send Invite"} onClose={props.onClose}>
      <Show
        when={created()}
        fallback={
          <form noValidate onSubmit={send} class="space-y-4" aria-label="Send Invite">
            <ErrorBanner message={error()} />
            <TextField label="Email" type="email" placeholder="user@example.com" autocomplete="off" value={email()} onInput={setEmail} />
            <TextField label="Roles (comma-separated)" placeholder="editor, viewer" value={roles()} onInput={setRoles} />
            <ModalButtons onCancel={props.onClose} busy={sending()} label="Send Invite" />
          </form>
        }
      >
        {(inv) => (
          <div class="space-y-4">
            <p class="text-sm text-gray-700 dark:text-gray-300">
              An invite for <strong class="break-all">{inv().email}</strong> was created. No email is sent: give this token to the user, who
              needs it to set a password and activate the account. It expires {formatTime(inv().expires_at)}.
            </p>
            <FormField label="Invite token">
              {(id) => (
                <div class="flex gap-2">
                  <input
                    id={id}
                    ref={(el) => queueMicrotask(() => el.focus())}
                    class="input font-mono"
                    readOnly
                    value={inv().token}
                    onFocus={(e) => e.currentTarget.select()}
                  />
                  <CopyButton text={inv().token} />
                </div>
              )}
            </FormField>
            <div class="flex justify-end border-t border-gray-200 pt-4 dark:border-gray-700">
              <button type="button" class="btn btn-primary" onClick={props.onClose}>
                Done
              </button>
            </div>
          </div>
        )}
      </Show>
    </Modal>
  );
}

/** Entries split on newlines and commas, trimmed, blanks dropped (§5.17). */
const splitEmails = (s: string) =>
  s
    .split(/[\n,]/)
    .map((x) => x.trim())
    .filter(Boolean);

function BulkInvite(props: { onClose: () => void; onCreated: () => void }) {
  const [emails, setEmails] = createSignal("");
  const [roles, setRoles] = createSignal("");
  const [error, setError] = createSignal<string | null>(null);
  const [sending, setSending] = createSignal(false);
  const [result, setResult] = createSignal<BulkResult | null>(null);

  const send = async (e: Event) => {
    e.preventDefault();
    setError(null);
    const list = splitEmails(emails());
    if (!list.length) return setError("Enter at least one email address");
    setSending(true);
    try {
      const res = await api.post<BulkResult>("/_admin/invites/bulk", { emails: list, roles: splitList(roles()) });
      const s = res.data.summary;
      toast.success(`Created ${s.created} of ${s.total} invites`);
      setResult(res.data);
      props.onCreated();
    } catch (err) {
      setError(errorMessage(err, "Failed to send invites"));
    } finally {
      setSending(false);
    }
  };

  return (
    <Modal open size="wide" title={result() ? "Bulk Invite Results" : "Bulk Invite"} onClose={props.onClose}>
      <Show
        when={result()}
        fallback={
          <form noValidate onSubmit={send} class="space-y-4" aria-label="Bulk Invite">
            <ErrorBanner message={error()} />
            <FormField label="Email Addresses" help="One per line, or separated by commas.">
              {(id) => (
                <textarea
                  id={id}
                  class="input font-mono text-xs"
                  rows={8}
                  spellcheck={false}
                  placeholder={"alice@example.com\nbob@example.com"}
                  value={emails()}
                  onInput={(e) => setEmails(e.currentTarget.value)}
                />
              )}
            </FormField>
            <TextField label="Roles for all invitees (comma-separated)" placeholder="editor, viewer" value={roles()} onInput={setRoles} />
            <ModalButtons onCancel={props.onClose} busy={sending()} label="Send Invites" />
          </form>
        }
      >
        {(r) => <BulkResults result={r()} onDone={props.onClose} />}
      </Show>
    </Modal>
  );
}

function BulkResults(props: { result: BulkResult; onDone: () => void }) {
  const s = () => props.result.summary;
  const allTokens = () => props.result.created.map((c) => `${c.email}\t${c.token}`).join("\n");
  return (
    <div class="space-y-5">
      <p
        data-testid="bulk-summary"
        class={`rounded-md px-3 py-2 text-sm font-medium ${
          s().skipped
            ? "bg-yellow-50 text-yellow-800 dark:bg-yellow-500/15 dark:text-yellow-200"
            : "bg-green-50 text-green-800 dark:bg-green-500/15 dark:text-green-200"
        }`}
      >
        Created {s().created} of {s().total} invites{s().skipped ? ` (${s().skipped} skipped)` : ""}
      </p>
      <Show when={props.result.created.length}>
        <section>
          <div class="mb-2 flex items-center justify-between gap-2">
            <h3 class="section-title !mb-0">Created</h3>
            <CopyButton text={allTokens()} label="Copy All Tokens" small />
          </div>
          <div class="overflow-x-auto rounded-md border border-gray-200 dark:border-gray-700">
            <table class="w-full text-left text-sm" data-testid="bulk-created">
              <thead class="bg-gray-50 text-xs text-gray-500 uppercase dark:bg-gray-800/60 dark:text-gray-400">
                <tr>
                  <th class="px-3 py-2 font-medium">Email</th>
                  <th class="px-3 py-2 font-medium">Token</th>
                  <th class="px-3 py-2">
                    <span class="sr-only">Copy</span>
                  </th>
                </tr>
              </thead>
              <tbody class="divide-y divide-gray-100 dark:divide-gray-700">
                <For each={props.result.created}>
                  {(c) => (
                    <tr>
                      <td class="px-3 py-2 break-all">{c.email}</td>
                      <td class="px-3 py-2 font-mono text-xs" title={c.token}>
                        {c.token.slice(0, 12)}…
                      </td>
                      <td class="px-3 py-2 text-right">
                        <CopyButton text={c.token} small ariaLabel={`Copy token for ${c.email}`} />
                      </td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </section>
      </Show>
      <Show when={props.result.skipped.length}>
        <section>
          <h3 class="section-title">Skipped</h3>
          <div class="overflow-x-auto rounded-md border border-yellow-300 bg-yellow-50 dark:border-yellow-700 dark:bg-yellow-500/10">
            <table class="w-full text-left text-sm" data-testid="bulk-skipped">
              <thead class="text-xs text-yellow-800 uppercase dark:text-yellow-200">
                <tr>
                  <th class="px-3 py-2 font-medium">Email</th>
                  <th class="px-3 py-2 font-medium">Reason</th>
                </tr>
              </thead>
              <tbody class="divide-y divide-yellow-200 dark:divide-yellow-800">
                <For each={props.result.skipped}>
                  {(k) => (
                    <tr>
                      <td class="px-3 py-2 break-all">{k.email}</td>
                      <td class="px-3 py-2">{k.reason}</td>
                    </tr>
                  )}
                </For>
              </tbody>
            </table>
          </div>
        </section>
      </Show>
      <div class="flex justify-end border-t border-gray-200 pt-4 dark:border-gray-700">
        <button type="button" class="btn btn-primary" onClick={props.onDone}>
          Done
        </button>
      </div>
    </div>
  );
}
