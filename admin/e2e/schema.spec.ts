// Schema screens (spec 17 §5.4–§5.8): the entity editor (client and server
// errors, Quick Add, enum tags), relations, the onboarding wizard, export and
// import, and the ERD on the graph canvas. Each test makes its own app.
import { APIRequestContext, expect, Page, test } from "@playwright/test";
import { readFileSync } from "node:fs";
import { adminApi, createApp, openApp, shot } from "./helpers";

const unique = (base: string) => `${base}_${Date.now().toString(36)}`;

/** Signs in and opens `path` with `app` selected. */
async function definition(api: APIRequestContext, app: string, kind: "entities" | "relations", name: string) {
  const res = await api.get(`/api/${app}/_admin/${kind}/${name}`);
  expect(res.status(), await res.text()).toBe(200);
  const def = (await res.json()).data.definition;
  return typeof def === "string" ? JSON.parse(def) : def;
}

/** Two entities and a relation through the API, for the screens that only show them. */
async function seedLibrary(api: APIRequestContext, app: string) {
  const pk = { field: "id", type: "uuid", generated: true };
  for (const body of [
    {
      name: "author",
      table: "author",
      primary_key: pk,
      soft_delete: true,
      fields: [
        { name: "id", type: "uuid", required: true },
        { name: "name", type: "string", required: true },
        { name: "email", type: "string", unique: true },
        { name: "created_at", type: "timestamp", required: true, auto: "create" },
      ],
    },
    {
      name: "book",
      table: "book",
      primary_key: pk,
      soft_delete: false,
      fields: [
        { name: "id", type: "uuid", required: true },
        { name: "title", type: "string", required: true },
        { name: "genre", type: "string", enum: ["novel", "essay"] },
        { name: "author_id", type: "uuid" },
      ],
    },
  ]) {
    const res = await api.post(`/api/${app}/_admin/entities`, { data: body });
    expect(res.status(), await res.text()).toBe(201);
  }
  const rel = await api.post(`/api/${app}/_admin/relations`, {
    data: {
      name: "books",
      type: "one_to_many",
      source: "author",
      target: "book",
      source_key: "id",
      target_key: "author_id",
      on_delete: "cascade",
    },
  });
  expect(rel.status(), await rel.text()).toBe(201);
}

const banner = (page: Page) => page.getByTestId("error-banner");
const toastOk = (page: Page, text: string) => expect(page.getByTestId("toast-success").filter({ hasText: text })).toBeVisible();

test("Skip wizard shows the empty list and stays dismissed for the app", async ({ page }) => {
  const api = await adminApi();
  const app = await createApp(api, unique("schema_skip"));
  await openApp(page, app, "/entities");
  await expect(page.getByRole("heading", { name: "Get Started" })).toBeVisible();
  await page.getByRole("button", { name: "Skip wizard" }).click();
  await expect(page.getByRole("heading", { name: "Entities", level: 1 })).toBeVisible();
  await expect(page.getByTestId("entities-table")).toContainText("No entities yet. Create one to get started.");
  expect(await page.evaluate((a) => localStorage.getItem(`rocket_wizard_dismissed_${a}`), app)).toBe("true");
  await page.reload();
  await expect(page.getByTestId("entities-table")).toContainText("No entities yet.");
  await shot(page, "schema-01-entities-empty");
  // An entity that does not exist: the API's message in a toast, no form to save.
  await page.goto("/admin/entities/nope");
  await expect(page.getByTestId("toast-error").filter({ hasText: "Entity not found: nope" })).toBeVisible();
  await expect(page.getByText("This entity could not be loaded.")).toBeVisible();
  await expect(page.getByRole("button", { name: "Save" })).toBeDisabled();
});

