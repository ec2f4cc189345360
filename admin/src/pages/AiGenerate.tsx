// AI Schema Generator (spec 17 §5.15): describe an app, review the generated import
// document, apply it with POST /_admin/import. Without an app it creates one first.
import { useNavigate } from "@solidjs/router";
import { createMemo, createResource, createSignal, For, JSX, Match, Show, Switch } from "solid-js";
import { toast } from "../components/toast";
import { Badge, ErrorBanner, FormField, PageHeader, SelectField, Spinner, TextField } from "../components/ui";
import { api, errorMessage, platform } from "../lib/api";
import { reloadApps } from "../lib/apps";
import { reloadSchema } from "../lib/schema";
import { selectApp, selectedApp } from "../lib/session";

interface AiStatus {
  configured: boolean;
  model?: string;
}

interface ImportResult {
  message?: string;
  summary?: Record<string, number>;
  errors?: string[];
}

type Doc = Record<string, unknown>;

const SLUG = /^[a-z][a-z0-9_-]*$/;

const EXAMPLES: [string, string][] = [
  [
    "E-commerce",
    "An e-commerce store with products, categories, customers, orders, order items and product reviews. Products have a status flow (draft → active → discontinued) and orders have a status flow (pending → paid → shipped → delivered, or cancelled).",
  ],
  [
    "Blog / CMS",
    "A blog / CMS with authors, categories, tags, posts and comments. Posts go through an editorial flow (draft → in_review → published → archived), and posts and tags are linked many-to-many.",
  ],
  [
    "Project Management",
    "A project management tool with projects, sprints, tasks, team members and task comments. Tasks have a status flow (todo → in_progress → in_review → done).",
  ],
  [
    "Helpdesk",
    "A helpdesk with customers, support agents, tickets, ticket comments and knowledge-base articles. Tickets have a priority flow (low → medium → high → urgent) and a status flow (open → in_progress → resolved → closed).",
  ],
];

/** The preview tabs: key in the document, label (§5.15). */
const TABS: [string, string][] = [
  ["entities", "Entities"],
  ["relations", "Relations"],
  ["rules", "Rules"],
  ["state_machines", "State Machines"],
  ["permissions", "Permissions"],
  ["ui_configs", "UI Configs"],
  ["sample_data", "Sample Data"],
];
const BADGE_SECTIONS = ["entities", "relations", "rules", "state_machines", "permissions", "ui_configs"];

/** Items in a section: array length, or the records of all entities for sample_data. */
function count(doc: Doc, key: string): number {
  const v = doc[key];
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === "object") return Object.values(v).reduce<number>((n, rows) => n + (Array.isArray(rows) ? rows.length : 0), 0);
  return 0;
}

async function loadStatus(app: string | null): Promise<AiStatus> {
  try {
    const res = app ? await api.get<AiStatus>("/_admin/ai/status") : await platform.get<AiStatus>("/ai/status");
    return res.data ?? { configured: false };
  } catch {
    return { configured: false };
  }
}

export default function AiGenerate() {
  const [status] = createResource(
    () => selectedApp() ?? "",
    (app) => loadStatus(app || null),
  );
  const configured = () => !!status.latest?.configured;
  const [phase, setPhase] = createSignal<"prompt" | "preview" | "applied">("prompt");
  // Kept here so that "Regenerate" shows it again; "Generate Another" clears it.
  const [prompt, setPrompt] = createSignal("");
  const [rawJson, setRawJson] = createSignal("");
  const [result, setResult] = createSignal<ImportResult | null>(null);

  const subtitle = () => {
    const model = status.latest?.model ? ` using ${status.latest.model}` : "";
    const app = selectedApp();
    return (app ? `Generate schema for ${app}` : "Describe your application to create a new app with AI-generated schema") + model;
  };

  return (
    <div>
      <PageHeader title="AI Schema Generator" subtitle={subtitle()} />
      <Show when={status.state === "ready" && !configured()}>
        <NotConfigured />
      </Show>
      <Switch>
        <Match when={phase() === "prompt"}>
          <PromptPhase
            configured={configured()}
            prompt={prompt()}
            onPrompt={setPrompt}
            onGenerated={(schema) => {
              setRawJson(JSON.stringify(schema, null, 2));
              setPhase("preview");
            }}
          />
        </Match>
        <Match when={phase() === "preview"}>
          <PreviewPhase
            raw={rawJson()}
            onRaw={setRawJson}
            onBack={() => setPhase("prompt")}
            onApplied={(r) => {
              setResult(r);
              setPhase("applied");
            }}
          />
        </Match>
        <Match when={phase() === "applied"}>
          <AppliedPhase
            result={result()!}
            onAgain={() => {
              setPhase("prompt");
              setRawJson("");
              setResult(null);
              setPrompt("");
            }}
          />
        </Match>
      </Switch>
    </div>
  );
}

