// Overview: the app's health and configuration at a glance (spec 17 §5.3). Every
// source is fetched in parallel and may fail on its own (it then counts as zero).
import { A } from "@solidjs/router";
import { createResource, For, JSX, Show } from "solid-js";
import { Badge, PageHeader } from "../components/ui";
import { api, ListMeta } from "../lib/api";
import { Entity, fetchEntities } from "../lib/schema";

interface Activatable {
  active?: boolean;
}

interface Overview {
  entities: { entity: Entity; records: number }[];
  relations: number;
  rules: Activatable[];
  machines: Activatable[];
  workflows: Activatable[];
  pending: number;
  users: Activatable[];
  permissions: number;
  webhooks: Activatable[];
  failed: number;
}

/** A list, or [] when the call fails. */
async function list<T>(path: string): Promise<T[]> {
  try {
    return (await api.get<T[]>(path)).data ?? [];
  } catch {
    return [];
  }
}

/** `meta.total` of a one-row page; the array length without meta; 0 on error. */
async function recordCount(entity: string): Promise<number> {
  try {
    const res = await api.get<unknown[]>(`/${encodeURIComponent(entity)}?page=1&per_page=1`);
    const meta: ListMeta | undefined = res.meta;
    return meta?.total ?? res.data?.length ?? 0;
  } catch {
    return 0;
  }
}

async function loadOverview(): Promise<Overview> {
  const withCounts = fetchEntities()
    .catch(() => [] as Entity[])
    .then((es) => Promise.all(es.map(async (entity) => ({ entity, records: await recordCount(entity.name) }))));
  const [entities, relations, rules, machines, workflows, pending, users, permissions, webhooks, failed] = await Promise.all([
    withCounts,
    list("/_admin/relations"),
    list<Activatable>("/_admin/rules"),
    list<Activatable>("/_admin/state-machines"),
    list<Activatable>("/_admin/workflows"),
    list("/_workflows/pending"),
    list<Activatable>("/_admin/users"),
    list("/_admin/permissions"),
    list<Activatable>("/_admin/webhooks"),
    list("/_admin/webhook-logs?status=failed"),
  ]);
  return {
    entities,
    relations: relations.length,
    rules,
    machines,
    workflows,
    pending: pending.length,
    users,
    permissions: permissions.length,
    webhooks,
    failed: failed.length,
  };
}

const activeOf = (xs: Activatable[]) => `${xs.filter((x) => x.active !== false).length} / ${xs.length}`;

export default function Dashboard() {
  const [data, { refetch }] = createResource(loadOverview);
  const d = () => data.latest;
  const show = (f: (o: Overview) => string | number) => (d() ? f(d()!) : "...");

  return (
    <div>
      <PageHeader title="Overview" subtitle="App health and configuration at a glance">
        <button class="btn btn-secondary" disabled={data.loading} onClick={() => refetch()}>
          {data.loading ? "Loading..." : "Refresh"}
        </button>
      </PageHeader>

      <div class="mb-6 grid grid-cols-2 gap-4 lg:grid-cols-4">
        <StatCard label="Entities" href="/entities" value={show((o) => o.entities.length)} />
        <StatCard
          label="Total Records"
          href="/data"
          value={show((o) => o.entities.reduce((sum, e) => sum + e.records, 0).toLocaleString())}
        />
        <StatCard label="Relations" href="/relations" value={show((o) => o.relations)} />
        <StatCard
          label="Users"
          href="/users"
          value={show((o) => o.users.length)}
          sub={d() ? `${d()!.users.filter((u) => u.active !== false).length} active` : undefined}
        />
      </div>

      <EntityList overview={d()} loading={data.loading} />

      <div class="grid grid-cols-1 gap-6 lg:grid-cols-2">
        <Panel title="Business Logic">
          <Line label="Rules" href="/rules" value={show((o) => activeOf(o.rules))} />
          <Line label="State Machines" href="/state-machines" value={show((o) => activeOf(o.machines))} />
          <Line label="Workflows" href="/workflows" value={show((o) => activeOf(o.workflows))} />
          <Line label="Pending Instances" href="/workflow-monitor" value={show((o) => o.pending)}>
            <Show when={(d()?.pending ?? 0) > 0}>
              <Badge color="yellow">action needed</Badge>
            </Show>
          </Line>
        </Panel>
        <Panel title="Integrations & Security">
          <Line label="Webhooks" href="/webhooks" value={show((o) => activeOf(o.webhooks))} />
          <Line label="Failed Deliveries" href="/webhook-logs" value={show((o) => o.failed)}>
            <Show when={(d()?.failed ?? 0) > 0}>
              <Badge color="red">needs attention</Badge>
            </Show>
          </Line>
          <Line label="Permissions" href="/permissions" value={show((o) => o.permissions)} />
        </Panel>
      </div>
    </div>
  );
}

