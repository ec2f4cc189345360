// The onboarding wizard (spec 17 §5.6), shown on the Entities page of an app with
// no entities: welcome → choose-preset → configure-entity → second-entity →
// create-relation → sample-data → complete.
import { useNavigate } from "@solidjs/router";
import { createSignal, For, JSX, Match, Show, Switch } from "solid-js";
import { toast } from "../../components/toast";
import { ErrorBanner, PageHeader, Spinner, TextField } from "../../components/ui";
import { api, errorMessage, errorWithDetails } from "../../lib/api";
import { Entity, reloadSchema, typeLabel } from "../../lib/schema";
import { entityBody, FieldsHeader, FieldsTable } from "./fields";
import { Preset, PRESETS, presetMeta, SampleRecord } from "./presets";

const STEPS = ["welcome", "choose-preset", "configure-entity", "second-entity", "create-relation", "sample-data", "complete"] as const;
type Step = (typeof STEPS)[number];
const STEP_TITLES: Record<Step, string> = {
  welcome: "Welcome",
  "choose-preset": "Choose a template",
  "configure-entity": "Configure your entity",
  "second-entity": "Create related entity",
  "create-relation": "Create relation",
  "sample-data": "Insert sample data",
  complete: "Complete",
};

export const wizardKey = (app: string) => `rocket_wizard_dismissed_${app}`;

function Progress(props: { step: Step }) {
  const at = () => STEPS.indexOf(props.step);
  return (
    <ol class="mb-6 flex items-center" aria-label="Wizard progress">
      <For each={STEPS}>
        {(s, i) => (
          <li class={`flex items-center ${i() < STEPS.length - 1 ? "flex-1" : ""}`} aria-current={i() === at() ? "step" : undefined}>
            <span
              class={`flex h-3 w-3 shrink-0 rounded-full ${
                i() < at()
                  ? "bg-blue-600"
                  : i() === at()
                    ? "bg-blue-600 ring-4 ring-blue-200 dark:ring-blue-500/30"
                    : "bg-gray-300 dark:bg-gray-600"
              }`}
              title={STEP_TITLES[s]}
            />
            <span class="sr-only">
              {STEP_TITLES[s]}
              {i() < at() ? " (done)" : i() === at() ? " (current)" : ""}
            </span>
            <Show when={i() < STEPS.length - 1}>
              <span class={`mx-1 h-0.5 flex-1 ${i() < at() ? "bg-blue-600" : "bg-gray-300 dark:bg-gray-600"}`} />
            </Show>
          </li>
        )}
      </For>
    </ol>
  );
}

function StepCard(props: { title: string; children: JSX.Element; actions: JSX.Element }) {
  return (
    <section class="card p-5 sm:p-6" aria-label={props.title}>
      <h2 class="mb-4 text-xl font-semibold">{props.title}</h2>
      {props.children}
      <div class="mt-6 flex flex-wrap justify-end gap-2">{props.actions}</div>
    </section>
  );
}

const CONCEPTS = [
  ["Entities", "Like a table: one kind of record, such as a customer or an invoice."],
  ["Fields", "Like columns: each one has a name and a type."],
  ["Relations", "Links between entities, such as a customer's orders."],
  ["REST API", "Five endpoints appear automatically for every entity."],
];

function EntityForm(props: { entity: Entity; onChange: (e: Entity) => void }) {
  const set = (patch: Partial<Entity>) => props.onChange({ ...props.entity, ...patch });
  return (
    <div class="space-y-5">
      <div class="form-row">
        <TextField label="Entity Name" placeholder="e.g. customer" mono value={props.entity.name} onInput={(v) => set({ name: v })} />
        <TextField
          label="Table Name"
          placeholder="defaults to entity name"
          mono
          value={props.entity.table ?? ""}
          onInput={(v) => set({ table: v })}
        />
      </div>
      <div>
        <FieldsHeader fields={props.entity.fields} onChange={(fields) => set({ fields })} />
        <FieldsTable fields={props.entity.fields} pkField={props.entity.primary_key?.field} onChange={(fields) => set({ fields })} />
      </div>
    </div>
  );
}

/** The sample columns: neither `auto` nor the primary key. */
const sampleColumns = (e: Entity) => e.fields.filter((f) => !f.auto && f.name !== e.primary_key?.field).map((f) => f.name);