function NotConfigured() {
  return (
    <div
      role="note"
      aria-labelledby="ai-not-configured"
      class="mb-6 rounded-lg border border-yellow-300 bg-yellow-50 p-4 text-sm text-yellow-900 dark:border-yellow-700 dark:bg-yellow-900/20 dark:text-yellow-100"
    >
      <h2 id="ai-not-configured" class="mb-2 font-semibold">
        AI Provider Not Configured
      </h2>
      <p>
        Set the base URL, the API key and the model of any OpenAI-compatible chat-completions endpoint (OpenAI, Groq, Together, Ollama…) in
        the server's configuration, then restart it. The generator is configured only when all three are set.
      </p>
      <div class="mt-3 grid gap-3 md:grid-cols-2">
        <div>
          <p class="mb-1 font-medium">
            In <code>app.yaml</code>
          </p>
          <pre class="code-block">{`ai:\n  base_url: https://api.openai.com/v1\n  api_key: sk-...\n  model: gpt-4o-mini`}</pre>
        </div>
        <div>
          <p class="mb-1 font-medium">Or in the environment</p>
          <pre class="code-block">{`ROCKET_AI_BASE_URL=http://localhost:11434/v1\nROCKET_AI_API_KEY=ollama\nROCKET_AI_MODEL=llama3.1`}</pre>
        </div>
      </div>
      <p class="mt-2 text-xs">
        Keys: <code>ai.base_url</code>, <code>ai.api_key</code>, <code>ai.model</code> (environment <code>ROCKET_AI_BASE_URL</code>,{" "}
        <code>ROCKET_AI_API_KEY</code>, <code>ROCKET_AI_MODEL</code>, which win over the file). The key is sent only to that endpoint.
      </p>
    </div>
  );
}

function PromptPhase(props: { configured: boolean; prompt: string; onPrompt: (v: string) => void; onGenerated: (schema: Doc) => void }) {
  const [name, setName] = createSignal("");
  const [display, setDisplay] = createSignal("");
  const [driver, setDriver] = createSignal("sqlite");
  const [busy, setBusy] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  const newApp = () => !selectedApp();
  const disabled = () => !props.configured || busy();

  const createApp = async (): Promise<boolean> => {
    if (!name().trim()) {
      setError("App name is required");
      return false;
    }
    if (!SLUG.test(name())) {
      setError("App name must start with a lowercase letter and contain only lowercase letters, digits, - and _");
      return false;
    }
    try {
      await platform.post("/apps", { name: name(), display_name: display().trim() || name(), db_driver: driver() });
    } catch (e) {
      setError(errorMessage(e, "Failed to create app"));
      return false;
    }
    selectApp(name());
    reloadApps();
    toast.success(`App "${name()}" created`);
    return true;
  };

  const generate = async (e: Event) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    try {
      if (newApp() && !(await createApp())) return;
      const res = await api.post<{ schema: Doc }>("/_admin/ai/generate", { prompt: props.prompt });
      props.onGenerated(res.data.schema);
    } catch (err) {
      setError(errorMessage(err, "Failed to generate schema. Please try again."));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form class="space-y-6" onSubmit={generate} aria-label="Generate schema">
      <Show when={newApp()}>
        <div class="card p-4">
          <h2 class="section-title">New App Details</h2>
          <div class="form-row">
            <TextField
              label="App Name (URL-safe slug)"
              pattern="^[a-z][a-z0-9_-]*$"
              placeholder="e.g. ecommerce"
              disabled={disabled()}
              value={name()}
              onInput={setName}
            />
            <TextField
              label="Display Name"
              placeholder="e.g. E-Commerce Store"
              disabled={disabled()}
              value={display()}
              onInput={setDisplay}
            />
          </div>
          <SelectField
            class="mt-4"
            label="Database"
            value={driver()}
            onChange={setDriver}
            disabled={disabled()}
            options={[
              ["sqlite", "SQLite"],
              ["postgres", "PostgreSQL"],
            ]}
          />
        </div>
      </Show>
      <div class="card p-4">
        <ErrorBanner message={error()} />
        <FormField label="Describe your application">
          {(id) => (
            <textarea
              id={id}
              class="input"
              rows={8}
              disabled={disabled()}
              placeholder="What does the app manage? Which records, how they relate, which statuses they go through, who may do what?"
              value={props.prompt}
              onInput={(e) => props.onPrompt(e.currentTarget.value)}
            />
          )}
        </FormField>
        <div class="mt-3 flex flex-wrap items-center gap-2 text-sm">
          <span class="text-gray-500 dark:text-gray-400">Or try an example:</span>
          <For each={EXAMPLES}>
            {([label, text]) => (
              <button type="button" class="btn btn-secondary btn-sm" disabled={disabled()} onClick={() => props.onPrompt(text)}>
                {label}
              </button>
            )}
          </For>
        </div>
        <button type="submit" class="btn btn-primary mt-4" disabled={disabled() || !props.prompt.trim() || (newApp() && !name().trim())}>
          <Show when={busy()}>
            <Spinner />
          </Show>
          {busy()
            ? newApp()
              ? "Creating App & Generating..."
              : "Generating..."
            : newApp()
              ? "Create App & Generate Schema"
              : "Generate Schema"}
        </button>
      </div>
    </form>
  );
}