test("entity editor: two entities, client and server errors, Quick Add, enum tags, then a relation", async ({ page }) => {
  const api = await adminApi();
  const app = await createApp(api, unique("schema_editor"));
  await openApp(page, app, "/entities");
  await page.getByRole("button", { name: "Skip wizard" }).click();
  await page.getByRole("link", { name: "Create Entity" }).click();
  await expect(page).toHaveURL(/\/admin\/entities\/new$/);
  await expect(page.getByRole("heading", { name: "Create Entity" })).toBeVisible();

  // Client-side validation, in the spec's order.
  await page.getByRole("button", { name: "Save" }).click();
  await expect(banner(page)).toHaveText("Entity name is required");
  await page.getByLabel("Entity Name").fill("author");
  await page.getByRole("button", { name: "+ Add Field" }).click();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(banner(page)).toHaveText("All fields must have a name");
  await shot(page, "schema-02-editor-client-error");

  await page.getByLabel("Field 2 name").fill("name");
  await page.getByLabel("Field 2 required").check();
  await page.getByRole("button", { name: "Quick Add ▾" }).click();
  await page.getByRole("menuitem", { name: /Timestamps/ }).click();
  await toastOk(page, 'Added 2 field(s) from "Timestamps"');
  await page.getByRole("button", { name: "Quick Add ▾" }).click();
  await page.getByRole("menuitem", { name: /Timestamps/ }).click();
  await toastOk(page, 'All fields from "Timestamps" already exist');
  await page.getByRole("button", { name: "+ Add Field" }).click();
  await page.getByLabel("Field 5 name").fill("status");
  const tags = page.getByLabel("Field 5 enum values");
  await tags.fill("draft");
  await tags.press("Enter");
  await tags.fill("published");
  await tags.press("Enter");
  await tags.fill("draft"); // a duplicate is ignored
  await tags.press("Enter");
  await page.getByLabel("Field 5 default").fill("draft");
  // The server's own validation: its message in the banner.
  await page.getByRole("button", { name: "+ Add Field" }).click();
  await page.getByLabel("Field 6 name").fill("Bad Name");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(banner(page)).toContainText('field name "Bad Name" must match');
  await shot(page, "schema-03-editor-server-error");
  await page.getByRole("button", { name: "Remove field 6" }).click();
  await expect(page.getByRole("button", { name: "Remove field 1" })).toHaveCount(0); // the primary key stays
  await shot(page, "schema-04-editor-new");
  await page.getByRole("button", { name: "Save" }).click();
  await toastOk(page, 'Entity "author" created');
  await expect(page).toHaveURL(/\/admin\/entities\/author$/);
  await expect(page.getByRole("heading", { name: "Entity: author" })).toBeVisible();
  await expect(page.getByLabel("Entity Name")).toHaveAttribute("readonly", "");

  const author = await definition(api, app, "entities", "author");
  expect(author.primary_key).toEqual({ field: "id", type: "uuid", generated: true });
  expect(author.soft_delete).toBe(true);
  const byName = Object.fromEntries(author.fields.map((f: { name: string }) => [f.name, f]));
  expect(Object.keys(byName)).toEqual(["id", "name", "created_at", "updated_at", "status"]);
  expect(byName.name).toMatchObject({ type: "string", required: true });
  expect(byName.status).toMatchObject({ type: "string", enum: ["draft", "published"], default: "draft" });
  expect(byName.created_at).toMatchObject({ type: "timestamp", required: true, auto: "create" });
  expect(byName.updated_at).toMatchObject({ type: "timestamp", required: true, auto: "update" });

  // Edit: a slug on a unique field, saved with PUT.
  await page.getByRole("button", { name: "+ Add Field" }).click();
  await page.getByLabel("Field 6 name").fill("handle");
  await page.getByRole("switch", { name: "Enable Slug" }).click();
  await page.getByRole("button", { name: "Save" }).click();
  await expect(banner(page)).toHaveText("Slug is enabled but no slug field is selected");
  await page.getByLabel("Field 6 unique").check();
  await page.getByLabel("Slug Field").selectOption("handle");
  await page.getByLabel("Auto-generate from").selectOption("name");
  await shot(page, "schema-05-editor-edit");
  await page.getByRole("button", { name: "Save" }).click();
  await toastOk(page, 'Entity "author" updated');
  await expect(banner(page)).toHaveCount(0);
  expect((await definition(api, app, "entities", "author")).slug).toEqual({ field: "handle", source: "name", regenerate_on_update: false });

  // The second entity, and a conflict from the server.
  await page.getByRole("button", { name: "Back" }).click();
  await expect(page.getByTestId("entities-table")).toContainText("author");
  await page.getByRole("link", { name: "Create Entity" }).click();
  await page.getByLabel("Entity Name").fill("author");
  await page.getByRole("button", { name: "Save" }).click();
  await expect(banner(page)).toHaveText("Entity already exists: author");
  await page.getByLabel("Entity Name").fill("book");
  await page.getByRole("button", { name: "Quick Add ▾" }).click();
  await page.getByRole("menuitem", { name: /Description/ }).click();
  await page.getByRole("button", { name: "+ Add Field" }).click();
  await page.getByLabel("Field 4 name").fill("author_id");
  await page.getByLabel("Field 4 type").selectOption("uuid");
  await page.getByRole("button", { name: "Save" }).click();
  await toastOk(page, 'Entity "book" created');
  const book = await definition(api, app, "entities", "book");
  expect(book.table).toBe("book");
  expect(book.fields.map((f: { name: string }) => f.name)).toEqual(["id", "title", "description", "author_id"]);

  // The relation editor.
  await page.getByRole("link", { name: "Relations" }).click();
  await expect(page.getByTestId("relations-table")).toContainText("No relations yet. Create one to link entities.");
  await page.getByRole("button", { name: "Create Relation" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Relation" });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Relation name is required");
  await dialog.getByLabel("Name").fill("books");
  await expect(dialog.getByLabel("Type")).toHaveValue("one_to_many");
  await dialog.getByLabel("Source Entity").selectOption("author");
  await dialog.getByLabel("Target Entity").selectOption("book");
  await dialog.getByLabel("Target Key").fill("author_idx");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("error-banner")).toContainText("target_key author_idx is not a field of book");
  await dialog.getByLabel("Target Key").fill("author_id");
  await shot(page, "schema-06-relation-modal");
  await dialog.getByRole("button", { name: "Save" }).click();
  await toastOk(page, 'Relation "books" created');
  const row = page.getByTestId("relations-table").getByRole("row", { name: /books/ });
  await expect(row).toContainText("one to many");
  await expect(row).toContainText("author → book");
  await expect(row).toContainText("diff");
  await shot(page, "schema-07-relations");
  expect(await definition(api, app, "relations", "books")).toMatchObject({
    name: "books",
    type: "one_to_many",
    source: "author",
    target: "book",
    source_key: "id",
    target_key: "author_id",
    ownership: "source",
    on_delete: "cascade",
    fetch: "lazy",
    write_mode: "diff",
  });

  // Edit it: write mode replace.
  await row.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Relation" });
  await edit.getByLabel("Write Mode").selectOption("replace");
  await edit.getByRole("button", { name: "Save" }).click();
  await toastOk(page, 'Relation "books" updated');
  expect((await definition(api, app, "relations", "books")).write_mode).toBe("replace");

  // Deleting an entity from the list goes through the confirm dialog.
  await page.getByRole("link", { name: "Entities", exact: true }).click();
  await page.getByTestId("entities-table").getByRole("row", { name: /book/ }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("dialog", { name: "Delete Entity" })).toContainText('Are you sure you want to delete "book"?');
  await page.getByTestId("confirm-button").click();
  await toastOk(page, 'Entity "book" deleted');
  await expect(page.getByTestId("entities-table").getByRole("row")).toHaveCount(2); // header + author
  expect((await api.get(`/api/${app}/_admin/entities/book`)).status()).toBe(404);
});

