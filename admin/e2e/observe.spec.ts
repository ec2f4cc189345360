// Overview, events, trace, event stats, API playground, AI generator and help
// (spec 17 §5.3, §5.14, §5.15, §5.22–§5.25) against the real server.
import { APIRequestContext, expect, test } from "@playwright/test";
import { adminApi, createApp, login, openApp, shot, useApp } from "./helpers";

const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1000)}`;

/** An app with `customer` (3 records) and `purchase` (2), related one_to_many. */
async function shopApp(api: APIRequestContext): Promise<string> {
  const app = await createApp(api, unique("obs"));
  const post = async (path: string, data: unknown) => {
    const res = await api.post(`/api/${app}${path}`, { data });
    expect(res.status(), await res.text()).toBe(201);
    return (await res.json()).data;
  };
  const pk = { field: "id", type: "uuid", generated: true };
  await post("/_admin/entities", {
    name: "customer",
    table: "customers",
    primary_key: pk,
    fields: [
      { name: "id", type: "uuid" },
      { name: "name", type: "string", required: true },
      { name: "qty", type: "int" },
      { name: "vip", type: "boolean" },
      { name: "created_at", type: "timestamp", auto: "create" },
    ],
  });
  await post("/_admin/entities", {
    name: "purchase",
    table: "purchases",
    primary_key: pk,
    fields: [
      { name: "id", type: "uuid" },
      { name: "customer_id", type: "uuid" },
      { name: "total", type: "decimal" },
    ],
  });
  await post("/_admin/relations", {
    name: "purchases",
    type: "one_to_many",
    source: "customer",
    target: "purchase",
    source_key: "id",
    target_key: "customer_id",
  });
  const ids: string[] = [];
  for (const name of ["apple", "banana", "cherry"]) ids.push((await post("/customer", { name, qty: 1 })).id);
  await post("/purchase", { customer_id: ids[0], total: 10 });
  await post("/purchase", { customer_id: ids[0], total: 20 });
  return app;
}

/** Waits until the instrumentation has flushed at least `min` events of the app (100 ms batches). */
async function waitForEvents(api: APIRequestContext, app: string, min: number) {
  await expect
    .poll(async () => (await (await api.get(`/api/${app}/_events?per_page=1`)).json()).pagination.total, { timeout: 10_000 })
    .toBeGreaterThanOrEqual(min);
}

test("overview: the cards count entities, records, relations and users and lead to their pages", async ({ page }) => {
  const api = await adminApi();
  const app = await shopApp(api);
  // The app's seeded admin, one active and one disabled user: 3 users, 2 active.
  for (const [email, active] of [
    ["ann@example.com", true],
    ["bob@example.com", false],
  ] as const) {
    const res = await api.post(`/api/${app}/_admin/users`, { data: { email, password: "secret-pass", roles: ["staff"], active } });
    expect(res.status()).toBe(201);
  }
  await openApp(page, app, "/dashboard");
  await expect(page.getByRole("heading", { name: "Overview", level: 1 })).toBeVisible();
  await expect(page.getByTestId("stat-Entities")).toHaveText("2");
  await expect(page.getByTestId("stat-Total Records")).toHaveText("5");
  await expect(page.getByTestId("stat-Relations")).toHaveText("1");
  await expect(page.getByTestId("stat-Users")).toHaveText("3");
  await expect(page.getByRole("link", { name: /^Users: 3/ })).toContainText("2 active");
  await expect(page.getByRole("link", { name: /customer.*3 records/ })).toBeVisible();
  await expect(page.getByRole("link", { name: /purchase.*2 records/ })).toBeVisible();
  await expect(page.getByTestId("line-Rules")).toHaveText("0 / 0");
  await expect(page.getByTestId("line-Failed Deliveries")).toHaveText("0");
  await expect(page.getByText("needs attention")).toHaveCount(0);
  await shot(page, "observe-dashboard");

  await page.getByRole("link", { name: /^Relations: 1/ }).click();
  await expect(page).toHaveURL(/\/admin\/relations$/);
  await page.goBack();
  await page.getByRole("link", { name: /customer.*3 records/ }).click();
  await expect(page).toHaveURL(/\/admin\/data\/customer$/);
});

test("events: the feed lists traffic, filters by source, and a row opens its trace waterfall", async ({ page }) => {
  const api = await adminApi();
  const app = await shopApp(api);
  expect((await api.get(`/api/${app}/customer/00000000-0000-0000-0000-000000000000`)).status()).toBe(404);
  await waitForEvents(api, app, 10);

  await openApp(page, app, "/events");
  const table = page.getByTestId("events-table");
  await expect(table.getByRole("row").nth(1)).toBeVisible();
  await expect(table).toContainText("record.create");
  await shot(page, "observe-events");

  await page.getByLabel("Source").selectOption("engine");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(table.getByRole("cell", { name: "http", exact: true })).toHaveCount(0);
  const sources = await table.locator("tbody tr td:first-child").allTextContents();
  expect(sources.length).toBeGreaterThan(0);
  expect(new Set(sources)).toEqual(new Set(["engine"]));
  await page.getByLabel("Status").selectOption("error");
  await page.getByRole("button", { name: "Filter" }).click();
  await expect(table.getByRole("row")).toHaveCount(2);
  await expect(table).toContainText("record.get");
  await shot(page, "observe-events-filtered");

  // The failed get's trace: the http request and its record.get.
  await table.getByRole("row", { name: /record\.get/ }).click();
  await expect(page).toHaveURL(/\/admin\/events\/trace\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(/^Trace: [0-9a-f-]{8}$/);
  await expect(page.getByText(/^Total duration: \d+\.\d\dms$/)).toBeVisible();
  const spans = page.getByTestId("span");
  await expect(spans).toHaveCount(2);
  await expect(spans.nth(0)).toContainText("handler / request");
  await expect(spans.nth(1)).toContainText("handler / record.get");
  // A true waterfall: the root bar starts at 0, its children start later.
  const styles = await spans.getByTestId("span-bar").evaluateAll((bars) => bars.map((b) => parseFloat((b as HTMLElement).style.left)));
  expect(styles[0]).toBe(0);
  expect(styles[1]).toBeGreaterThan(0);

  await spans.nth(1).getByRole("button").click();
  await expect(spans.nth(1).getByText("Metadata")).toBeVisible();
  await expect(spans.nth(1)).toContainText("not found");
  await shot(page, "observe-trace");
  await spans.nth(1).getByRole("button").click();
  await expect(spans.nth(1).getByText("Metadata")).toHaveCount(0);

  await page.getByRole("button", { name: "← Back" }).click();
  await expect(page).toHaveURL(/\/admin\/events$/);

  await page.goto("/admin/events/trace/00000000-0000-0000-0000-000000000000");
  await expect(page.getByTestId("error-banner")).toHaveText("Trace not found: 00000000-0000-0000-0000-000000000000");
  await shot(page, "observe-trace-not-found");
  await page.getByRole("button", { name: "Back to Events" }).click();
  await expect(page).toHaveURL(/\/admin\/events$/);
});

test("events: auto-refresh reloads every 5 s and stops when the page is left", async ({ page }) => {
  test.setTimeout(40_000);
  const api = await adminApi();
  const app = await createApp(api, unique("obs_auto"));
  await openApp(page, app, "/events");
  await expect(page.getByTestId("events-table")).toBeVisible();
  let calls = 0;
  page.on("request", (r) => {
    if (new URL(r.url()).pathname === `/api/${app}/_events`) calls++;
  });
  await page.getByLabel("Auto-refresh").check();
  await expect.poll(() => calls, { timeout: 8_000 }).toBeGreaterThanOrEqual(1);
  await page.getByRole("link", { name: "Event Stats" }).click();
  await expect(page).toHaveURL(/\/admin\/events\/stats$/);
  const after = calls;
  await page.waitForTimeout(6_000);
  expect(calls).toBe(after);
});

test("event stats: cards and the by-source table show the server's numbers", async ({ page }) => {
  const api = await adminApi();
  const app = await shopApp(api);
  await waitForEvents(api, app, 10);
  await openApp(page, app, "/events/stats");
  await expect(page.getByRole("heading", { name: "Event Stats", level: 1 })).toBeVisible();
  const card = (name: string) => page.getByRole("group", { name });
  await expect(card("Total Events")).toContainText(/\d+/);
  const total = Number((await card("Total Events").locator("p").nth(1).textContent())?.replace(/\D/g, ""));
  expect(total).toBeGreaterThanOrEqual(10);
  await expect(card("Avg Latency")).toContainText(/\d+\.\d\dms/);
  await expect(card("P95 Latency")).toContainText(/\d+\.\d\dms/);
  await expect(card("Error Rate")).toContainText(/\d+\.\d%/);
  const bySource = page.getByTestId("stats-by-source");
  await expect(bySource.getByRole("row", { name: /^http/ })).toBeVisible();
  await expect(bySource.getByRole("row", { name: /^engine/ })).toBeVisible();
  await shot(page, "observe-stats");

  await page.getByLabel("Entity").selectOption("purchase");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(bySource.getByRole("row", { name: /^http/ })).toHaveCount(0);
  await expect(bySource.getByRole("row", { name: /^engine/ })).toBeVisible();
});

test("playground: list with a filter, create from the template, invalid JSON, a 404 without logout, history", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const api = await adminApi();
  const app = await shopApp(api);
  await openApp(page, app, "/playground");
  await expect(page.getByText("Send a request to see the response here.")).toBeVisible();
  const send = page.getByRole("button", { name: "Send Request" });
  await expect(send).toBeDisabled();

  await page.getByLabel("Entity").selectOption("customer");
  await page.getByRole("button", { name: "+ Add Filter" }).click();
  await page.getByLabel("Filter 1 field").selectOption("name");
  await page.getByLabel("Filter 1 value").fill("apple");
  await page.getByLabel("Per Page").fill("10");
  await page.getByRole("button", { name: "Toggle include purchases" }).click();
  await expect(page.getByRole("textbox", { name: "Include" })).toHaveValue("purchases");
  await expect(page.getByTestId("url-preview")).toHaveText(`GET /api/${app}/customer?filter[name]=apple&include=purchases&per_page=10`);
  await send.click();
  const status = page.getByTestId("response-status");
  await expect(status).toContainText("200");
  await expect(status).toContainText(/\d+ms/);
  const body = page.getByTestId("response-body");
  await expect(body).toContainText('"name": "apple"');
  await expect(body).not.toContainText("banana");
  await expect(body).toContainText('"total": 10');
  await page.getByRole("button", { name: "Show Headers" }).click();
  await expect(page.getByTestId("response-headers")).toContainText("x-trace-id:");
  await page.getByRole("button", { name: "Copy", exact: true }).click();
  await expect(page.getByTestId("toast-success")).toContainText("Response copied to clipboard");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('"apple"');
  await shot(page, "observe-playground-list");

  // POST: the body is the template of the writable fields; fill in the name.
  await page.getByLabel("Method").selectOption("POST");
  const bodyField = page.getByLabel("Request Body (JSON)");
  const template = JSON.parse(await bodyField.inputValue());
  expect(template).toEqual({ name: "", qty: 0, vip: false });
  await bodyField.fill(JSON.stringify({ ...template, name: "durian", qty: 4 }));
  await expect(page.getByTestId("url-preview")).toHaveText(`POST /api/${app}/customer`);
  await send.click();
  await expect(status).toContainText("201");
  const stored = await (await api.get(`/api/${app}/customer?filter[name]=durian`)).json();
  expect(stored.meta.total).toBe(1);
  expect(stored.data[0]).toMatchObject({ name: "durian", qty: 4, vip: false });
  await page.getByRole("button", { name: "Reset Template" }).click();
  expect(JSON.parse(await bodyField.inputValue())).toEqual(template);

  await bodyField.fill("{not json");
  await send.click();
  await expect(page.getByTestId("toast-error")).toContainText("Invalid JSON in request body");

  // A 404 is a response like any other: shown, and the session stays.
  await page.getByLabel("Method").selectOption("GET_BY_ID");
  await expect(send).toBeDisabled();
  await page.getByLabel("Record ID").fill("00000000-0000-0000-0000-000000000000");
  await send.click();
  await expect(status).toContainText("404");
  await expect(status).toContainText("Not Found");
  await expect(body).toContainText("NOT_FOUND");
  await expect(page).toHaveURL(/\/admin\/playground$/);
  expect(await page.evaluate(() => localStorage.getItem("rocket_access_token"))).toBeTruthy();
  await shot(page, "observe-playground-404");

  // History: newest first; a click restores entity and method.
  await page.getByRole("button", { name: "History (3)" }).click();
  const history = page.getByRole("region", { name: "Recent Requests" });
  await expect(history.getByRole("listitem")).toHaveCount(3);
  await expect(history.getByRole("listitem").first()).toContainText("404");
  await page.getByLabel("Entity").selectOption("purchase");
  await page.getByLabel("Method").selectOption("DELETE");
  await history.getByRole("button", { name: /POST.*customer/ }).click();
  await expect(page.getByLabel("Entity")).toHaveValue("customer");
  await expect(page.getByLabel("Method")).toHaveValue("POST");
  await shot(page, "observe-playground-history");
  await page.getByRole("button", { name: "Hide History" }).click();
  await expect(history).toHaveCount(0);
});

test("AI generator: without a provider the box names our configuration keys and inputs are disabled", async ({ page }) => {
  const api = await adminApi();
  const status = (await (await api.get("/api/_platform/ai/status")).json()).data;
  test.skip(status.configured, "this server has an AI provider configured");
  const app = await createApp(api, unique("obs_ai"));
  await login(page);
  await page.goto("/admin/ai-generate");
  await expect(page.getByText("Describe your application to create a new app with AI-generated schema")).toBeVisible();
  const box = page.getByRole("note", { name: "AI Provider Not Configured" });
  await expect(box).toBeVisible();
  for (const key of ["ai.base_url", "ai.api_key", "ai.model", "ROCKET_AI_BASE_URL", "ROCKET_AI_API_KEY", "ROCKET_AI_MODEL"]) {
    await expect(box).toContainText(key);
  }
  await expect(page.getByLabel("App Name (URL-safe slug)")).toBeDisabled();
  await expect(page.getByLabel("Describe your application")).toBeDisabled();
  await expect(page.getByRole("button", { name: "Helpdesk" })).toBeDisabled();
  await expect(page.getByRole("button", { name: "Create App & Generate Schema" })).toBeDisabled();
  await shot(page, "observe-ai-not-configured");

  await useApp(page, app);
  await page.reload();
  await expect(page.getByText(`Generate schema for ${app}`)).toBeVisible();
  await expect(page.getByRole("note", { name: "AI Provider Not Configured" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Generate Schema" })).toBeDisabled();
  // The server refuses too (501), whatever the page shows.
  const res = await api.post(`/api/${app}/_admin/ai/generate`, { data: { prompt: "a shop" } });
  expect(res.status()).toBe(501);
});

test("AI generator: create an app, preview the generated schema, apply it through the real import", async ({ page }) => {
  // The provider's answer is stubbed at the browser (no AI service here); app creation and import are real.
  const app = unique("obs_gen");
  const schema = {
    version: 1,
    entities: [
      {
        name: "author",
        table: "authors",
        primary_key: { field: "id", type: "uuid", generated: true },
        fields: [
          { name: "id", type: "uuid" },
          { name: "name", type: "string", required: true },
        ],
      },
      {
        name: "post",
        table: "posts",
        primary_key: { field: "id", type: "uuid", generated: true },
        fields: [
          { name: "id", type: "uuid" },
          { name: "title", type: "string", required: true },
          { name: "author_id", type: "uuid" },
        ],
      },
    ],
    relations: [{ name: "posts", type: "one_to_many", source: "author", target: "post", source_key: "id", target_key: "author_id" }],
    permissions: [{ entity: "post", action: "read", roles: ["reader"], conditions: [] }],
    sample_data: { author: [{ name: "Ada" }, { name: "Grace" }] },
  };
  await page.route("**/ai/status", (r) => r.fulfill({ json: { data: { configured: true, model: "stub-model" } } }));
  let prompt = "";
  let providerDown = true;
  await page.route("**/_admin/ai/generate", (r) => {
    prompt = r.request().postDataJSON().prompt;
    return providerDown
      ? r.fulfill({ status: 502, json: { error: { code: "AI_REQUEST_FAILED", message: "Failed to connect to AI provider: refused" } } })
      : r.fulfill({ json: { data: { schema } } });
  });

  await login(page);
  await page.goto("/admin/ai-generate");
  await expect(page.getByText("Describe your application to create a new app with AI-generated schema using stub-model")).toBeVisible();
  await expect(page.getByRole("note", { name: "AI Provider Not Configured" })).toHaveCount(0);
  await page.getByRole("button", { name: "Blog / CMS" }).click();
  await expect(page.getByLabel("Describe your application")).toHaveValue(/many-to-many/);
  const go = page.getByRole("button", { name: "Create App & Generate Schema" });
  await expect(go).toBeDisabled();
  await page.getByLabel("App Name (URL-safe slug)").fill(app);
  await page.getByLabel("Database").selectOption("sqlite");
  await go.click();
  await expect(page.getByTestId("toast-success").first()).toContainText(`App "${app}" created`);
  expect(prompt).toContain("editorial flow");
  // The app exists and is selected; the provider's error shows in the form's banner.
  await expect(page.getByTestId("error-banner")).toHaveText("Failed to connect to AI provider: refused");
  await expect(page.getByText(`Generate schema for ${app} using stub-model`)).toBeVisible();
  await expect(page.getByTestId("app-switcher").locator("option", { hasText: app })).toHaveCount(1);
  providerDown = false;
  await page.getByRole("button", { name: "Generate Schema" }).click();

  const badges = page.getByTestId("schema-badges");
  await expect(badges).toContainText("2 entities");
  await expect(badges).toContainText("1 relations");
  await expect(badges).toContainText("1 permissions");
  await expect(page.getByRole("tab", { name: "Sample Data (2)" })).toBeVisible();
  await expect(page.getByRole("tab", { name: "Entities (2)" })).toHaveAttribute("aria-selected", "true");
  await expect(page.getByRole("tabpanel")).toContainText('"name": "author"');
  await shot(page, "observe-ai-preview");

  await page.getByRole("button", { name: "Regenerate" }).click();
  await expect(page.getByLabel("Describe your application")).toHaveValue(/editorial flow/);
  await page.getByRole("button", { name: "Generate Schema" }).click();

  await page.getByRole("tab", { name: "Raw JSON" }).click();
  const rawJson = page.getByLabel("Raw JSON", { exact: true }).and(page.locator("textarea"));
  const original = await rawJson.inputValue();
  await rawJson.fill(original.slice(0, -3));
  await page.getByRole("button", { name: "Apply Schema" }).click();
  await expect(page.getByTestId("error-banner")).toHaveText("Invalid JSON. Please fix the Raw JSON tab before applying.");
  await rawJson.fill(original);
  await page.getByRole("button", { name: "Apply Schema" }).click();
  await expect(page.getByTestId("toast-success").last()).toContainText("Schema applied successfully");
  await expect(page.getByRole("status").filter({ hasText: "Import completed" })).toContainText("2 entities");
  await expect(page.getByRole("status").filter({ hasText: "Import completed" })).toContainText("2 records");
  await shot(page, "observe-ai-applied");

  const api = await adminApi();
  const names = (await (await api.get(`/api/${app}/_admin/entities`)).json()).data.map((e: { name: string }) => e.name);
  expect(names).toEqual(["author", "post"]);
  expect((await (await api.get(`/api/${app}/author`)).json()).meta.total).toBe(2);

  await page.getByRole("button", { name: "Generate Another" }).click();
  await expect(page.getByLabel("Describe your application")).toHaveValue("");
  await page.getByRole("button", { name: "Helpdesk" }).click();
  await page.getByRole("button", { name: "Generate Schema" }).click();
  await page.getByRole("button", { name: "Apply Schema" }).click();
  // Applied again: every item exists already and is skipped.
  await expect(page.getByRole("status").filter({ hasText: "Import completed" })).not.toContainText("entities");
  await page.getByRole("button", { name: "View Entities" }).click();
  await expect(page).toHaveURL(/\/admin\/entities$/);
});

test("help: index by category, a topic from the docs with copy, prev/next, unknown topic, dark and phone", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await login(page);
  await page.getByRole("link", { name: "Help & Documentation" }).click();
  await expect(page).toHaveURL(/\/admin\/help$/);
  await expect(page.getByRole("heading", { name: "Help & Documentation", level: 1 })).toBeVisible();
  const groups = await page.getByRole("heading", { level: 2 }).allTextContents();
  expect(groups).toEqual(["Basics", "Data", "Business Logic", "Security", "Advanced"]);
  for (const title of [
    "Getting Started",
    "CRUD & Querying",
    "Nested Writes",
    "Validation Rules",
    "File Uploads",
    "Schema Export/Import",
    "API Reference",
  ]) {
    await expect(page.getByRole("link", { name: new RegExp(`^${title.replace(/[/&]/g, ".")}`) })).toBeVisible();
  }
  await shot(page, "observe-help-index");

  await page.getByRole("link", { name: /Entities/ }).click();
  await expect(page).toHaveURL(/\/admin\/help\/entities$/);
  await expect(page.getByRole("navigation", { name: "Breadcrumb" })).toHaveText("Help / Entities");
  await expect(page.getByRole("navigation", { name: "Help topics" }).getByRole("link", { name: "Entities" })).toHaveAttribute(
    "aria-current",
    "page",
  );
  const content = page.getByTestId("help-content");
  await expect(content).toContainText("primary_key.generated");
  await expect(content.getByRole("heading", { name: "Entity definition" })).toBeVisible();
  await expect(content.locator(".help-verb-post").first()).toHaveText("POST");
  const firstCode = content.locator("figure").first();
  await firstCode.getByRole("button", { name: "Copy" }).click();
  await expect(firstCode.getByRole("button", { name: "Copied!" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toContain('"primary_key"');
  await expect(firstCode.getByRole("button", { name: "Copy" })).toBeVisible({ timeout: 3_000 });
  await shot(page, "observe-help-topic");

  const pager = page.getByRole("navigation", { name: "Previous and next topic" });
  await pager.getByRole("link", { name: "Relations →" }).click();
  await expect(page).toHaveURL(/\/admin\/help\/relations$/);
  await expect(page.getByRole("heading", { name: "Relations", level: 1 })).toBeVisible();
  await expect(page.getByTestId("help-content")).toContainText("many_to_many");
  await pager.getByRole("link", { name: "← Entities" }).click();
  await expect(page).toHaveURL(/\/admin\/help\/entities$/);
  await page.goto("/admin/help/getting-started");
  await expect(pager.getByRole("link", { name: /^←/ })).toHaveCount(0);
  await expect(page.getByTestId("help-content")).toContainText("rocket_shop.db");
  // Links between the docs lead to the topic that shows the linked document.
  await page.getByTestId("help-content").getByRole("link", { name: "configuration", exact: true }).last().click();
  await expect(page).toHaveURL(/\/admin\/help\/configuration$/);
  await expect(page.getByTestId("help-content")).toContainText("ROCKET_AI_MODEL");

  await page.goto("/admin/help/no-such-topic");
  await expect(page.getByText("Topic not found.")).toBeVisible();
  await shot(page, "observe-help-not-found");
  await page.getByRole("link", { name: "Back to Help" }).click();
  await expect(page).toHaveURL(/\/admin\/help$/);

  await page.evaluate(() => localStorage.setItem("rocket_theme", "dark"));
  await page.goto("/admin/help/webhooks");
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expect(page.getByTestId("help-content")).toContainText("after_write");
  await shot(page, "observe-help-topic-dark");

  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/admin/help/crud-and-querying");
  await expect(page.getByTestId("help-content")).toContainText("filter[<field>]");
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await shot(page, "observe-help-phone");
});

test("phone width: events and the playground fit 390 px; the dashboard in dark mode", async ({ page }) => {
  const api = await adminApi();
  const app = await shopApp(api);
  await waitForEvents(api, app, 5);
  await page.setViewportSize({ width: 390, height: 844 });
  await openApp(page, app, "/events");
  await expect(page.getByTestId("events-table").getByRole("row").nth(1)).toBeVisible();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await shot(page, "observe-events-phone");
  await page.goto("/admin/playground");
  await page.getByLabel("Entity").selectOption("customer");
  await page.getByRole("button", { name: "+ Add Filter" }).click();
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await shot(page, "observe-playground-phone");

  await page.setViewportSize({ width: 1280, height: 800 });
  await page.evaluate(() => localStorage.setItem("rocket_theme", "dark"));
  await page.goto("/admin/dashboard");
  await expect(page.getByTestId("stat-Total Records")).toHaveText("5");
  await shot(page, "observe-dashboard-dark");
  await page.goto("/admin/events/stats");
  await expect(page.getByRole("group", { name: "Error Rate" })).toContainText("%");
  await shot(page, "observe-stats-dark");
});