function StatCard(props: { label: string; href: string; value: string | number; sub?: string }) {
  return (
    <A
      href={props.href}
      class="card block p-4 transition-colors hover:border-blue-400 dark:hover:border-blue-500"
      aria-label={`${props.label}: ${props.value}`}
    >
      <p class="text-xs font-medium tracking-wider text-gray-500 uppercase dark:text-gray-400">{props.label}</p>
      <p class="mt-2 text-2xl font-semibold" data-testid={`stat-${props.label}`}>
        {props.value}
      </p>
      <Show when={props.sub}>
        <p class="mt-1 text-xs text-gray-500 dark:text-gray-400">{props.sub}</p>
      </Show>
    </A>
  );
}

function EntityList(props: { overview: Overview | undefined; loading: boolean }) {
  return (
    <section class="card mb-6" aria-labelledby="overview-entities">
      <div class="flex items-center justify-between border-b border-gray-200 px-4 py-3 dark:border-gray-700">
        <h2 id="overview-entities" class="text-sm font-semibold">
          Entities
        </h2>
        <A href="/entities" class="link text-sm">
          Manage
        </A>
      </div>
      <Show when={props.overview} fallback={<p class="px-4 py-4 text-sm text-gray-500">Loading entities...</p>}>
        {(o) => (
          <Show when={o().entities.length} fallback={<p class="px-4 py-4 text-sm text-gray-500">No entities defined yet.</p>}>
            <ul class="divide-y divide-gray-100 dark:divide-gray-700">
              <For each={o().entities}>
                {(row) => (
                  <li>
                    <A
                      href={`/data/${row.entity.name}`}
                      class="flex items-center justify-between gap-3 px-4 py-3 hover:bg-gray-50 dark:hover:bg-gray-700/40"
                    >
                      <span class="min-w-0">
                        <span class="block truncate font-medium">{row.entity.name}</span>
                        <span class="block text-xs text-gray-500 dark:text-gray-400">{row.entity.fields?.length ?? 0} fields</span>
                      </span>
                      <span class="shrink-0 text-sm text-gray-600 dark:text-gray-300">{row.records.toLocaleString()} records</span>
                    </A>
                  </li>
                )}
              </For>
            </ul>
          </Show>
        )}
      </Show>
    </section>
  );
}

function Panel(props: { title: string; children: JSX.Element }) {
  return (
    <section class="card p-4" aria-label={props.title}>
      <h2 class="section-title">{props.title}</h2>
      <dl class="divide-y divide-gray-100 dark:divide-gray-700">{props.children}</dl>
    </section>
  );
}

function Line(props: { label: string; href: string; value: string | number; children?: JSX.Element }) {
  return (
    <div class="flex items-center justify-between gap-3 py-2 text-sm">
      <dt>
        <A href={props.href} class="link">
          {props.label}
        </A>
      </dt>
      <dd class="flex items-center gap-2 font-medium">
        {props.children}
        <span data-testid={`line-${props.label}`}>{props.value}</span>
      </dd>
    </div>
  );
}