function PreviewPhase(props: { raw: string; onRaw: (v: string) => void; onBack: () => void; onApplied: (r: ImportResult) => void }) {
  const [tab, setTab] = createSignal("entities");
  const [applying, setApplying] = createSignal(false);
  const [error, setError] = createSignal<string | null>(null);
  // The last document that parsed: the section tabs keep showing it while Raw JSON is being edited.
  const doc = createMemo<Doc>((prev) => {
    try {
      const v = JSON.parse(props.raw);
      return v && typeof v === "object" && !Array.isArray(v) ? v : prev;
    } catch {
      return prev;
    }
  }, {});

  const apply = async () => {
    setError(null);
    let body: Doc;
    try {
      body = JSON.parse(props.raw);
    } catch {
      setError("Invalid JSON. Please fix the Raw JSON tab before applying.");
      return;
    }
    setApplying(true);
    try {
      const res = await api.post<ImportResult>("/_admin/import", body);
      reloadSchema();
      toast.success("Schema applied successfully");
      props.onApplied(res.data ?? {});
    } catch (e) {
      setError(errorMessage(e, "Failed to apply schema."));
    } finally {
      setApplying(false);
    }
  };

  return (
    <div class="card p-4">
      <ErrorBanner message={error()} />
      <div class="mb-4 flex flex-wrap gap-2" data-testid="schema-badges">
        <For each={BADGE_SECTIONS.filter((k) => count(doc(), k) > 0)}>
          {(k) => (
            <Badge color="blue">
              {count(doc(), k)} {k.replace(/_/g, " ")}
            </Badge>
          )}
        </For>
      </div>
      <div role="tablist" aria-label="Generated schema" class="mb-3 flex flex-wrap gap-1 border-b border-gray-200 dark:border-gray-700">
        <For each={[...TABS, ["raw", "Raw JSON"] as [string, string]]}>
          {([key, label]) => (
            <Tab selected={tab() === key} onSelect={() => setTab(key)}>
              {key === "raw" ? label : `${label} (${count(doc(), key)})`}
            </Tab>
          )}
        </For>
      </div>
      <div role="tabpanel" aria-label={tab() === "raw" ? "Raw JSON" : (TABS.find(([k]) => k === tab())?.[1] ?? "")}>
        <Show when={tab() === "raw"} fallback={<pre class="code-block max-h-[500px]">{JSON.stringify(doc()[tab()] ?? [], null, 2)}</pre>}>
          <textarea
            class="input font-mono text-xs"
            rows={24}
            aria-label="Raw JSON"
            spellcheck={false}
            value={props.raw}
            onInput={(e) => props.onRaw(e.currentTarget.value)}
          />
        </Show>
      </div>
      <div class="mt-4 flex flex-wrap gap-2">
        <button class="btn btn-secondary" disabled={applying()} onClick={props.onBack}>
          Regenerate
        </button>
        <button class="btn btn-primary" disabled={applying()} onClick={apply}>
          {applying() ? "Applying..." : "Apply Schema"}
        </button>
      </div>
    </div>
  );
}

function Tab(props: { selected: boolean; onSelect: () => void; children: JSX.Element }) {
  return (
    <button
      role="tab"
      aria-selected={props.selected}
      class={`-mb-px border-b-2 px-3 py-1.5 text-sm ${
        props.selected
          ? "border-blue-600 font-medium text-blue-700 dark:border-blue-400 dark:text-blue-300"
          : "border-transparent text-gray-600 hover:text-gray-900 dark:text-gray-400 dark:hover:text-gray-100"
      }`}
      onClick={props.onSelect}
    >
      {props.children}
    </button>
  );
}

function AppliedPhase(props: { result: ImportResult; onAgain: () => void }) {
  const navigate = useNavigate();
  const counts = () => Object.entries(props.result.summary ?? {}).filter(([, n]) => n > 0);
  return (
    <div class="space-y-4">
      <div
        role="status"
        class="rounded-lg border border-green-300 bg-green-50 p-4 text-sm text-green-900 dark:border-green-700 dark:bg-green-900/20 dark:text-green-100"
      >
        <p class="font-medium">{props.result.message ?? "Import completed"}</p>
        <div class="mt-2 flex flex-wrap gap-2">
          <For each={counts()}>
            {([k, n]) => (
              <Badge color="green">
                {n} {k.replace(/_/g, " ")}
              </Badge>
            )}
          </For>
        </div>
      </div>
      <Show when={props.result.errors?.length}>
        <div
          role="alert"
          class="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-800 dark:border-red-800 dark:bg-red-900/30 dark:text-red-200"
        >
          <p class="font-medium">Some items had errors:</p>
          <ul class="mt-2 list-disc pl-5">
            <For each={props.result.errors}>{(e) => <li>{e}</li>}</For>
          </ul>
        </div>
      </Show>
      <div class="flex flex-wrap gap-2">
        <button class="btn btn-primary" onClick={() => navigate("/entities")}>
          View Entities
        </button>
        <button class="btn btn-secondary" onClick={() => navigate("/data")}>
          Browse Data
        </button>
        <button class="btn btn-secondary" onClick={props.onAgain}>
          Generate Another
        </button>
      </div>
    </div>
  );
}