test("wizard: Task Tracker through to Complete inserts the sample records", async ({ page }) => {
  const api = await adminApi();
  const app = await createApp(api, unique("schema_wizard"));
  await openApp(page, app, "/entities");
  await expect(page.getByRole("heading", { name: "Welcome to your new app" })).toBeVisible();
  await shot(page, "schema-10-wizard-welcome");
  await page.getByRole("button", { name: "Get Started" }).click();
  await expect(page.getByRole("heading", { name: "Choose a template" })).toBeVisible();
  await expect(page.getByRole("button", { name: /Task Tracker/ })).toContainText("6 fields");
  await expect(page.getByRole("button", { name: /Customer Management/ })).toContainText("6 fields + order entity");
  await expect(page.getByRole("button", { name: /Start from Scratch/ })).toContainText("id + timestamps");
  await shot(page, "schema-11-wizard-presets");
  await page.getByRole("button", { name: /Task Tracker/ }).click();
  await expect(page.getByRole("heading", { name: "Configure your entity" })).toBeVisible();
  await expect(page.getByLabel("Entity Name")).toHaveValue("task");
  await shot(page, "schema-12-wizard-configure");
  await page.getByRole("button", { name: "Create Entity" }).click();
  await toastOk(page, 'Entity "task" created');
  await expect(page.getByRole("heading", { name: "Insert sample data" })).toBeVisible();
  await expect(page.getByRole("table", { name: "Sample task records" }).getByRole("row")).toHaveCount(4);
  await shot(page, "schema-13-wizard-samples");
  await page.getByRole("button", { name: "Insert Sample Data" }).click();
  await toastOk(page, "Inserted 3 sample record(s)");
  await expect(page.getByRole("heading", { name: "Your app is ready!" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Complete" })).toContainText("Records3");
  await shot(page, "schema-14-wizard-complete");

  const list = await api.get(`/api/${app}/task`);
  const body = await list.json();
  expect(body.meta.total).toBe(3);
  expect(body.data.map((r: { priority: string }) => r.priority).sort()).toEqual(["high", "low", "medium"]);
  const task = await definition(api, app, "entities", "task");
  expect(task.fields.find((f: { name: string }) => f.name === "done")).toMatchObject({ type: "boolean", default: false });

  await page.getByRole("button", { name: "Manage Entities" }).click();
  await expect(page.getByTestId("entities-table")).toContainText("task");
  expect(await page.evaluate((a) => localStorage.getItem(`rocket_wizard_dismissed_${a}`), app)).toBe("true");
});

test("wizard: Customer Management creates the related entity, the relation and linked samples", async ({ page }) => {
  const api = await adminApi();
  const app = await createApp(api, unique("schema_crm"));
  await openApp(page, app, "/entities");
  await page.getByRole("button", { name: "Get Started" }).click();
  await page.getByRole("button", { name: /Customer Management/ }).click();
  // The wizard's own validation.
  await page.getByLabel("Entity Name").fill("");
  await page.getByRole("button", { name: "Create Entity" }).click();
  await expect(banner(page)).toHaveText("Entity name is required");
  await page.getByLabel("Entity Name").fill("customer");
  await page.getByRole("button", { name: "Create Entity" }).click();
  await expect(page.getByRole("heading", { name: "Create related entity" })).toBeVisible();
  await expect(page.getByLabel("Entity Name")).toHaveValue("order");
  await shot(page, "schema-15-wizard-second-entity");
  await page.getByRole("button", { name: "Create Entity" }).click();
  await toastOk(page, 'Entity "order" created');
  await expect(page.getByRole("heading", { name: "Create relation" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Create relation" })).toContainText("customer.id");
  await expect(page.getByRole("region", { name: "Create relation" })).toContainText("order.customer_id");
  await shot(page, "schema-16-wizard-relation");
  await page.getByRole("button", { name: "Create Relation" }).click();
  await toastOk(page, 'Relation "orders" created');
  await page.getByRole("button", { name: "Insert Sample Data" }).click();
  await toastOk(page, "Inserted 4 sample record(s)");
  await expect(page.getByRole("region", { name: "Complete" })).toContainText("Entities2");

  expect(await definition(api, app, "relations", "orders")).toMatchObject({
    type: "one_to_many",
    source: "customer",
    target: "order",
    source_key: "id",
    target_key: "customer_id",
    ownership: "source",
    on_delete: "cascade",
  });
  const customers = (await (await api.get(`/api/${app}/customer?per_page=10`)).json()).data as { id: string }[];
  const orders = (await (await api.get(`/api/${app}/order?per_page=10`)).json()).data as { customer_id: string }[];
  expect(customers).toHaveLength(2);
  expect(orders).toHaveLength(2);
  expect(new Set(orders.map((o) => o.customer_id)).size).toBe(1);
  expect(customers.map((c) => c.id)).toContain(orders[0].customer_id);
  await page.getByRole("button", { name: "Browse Data" }).click();
  await expect(page).toHaveURL(/\/admin\/data\/customer$/);
});

test("export the schema, import it into a fresh app, and see the results", async ({ page }) => {
  const api = await adminApi();
  const source = await createApp(api, unique("schema_export"));
  await seedLibrary(api, source);
  await openApp(page, source, "/entities");
  await expect(page.getByTestId("entities-table")).toContainText("author");
  await shot(page, "schema-20-entities-list");
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export Schema" }).click()]);
  await toastOk(page, "Schema exported successfully");
  expect(download.suggestedFilename()).toMatch(/^schema-export-\d{4}-\d{2}-\d{2}\.json$/);
  const file = await download.path();
  const text = readFileSync(file, "utf8");
  expect(text).toContain('\n  "version": 1'); // two-space indent
  const doc = JSON.parse(text);
  expect(Object.keys(doc).sort()).toEqual([
    "entities",
    "exported_at",
    "permissions",
    "relations",
    "rules",
    "state_machines",
    "ui_configs",
    "version",
    "webhooks",
    "workflows",
  ]);
  expect(doc.entities.map((e: { name: string }) => e.name)).toEqual(["author", "book"]);
  expect(doc.relations[0]).toMatchObject({ name: "books", source: "author", target: "book" });

  const target = await createApp(api, unique("schema_import"));
  await page.evaluate((a) => localStorage.setItem("rocket_selected_app", a), target);
  await page.goto("/admin/entities");
  await page.getByRole("button", { name: "Skip wizard" }).click();
  // A file that is not JSON.
  const bad = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Import Schema" }).click();
  await (await bad).setFiles({ name: "broken.json", mimeType: "application/json", buffer: Buffer.from("{ not json") });
  await expect(page.getByTestId("toast-error").filter({ hasText: "Invalid JSON file" })).toBeVisible();

  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Import Schema" }).click();
  await (await chooser).setFiles(file);
  const results = page.getByRole("region", { name: "Import Results" });
  await expect(results).toContainText("entities: 2");
  await expect(results).toContainText("relations: 1");
  await toastOk(page, "Import completed");
  await expect(page.getByTestId("entities-table")).toContainText("author");
  await expect(page.getByTestId("entities-table")).toContainText("book");
  await shot(page, "schema-21-import-results");
  expect(await definition(api, target, "relations", "books")).toMatchObject({ type: "one_to_many", target_key: "author_id" });

  // Importing again: nothing new, and an unsupported version is an error toast.
  const again = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Import Schema" }).click();
  await (await again).setFiles(file);
  await expect(results).toContainText("entities: 0");
  await results.getByRole("button", { name: "Dismiss" }).click();
  await expect(results).toHaveCount(0);
  const v2 = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Import Schema" }).click();
  await (await v2).setFiles({ name: "v2.json", mimeType: "application/json", buffer: Buffer.from('{"version":2}') });
  await expect(page.getByTestId("toast-error").filter({ hasText: "Unsupported export version: 2" })).toBeVisible();
});

test("ERD: one node per entity, the relation's labelled edge, and the detail panel", async ({ page }) => {
  const api = await adminApi();
  const app = await createApp(api, unique("schema_erd"));
  await openApp(page, app, "/erd");
  await expect(page.getByText("No entities defined yet. Create entities to see the ERD.")).toBeVisible();
  await seedLibrary(api, app);
  await page.reload();
  const canvas = page.getByRole("group", { name: "Entity relationship diagram" });
  await expect(canvas.locator("[data-graph-node]")).toHaveCount(2);
  await expect(canvas.locator("[data-graph-edge]")).toHaveCount(1);
  await expect(canvas.locator("[data-graph-edge]")).toContainText("books (1:N)");
  await canvas.getByRole("button", { name: "author" }).click();
  const panel = page.getByRole("complementary", { name: "Entity details" });
  await expect(panel).toContainText("Fields (4)");
  await expect(panel).toContainText("Soft delete enabled");
  await expect(panel).toContainText("Relations (1)");
  await expect(panel).toContainText("author → book via id");
  await expect(canvas.getByRole("button", { name: "author" })).toHaveAttribute("aria-pressed", "true");
  await shot(page, "schema-30-erd-panel");
  // Wheel zoom and drag-to-pan move the view; a pan keeps the selection.
  const svg = canvas.locator("svg").first();
  const box = (await canvas.boundingBox())!;
  const fitted = await svg.getAttribute("viewBox");
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  await page.mouse.wheel(0, -120);
  await expect.poll(() => svg.getAttribute("viewBox")).not.toBe(fitted);
  const zoomed = await svg.getAttribute("viewBox");
  await page.mouse.move(box.x + 30, box.y + box.height - 30);
  await page.mouse.down();
  await page.mouse.move(box.x + 130, box.y + box.height - 80, { steps: 5 });
  await page.mouse.up();
  await expect.poll(() => svg.getAttribute("viewBox")).not.toBe(zoomed);
  await expect(panel).toBeVisible();
  // The toolbar, then a background click clears the selection.
  await canvas.getByRole("button", { name: "Zoom in" }).click();
  await canvas.getByRole("button", { name: "Fit graph to view" }).click();
  for (const name of ["author", "book"]) {
    const node = (await canvas.getByRole("button", { name }).boundingBox())!;
    expect(node.x).toBeGreaterThanOrEqual(box.x);
    expect(node.x + node.width).toBeLessThanOrEqual(box.x + box.width);
  }
  await page.mouse.click(box.x + 20, box.y + box.height - 20);
  await expect(panel).toHaveCount(0);
  // Dark mode.
  await page.evaluate(() => localStorage.setItem("rocket_theme", "dark"));
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await page.getByRole("group", { name: "Entity relationship diagram" }).getByRole("button", { name: "book" }).click();
  await expect(panel).toContainText("Fields (4)");
  await shot(page, "schema-31-erd-dark");
  await panel.getByRole("button", { name: "Edit Entity" }).click();
  await expect(page).toHaveURL(/\/admin\/entities\/book$/);
  await expect(page.getByLabel("Field 3 enum values")).toBeVisible();
  await shot(page, "schema-32-editor-dark");
});

test("the schema screens fit a phone-sized viewport", async ({ page }) => {
  const api = await adminApi();
  const app = await createApp(api, unique("schema_phone"));
  await seedLibrary(api, app);
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, app, "/entities/author");
  await expect(page.getByLabel("Field 2 name")).toHaveValue("name");
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(await overflow()).toBeLessThanOrEqual(0);
  await shot(page, "schema-40-phone-editor");
  for (const path of ["/entities", "/relations", "/erd"]) {
    await page.goto(`/admin${path}`);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    await page.waitForLoadState("networkidle");
    expect(await overflow(), path).toBeLessThanOrEqual(0);
  }
  const canvas = await page.getByRole("group", { name: "Entity relationship diagram" }).boundingBox();
  expect(canvas!.height).toBeGreaterThan(300);
  await shot(page, "schema-41-phone-erd");
});