function SamplePreview(props: { entity: Entity; samples: SampleRecord[] }) {
  const cols = () => sampleColumns(props.entity);
  const cell = (v: unknown) => (v === undefined || v === null || v === "" ? "-" : String(v));
  return (
    <div class="mb-4">
      <h3 class="section-title">
        {props.entity.name} ({props.samples.length})
      </h3>
      <div class="relative overflow-x-auto rounded-md border border-gray-200 dark:border-gray-700">
        <table class="w-full text-left text-sm" aria-label={`Sample ${props.entity.name} records`}>
          <thead class="bg-gray-50 text-xs tracking-wider text-gray-500 uppercase dark:bg-gray-800/60 dark:text-gray-400">
            <tr>
              <For each={cols()}>{(c) => <th class="px-3 py-2 font-medium whitespace-nowrap">{c}</th>}</For>
            </tr>
          </thead>
          <tbody class="divide-y divide-gray-100 dark:divide-gray-700">
            <For each={props.samples}>
              {(r) => (
                <tr>
                  <For each={cols()}>{(c) => <td class="px-3 py-2 whitespace-nowrap">{cell(r[c])}</td>}</For>
                </tr>
              )}
            </For>
          </tbody>
        </table>
      </div>
    </div>
  );
}

export function Wizard(props: { app: string; onDismiss: () => void }) {
  const navigate = useNavigate();
  const [history, setHistory] = createSignal<Step[]>(["welcome"]);
  const step = () => history()[history().length - 1];
  const go = (s: Step) => {
    setError(null);
    setHistory([...history(), s]);
  };
  const back = () => {
    setError(null);
    setHistory(history().slice(0, -1));
  };

  const [preset, setPreset] = createSignal<Preset>(PRESETS[0]);
  const [first, setFirst] = createSignal<Entity>(structuredClone(PRESETS[0].main.entity));
  const [second, setSecond] = createSignal<Entity | null>(null);
  // What this wizard has created: a second "Create Entity" after Back updates instead.
  const [created, setCreated] = createSignal<{ first?: string; second?: string; relation?: string }>({});
  const [records, setRecords] = createSignal(0);
  const [error, setError] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal(false);
  const [progress, setProgress] = createSignal("");

  const dismiss = () => {
    localStorage.setItem(wizardKey(props.app), "true");
    props.onDismiss();
  };

  const choose = (p: Preset) => {
    setPreset(p);
    setFirst(structuredClone(p.main.entity));
    setSecond(p.related ? structuredClone(p.related.entity) : null);
    setCreated({});
    go("configure-entity");
  };

  /** Creates (or, when this wizard made it already, updates) an entity; its name on success. */
  const saveEntity = async (e: Entity, already: string | undefined): Promise<string | null> => {
    if (!e.name.trim()) return (setError("Entity name is required"), null);
    if (e.fields.some((f) => !f.name.trim())) return (setError("All fields must have a name"), null);
    setError(null);
    setBusy(true);
    const body = entityBody(e);
    try {
      if (already === body.name) {
        await api.put(`/_admin/entities/${encodeURIComponent(body.name)}`, body);
        toast.success(`Entity "${body.name}" updated`);
      } else {
        await api.post("/_admin/entities", body);
        toast.success(`Entity "${body.name}" created`);
      }
      reloadSchema();
      return body.name;
    } catch (err) {
      setError(errorWithDetails(err, "Failed to save entity"));
      return null;
    } finally {
      setBusy(false);
    }
  };

  const createFirst = async () => {
    const name = await saveEntity(first(), created().first);
    if (!name) return;
    setCreated({ ...created(), first: name });
    go(preset().related ? "second-entity" : "sample-data");
  };
  const createSecond = async () => {
    const e = second();
    if (!e) return;
    const name = await saveEntity(e, created().second);
    if (!name) return;
    setCreated({ ...created(), second: name });
    go("create-relation");
  };

  const relation = () => {
    const r = preset().relation!;
    return { ...r, source: created().first!, target: created().second! };
  };
  const createRelation = async () => {
    setBusy(true);
    setError(null);
    const body = relation();
    try {
      await api.post("/_admin/relations", body);
      toast.success(`Relation "${body.name}" created`);
      setCreated({ ...created(), relation: body.name });
      reloadSchema();
      go("sample-data");
    } catch (err) {
      setError(errorWithDetails(err, "Failed to create relation"));
    } finally {
      setBusy(false);
    }
  };

  /** The sample sets to insert: the first entity's, then the related one's if it was created. */
  const sampleSets = () => {
    const sets: { entity: Entity; samples: SampleRecord[]; fk?: string }[] = [];
    if (created().first) sets.push({ entity: first(), samples: preset().main.samples });
    const rel = preset().related;
    if (rel && created().second && second()) sets.push({ entity: second()!, samples: rel.samples, fk: preset().relation?.target_key });
    return sets.filter((s) => s.samples.length > 0);
  };

  const insertSamples = async () => {
    setBusy(true);
    setError(null);
    let inserted = 0;
    let parentId: unknown = undefined;
    for (const set of sampleSets()) {
      const name = set.entity.name;
      const known = new Set(set.entity.fields.map((f) => f.name));
      for (let i = 0; i < set.samples.length; i++) {
        setProgress(`Inserting ${name} ${i + 1} of ${set.samples.length}...`);
        // Only the fields the entity still has after editing; the FK points at the first parent.
        const record = Object.fromEntries(Object.entries(set.samples[i]).filter(([k]) => known.has(k)));
        if (set.fk && known.has(set.fk) && parentId !== undefined) record[set.fk] = parentId;
        try {
          const res = await api.post<Record<string, unknown>>(`/${encodeURIComponent(name)}`, record);
          inserted++;
          if (!set.fk && parentId === undefined) parentId = res.data?.[first().primary_key?.field ?? "id"];
        } catch (err) {
          toast.error(`${name} record ${i + 1}: ${errorMessage(err, "Failed to insert record")}`);
        }
      }
    }
    setProgress("");
    setBusy(false);
    setRecords(inserted);
    toast.success(`Inserted ${inserted} sample record(s)`);
    go("complete");
  };

  const createdEntities = () => (created().first ? 1 : 0) + (created().second ? 1 : 0);

  return (
    <div>
      <PageHeader title="Get Started" subtitle="Set up your first entity in a few steps">
        <button class="btn btn-ghost link" onClick={dismiss}>
          Skip wizard
        </button>
      </PageHeader>
      <div class="mx-auto max-w-4xl">
        <Progress step={step()} />
        <ErrorBanner message={error()} />
        <Switch>
          <Match when={step() === "welcome"}>
            <StepCard
              title="Welcome to your new app"
              actions={
                <button class="btn btn-primary" onClick={() => go("choose-preset")}>
                  Get Started
                </button>
              }
            >
              <p class="mb-4 text-sm text-gray-600 dark:text-gray-300">
                A few ideas first, then we will set up your first entity together.
              </p>
              <div class="grid grid-cols-1 gap-3 sm:grid-cols-2">
                <For each={CONCEPTS}>
                  {([title, text]) => (
                    <div class="rounded-md border border-gray-200 p-4 dark:border-gray-700">
                      <h3 class="mb-1 font-semibold">{title}</h3>
                      <p class="text-sm text-gray-600 dark:text-gray-300">{text}</p>
                    </div>
                  )}
                </For>
              </div>
            </StepCard>
          </Match>
          <Match when={step() === "choose-preset"}>
            <StepCard
              title="Choose a template"
              actions={
                <button class="btn btn-secondary" onClick={back}>
                  Back
                </button>
              }
            >
              <div class="grid grid-cols-1 gap-3 sm:grid-cols-2">
                <For each={PRESETS}>
                  {(p) => (
                    <button
                      type="button"
                      class="rounded-md border border-gray-200 p-4 text-left transition-colors hover:border-blue-500 hover:bg-blue-50 dark:border-gray-700 dark:hover:border-blue-400 dark:hover:bg-blue-500/10"
                      onClick={() => choose(p)}
                    >
                      <span class="block font-semibold">{p.label}</span>
                      <span class="mt-1 block text-sm text-gray-600 dark:text-gray-300">{p.description}</span>
                      <span class="muted mt-2 block text-xs">{presetMeta(p)}</span>
                    </button>
                  )}
                </For>
              </div>
            </StepCard>
          </Match>
          <Match when={step() === "configure-entity"}>
            <StepCard
              title="Configure your entity"
              actions={
                <>
                  <button class="btn btn-secondary" onClick={back}>
                    Back
                  </button>
                  <button class="btn btn-primary" disabled={busy()} onClick={createFirst}>
                    {busy() ? "Creating..." : "Create Entity"}
                  </button>
                </>
              }
            >
              <EntityForm entity={first()} onChange={setFirst} />
            </StepCard>
          </Match>
          <Match when={step() === "second-entity" && second()}>
            <StepCard
              title="Create related entity"
              actions={
                <>
                  <button class="btn btn-secondary" onClick={back}>
                    Back
                  </button>
                  <button class="btn btn-secondary" onClick={() => go("sample-data")}>
                    Skip
                  </button>
                  <button class="btn btn-primary" disabled={busy()} onClick={createSecond}>
                    {busy() ? "Creating..." : "Create Entity"}
                  </button>
                </>
              }
            >
              <p class="mb-4 text-sm text-gray-600 dark:text-gray-300">
                This entity will be linked to <span class="font-mono font-medium">{created().first}</span> by a relation in the next step.
              </p>
              <EntityForm entity={second()!} onChange={setSecond} />
            </StepCard>
          </Match>
          <Match when={step() === "create-relation"}>
            <StepCard
              title="Create relation"
              actions={
                <>
                  <button class="btn btn-secondary" onClick={back}>
                    Back
                  </button>
                  <button class="btn btn-secondary" onClick={() => go("sample-data")}>
                    Skip
                  </button>
                  <button class="btn btn-primary" disabled={busy()} onClick={createRelation}>
                    {busy() ? "Creating..." : "Create Relation"}
                  </button>
                </>
              }
            >
              <dl class="grid grid-cols-1 gap-4 text-sm sm:grid-cols-2">
                <For
                  each={[
                    ["Relation Name", relation().name],
                    ["Type", typeLabel(relation().type)],
                    ["Source", `${relation().source}.${relation().source_key}`],
                    ["Target", `${relation().target}.${relation().target_key}`],
                  ]}
                >
                  {([k, v]) => (
                    <div>
                      <dt class="label">{k}</dt>
                      <dd class="rounded-md bg-gray-50 px-2.5 py-1.5 font-mono dark:bg-gray-900">{v}</dd>
                    </div>
                  )}
                </For>
              </dl>
            </StepCard>
          </Match>
          <Match when={step() === "sample-data"}>
            <StepCard
              title="Insert sample data"
              actions={
                <>
                  <button class="btn btn-secondary" disabled={busy()} onClick={back}>
                    Back
                  </button>
                  <button class="btn btn-secondary" disabled={busy()} onClick={dismiss}>
                    Skip
                  </button>
                  <Show when={sampleSets().length > 0}>
                    <button class="btn btn-primary" disabled={busy()} onClick={insertSamples}>
                      {busy() ? "Inserting..." : "Insert Sample Data"}
                    </button>
                  </Show>
                </>
              }
            >
              <Show
                when={sampleSets().length > 0}
                fallback={
                  <p class="text-sm text-gray-600 dark:text-gray-300">
                    This template has no sample data. Skip to start adding your own records.
                  </p>
                }
              >
                <p class="mb-4 text-sm text-gray-600 dark:text-gray-300">
                  These records will be created through the REST API, one at a time.
                </p>
                <For each={sampleSets()}>{(s) => <SamplePreview entity={s.entity} samples={s.samples} />}</For>
                <Show when={progress()}>
                  <p class="flex items-center gap-2 text-sm text-blue-700 dark:text-blue-300" role="status">
                    <Spinner /> {progress()}
                  </p>
                </Show>
              </Show>
            </StepCard>
          </Match>
          <Match when={step() === "complete"}>
            <section class="card p-8 text-center" aria-label="Complete">
              <div
                class="mx-auto mb-4 flex h-16 w-16 items-center justify-center rounded-full bg-green-100 text-4xl text-green-600 dark:bg-green-500/20 dark:text-green-300"
                aria-hidden="true"
              >
                ✓
              </div>
              <h2 class="mb-6 text-2xl font-semibold">Your app is ready!</h2>
              <dl class="mx-auto mb-8 grid max-w-md grid-cols-3 gap-3">
                <For
                  each={[
                    ["Entities", createdEntities()],
                    ["Relation", created().relation ? 1 : 0],
                    ["Records", records()],
                  ]}
                >
                  {([k, v]) => (
                    <div class="flex flex-col-reverse rounded-md bg-gray-50 p-3 dark:bg-gray-900">
                      <dt class="text-xs text-gray-500 dark:text-gray-400">{k}</dt>
                      <dd class="text-2xl font-semibold">{v}</dd>
                    </div>
                  )}
                </For>
              </dl>
              <div class="flex flex-wrap justify-center gap-2">
                <button class="btn btn-secondary" onClick={dismiss}>
                  Manage Entities
                </button>
                <button
                  class="btn btn-primary"
                  onClick={() => {
                    dismiss();
                    navigate(`/data/${encodeURIComponent(created().first ?? "")}`);
                  }}
                >
                  Browse Data
                </button>
              </div>
            </section>
          </Match>
        </Switch>
      </div>
    </div>
  );
}
