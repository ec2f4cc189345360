// Help topics (spec 17 §5.25): the spec's thirteen slugs plus security, events and
// configuration, each a short note on where it lives in this admin followed by
// sections of the repository's docs, so the help describes this server.
import { slugify, Source } from "./docs";

export const CATEGORIES = ["Basics", "Data", "Business Logic", "Security", "Advanced"] as const;

export interface Topic {
  slug: string;
  title: string;
  subtitle: string;
  category: (typeof CATEGORIES)[number];
  glyph: string;
  /** Markdown about this admin UI, shown before the docs' sections. */
  lead: string;
  sources: Source[];
}

export const TOPICS: Topic[] = [
  {
    slug: "getting-started",
    title: "Getting Started",
    subtitle: "What Rocket is, signing in, and your first app",
    category: "Basics",
    glyph: "🚀",
    lead: `Rocket is a metadata-driven backend: you describe **entities** (tables), **relations**, **rules**,
**state machines**, **workflows**, **permissions** and **webhooks** as JSON, and every app gets a REST API
for its records at once, with validation, filtering, nested writes and row-level security. One server hosts
many **apps**, each with its own database and users.

Key concepts:

* **Platform users** manage apps. This admin signs in with a platform account (the default is
  \`platform@localhost\` / \`changeme\`: change it) and acts as an admin of every app.
* **App users** belong to one app and sign in at \`/api/{app}/auth/login\`. Every new app gets
  \`admin@localhost\` / \`changeme\`.
* **Entities** become tables and endpoints: \`GET/POST /api/{app}/{entity}\`, \`GET/PUT/DELETE /api/{app}/{entity}/{id}\`.

In this admin: **Apps → Create App**, then **Entities → Create Entity**, relate entities under
**Relations**, and add records in the **Data Browser** or the **API Playground**. The walk-through
below does the same with \`curl\`.`,
    sources: [{ doc: "getting-started" }],
  },
  {
    slug: "entities",
    title: "Entities",
    subtitle: "Definitions, field types, primary keys, soft delete",
    category: "Basics",
    glyph: "□",
    lead: `In this admin, **Entities** lists them; **Create Entity** opens the editor (fields, types, required,
unique, default, enum, primary key, soft delete, slug). Saving creates the table or adds the new columns
at once; columns are never dropped, so removing a field only hides it. **Export Schema** and
**Import Schema** on the same page move definitions between apps.`,
    sources: [
      { doc: "api", heading: "Metadata admin: entities and relations", intro: true },
      { doc: "api", heading: "Entity definition" },
      { doc: "getting-started", heading: "4. Define two entities" },
    ],
  },
  {
    slug: "relations",
    title: "Relations",
    subtitle: "One-to-many, many-to-many and one-to-one",
    category: "Basics",
    glyph: "⇄",
    lead: `In this admin, **Relations** lists them and edits them in a form; the **ERD** draws them. A
relation's name is the token for \`include\` and for nested writes.`,
    sources: [
      { doc: "api", heading: "Relation definition" },
      { doc: "getting-started", heading: "5. Relate them (one_to_many)" },
      { doc: "api", heading: "Includes" },
      { doc: "api", heading: "Delete" },
    ],
  },
  {
    slug: "crud-and-querying",
    title: "CRUD & Querying",
    subtitle: "Endpoints, filters, sorting, pagination, includes",
    category: "Data",
    glyph: "▤",
    lead: `In this admin, the **Data Browser** builds these requests from its filter bar, column sorting and
pagination, and the **API Playground** lets you send any of them and read the raw response.`,
    sources: [
      { doc: "api", heading: "Entity endpoints", intro: true },
      { doc: "api", heading: "List: query parameters" },
      { doc: "getting-started", heading: "7. List with filters, sort and include" },
      { doc: "api", heading: "Create and update" },
      { doc: "api", heading: "Optimistic concurrency" },
      { doc: "api", heading: "Conventions" },
      { doc: "api", heading: "Errors" },
    ],
  },
  {
    slug: "nested-writes",
    title: "Nested Writes",
    subtitle: "diff, replace and append in one transaction",
    category: "Data",
    glyph: "⤵",
    lead: `In this admin, the Data Browser's full record editor ("Expand") edits related records with a
write mode per relation and sends them as one nested write.`,
    sources: [
      { doc: "api", heading: "Nested writes" },
      { doc: "getting-started", heading: "6. Create records with a nested write" },
      { doc: "getting-started", heading: "8. Update with a nested write" },
    ],
  },
  {
    slug: "validation-rules",
    title: "Validation Rules",
    subtitle: "Field, expression and computed rules",
    category: "Business Logic",
    glyph: "✓",
    lead: `In this admin, **Rules** lists the rules per entity and edits them; expressions can be built
visually or typed.`,
    sources: [
      { doc: "logic", intro: true },
      { doc: "logic", heading: "Expressions" },
      { doc: "logic", heading: "Rules" },
    ],
  },
  {
    slug: "state-machines",
    title: "State Machines",
    subtitle: "Transitions, guards and actions",
    category: "Business Logic",
    glyph: "⇆",
    lead: `In this admin, **State Machines** edits them in a form or as a diagram.`,
    sources: [{ doc: "logic", heading: "State machines" }],
  },
  {
    slug: "workflows",
    title: "Workflows",
    subtitle: "Steps, approvals, conditions and timeouts",
    category: "Business Logic",
    glyph: "⟳",
    lead: `In this admin, **Workflows** edits them; the **Workflow Monitor** lists running instances and
approves or rejects their approval steps.`,
    sources: [
      { doc: "logic", heading: "Workflows" },
      { doc: "logic", heading: "Worked example: invoices" },
    ],
  },
  {
    slug: "webhooks",
    title: "Webhooks",
    subtitle: "Async and sync hooks, conditions, retries",
    category: "Business Logic",
    glyph: "🔗",
    lead: `In this admin, **Webhooks** edits them and **Webhook Logs** shows every delivery, with a retry for
failed ones.`,
    sources: [{ doc: "webhooks" }],
  },
  {
    slug: "permissions",
    title: "Permissions",
    subtitle: "Whitelist model and row-level security",
    category: "Security",
    glyph: "🔒",
    lead: `In this admin, **Permissions** grants an action on an entity to roles, with optional row
conditions; **Users** and **Invites** manage who holds those roles.

> Admins (the \`admin\` role, and every platform token such as this admin's) bypass all permission checks:
> try a permission with an app user's token, for example in the API Playground after signing in as that user.`,
    sources: [
      { doc: "api", heading: "Permission model" },
      { doc: "api", heading: "Permissions" },
      { doc: "getting-started", heading: "9. A user with a row-level permission" },
      { doc: "api", heading: "Users" },
      { doc: "api", heading: "Invites" },
    ],
  },
  {
    slug: "security",
    title: "Security",
    subtitle: "Threat model, secrets and request limits",
    category: "Security",
    glyph: "🛡",
    lead: `What the server protects, and the settings that bound one request.`,
    sources: [{ doc: "security" }],
  },
  {
    slug: "file-uploads",
    title: "File Uploads",
    subtitle: "Upload, serve and attach files",
    category: "Advanced",
    glyph: "📎",
    lead: `In this admin, a \`file\` field in the Data Browser's record form has an upload control that
posts to \`/_files/upload\` and stores the returned id.`,
    sources: [{ doc: "files" }],
  },
  {
    slug: "schema-export-import",
    title: "Schema Export/Import",
    subtitle: "Backup and portability of a schema",
    category: "Advanced",
    glyph: "⇅",
    lead: `In this admin, **Entities → Export Schema** downloads the document and **Import Schema** posts one;
the **AI Generate** page produces the same format. Users, invites and records are not exported.`,
    sources: [
      { doc: "api", heading: "Export and import" },
      { doc: "cli", heading: "export" },
      { doc: "cli", heading: "import" },
    ],
  },
  {
    slug: "events-and-traces",
    title: "Events & Traces",
    subtitle: "Spans, business events and OpenTelemetry",
    category: "Advanced",
    glyph: "⚡",
    lead: `In this admin, **Events** lists the recorded spans (click one for its trace waterfall) and
**Event Stats** shows latency and error rates per source.`,
    sources: [{ doc: "observability" }],
  },
  {
    slug: "configuration",
    title: "Configuration",
    subtitle: "app.yaml keys and environment variables",
    category: "Advanced",
    glyph: "⚙",
    lead: `The server's settings, including the \`ai.*\` keys that enable the AI Schema Generator.`,
    sources: [{ doc: "configuration" }],
  },
  {
    slug: "api-reference",
    title: "API Reference",
    subtitle: "Every route, parameter and error",
    category: "Advanced",
    glyph: "📖",
    lead: `Every route of the platform and app APIs. An OpenAPI 3.1 document is served at
\`/api/{app}/_openapi.json\` (and \`/api/_platform/openapi.json\`).`,
    sources: [{ doc: "api" }],
  },
];

export const topicBySlug = (slug: string | undefined) => TOPICS.find((t) => t.slug === slug);

/**
 * Where a link of the docs to `doc.md#anchor` leads in the help: the topic that shows
 * that section, else the topic that shows the whole document, else (no anchor) the first
 * one that shows part of it; undefined when no topic shows it.
 */
export function helpHref(doc: string, anchor: string, current: Topic): string | undefined {
  const uses = TOPICS.filter((t) => t.sources.some((s) => s.doc === doc));
  const target =
    (anchor && uses.find((t) => t.sources.some((s) => s.doc === doc && s.heading && slugify(s.heading) === anchor))) ||
    uses.find((t) => t.sources.some((s) => s.doc === doc && !s.heading && !s.intro)) ||
    (anchor ? undefined : uses[0]);
  if (!target) return undefined;
  const hash = anchor ? `#${anchor}` : "";
  return target === current && hash ? hash : `/admin/help/${target.slug}${hash}`;
}
