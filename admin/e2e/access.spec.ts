// Access and integrations screens (spec 17 §5.16–§5.21): users, invites,
// permissions with a row-level condition proved by an app user, webhooks against a
// local receiver and their delivery logs, UI configs with export and import.
import { APIRequestContext, Browser, expect, Page, test } from "@playwright/test";
import { createHmac } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import { AddressInfo } from "node:net";
import { adminApi, baseURL, createApp, data, login, shot, useApp } from "./helpers";

const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** A fresh app with a `note` entity; the browser signed in with the app selected. */
async function setup(page: Page, prefix: string): Promise<{ api: APIRequestContext; app: string }> {
  const api = await adminApi();
  const app = await createApp(api, unique(prefix));
  const res = await api.post(`/api/${app}/_admin/entities`, {
    data: {
      name: "note",
      table: "notes",
      primary_key: { field: "id", type: "uuid", generated: true },
      fields: [
        { name: "id", type: "uuid" },
        { name: "title", type: "string", required: true },
        { name: "status", type: "string" },
        { name: "priority", type: "int" },
      ],
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  await login(page);
  await page.goto("/admin/apps");
  await useApp(page, app);
  return { api, app };
}

test("users: validation in the banner, create, edit, delete", async ({ page }) => {
  const { api, app } = await setup(page, "acc_users");
  await page.goto("/admin/users");
  await expect(page.getByRole("heading", { name: "Users" })).toBeVisible();
  await expect(page.getByTestId("users-table")).toContainText("admin@localhost");
  await shot(page, "access-users");

  await page.getByRole("button", { name: "Create User" }).click();
  const dialog = page.getByRole("dialog", { name: "Create User" });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Email is required");
  await dialog.getByLabel("Email").fill("ann@example.com");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Password is required for new users");
  // The server's own refusal lands in the same banner: a taken email is a 409.
  await dialog.getByLabel("Email").fill("admin@localhost");
  await dialog.getByLabel("Password", { exact: true }).fill("secret-pass-1");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("A user with this email already exists");
  await shot(page, "access-users-modal-error");

  await dialog.getByLabel("Email").fill("ann@example.com");
  await dialog.getByLabel("Roles (comma-separated)").fill("editor, viewer ,");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("toast-success")).toContainText("User created");
  const row = page.getByTestId("users-table").getByRole("row", { name: /ann@example\.com/ });
  await expect(row).toContainText("editor");
  let users = await data<{ id: string; email: string; roles: string[]; active: boolean }[]>(api, `/api/${app}/_admin/users`);
  expect(users.find((u) => u.email === "ann@example.com")).toMatchObject({ roles: ["editor", "viewer"], active: true });

  await row.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit User" });
  await expect(edit.getByLabel("Password (leave blank to keep current)")).toHaveAttribute("placeholder", "Unchanged");
  await edit.getByLabel("Roles (comma-separated)").fill("manager");
  await edit.getByLabel("Active").uncheck();
  await shot(page, "access-users-modal-edit");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("toast-success").filter({ hasText: "User updated" })).toBeVisible();
  await expect(row).toContainText("manager");
  await expect(row).toContainText("no");
  users = await data(api, `/api/${app}/_admin/users`);
  expect(users.find((u) => u.email === "ann@example.com")).toMatchObject({ roles: ["manager"], active: false });
  // The password was left blank: the old one still works once the user is active again.
  const id = users.find((u) => u.email === "ann@example.com")!.id;
  await api.put(`/api/${app}/_admin/users/${id}`, { data: { email: "ann@example.com", roles: ["manager"], active: true } });
  const signIn = await api.post(`/api/${app}/auth/login`, { data: { email: "ann@example.com", password: "secret-pass-1" } });
  expect(signIn.status()).toBe(200);

  await page.reload();
  await row.getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete User" });
  await expect(confirm).toContainText("Are you sure you want to delete this user? This action cannot be undone.");
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("toast-success").filter({ hasText: "User deleted" })).toBeVisible();
  await expect(row).toHaveCount(0);
  users = await data(api, `/api/${app}/_admin/users`);
  expect(users.map((u) => u.email)).not.toContain("ann@example.com");
});

test("invites: send one and copy its token, bulk with a duplicate skipped, revoke", async ({ page, context }) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  const { api, app } = await setup(page, "acc_inv");
  await page.goto("/admin/invites");
  await expect(page.getByTestId("invites-table")).toContainText("No invites yet.");
  await shot(page, "access-invites-empty");

  await page.getByRole("button", { name: "Send Invite" }).click();
  let dialog = page.getByRole("dialog", { name: "Send Invite" });
  await dialog.getByRole("button", { name: "Send Invite" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Email is required");
  await dialog.getByLabel("Email").fill("bob@example.com");
  await dialog.getByLabel("Roles (comma-separated)").fill("editor");
  await shot(page, "access-invites-send");
  await dialog.getByRole("button", { name: "Send Invite" }).click();
  await expect(page.getByTestId("toast-success")).toContainText("Invite created");
  dialog = page.getByRole("dialog", { name: "Invite Created" });
  const tokenBox = dialog.getByLabel("Invite token");
  const shown = await tokenBox.inputValue();
  const invites = await data<{ email: string; token: string; id: string }[]>(api, `/api/${app}/_admin/invites`);
  expect(shown).toBe(invites.find((i) => i.email === "bob@example.com")!.token);
  await dialog.getByRole("button", { name: "Copy" }).click();
  await expect(dialog.getByRole("button", { name: "Copied!" })).toBeVisible();
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shown);
  await shot(page, "access-invites-created");
  await dialog.getByRole("button", { name: "Done" }).click();
  const bobRow = page.getByTestId("invites-table").getByRole("row", { name: /bob@example\.com/ });
  await expect(bobRow).toContainText("pending");

  // Bulk: bob already has a pending invite and is skipped; two new ones are created.
  await page.getByRole("button", { name: "Bulk Invite" }).click();
  dialog = page.getByRole("dialog", { name: "Bulk Invite" });
  await dialog.getByRole("button", { name: "Send Invites" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Enter at least one email address");
  await dialog.getByLabel("Email Addresses").fill("carol@example.com\nbob@example.com, dave@example.com\n\n");
  await dialog.getByLabel("Roles for all invitees (comma-separated)").fill("viewer");
  await shot(page, "access-invites-bulk");
  await dialog.getByRole("button", { name: "Send Invites" }).click();
  await expect(page.getByTestId("toast-success").filter({ hasText: "Created 2 of 3 invites" })).toBeVisible();
  dialog = page.getByRole("dialog", { name: "Bulk Invite Results" });
  await expect(dialog.getByTestId("bulk-summary")).toHaveText("Created 2 of 3 invites (1 skipped)");
  await expect(dialog.getByTestId("bulk-skipped")).toContainText("bob@example.com");
  await expect(dialog.getByTestId("bulk-skipped")).toContainText("A pending invite already exists for this email");
  await expect(dialog.getByTestId("bulk-created")).toContainText("carol@example.com");
  await dialog.getByRole("button", { name: "Copy All Tokens" }).click();
  const all = await data<{ email: string; token: string; roles: string[] }[]>(api, `/api/${app}/_admin/invites`);
  const line = (email: string) => `${email}\t${all.find((i) => i.email === email)!.token}`;
  const copied = (await page.evaluate(() => navigator.clipboard.readText())).split("\n").sort();
  expect(copied).toEqual([line("carol@example.com"), line("dave@example.com")].sort());
  expect(all.find((i) => i.email === "dave@example.com")!.roles).toEqual(["viewer"]);
  await shot(page, "access-invites-bulk-results");
  await dialog.getByRole("button", { name: "Done" }).click();
  await expect(page.getByTestId("invites-table").getByRole("row")).toHaveCount(4);

  await bobRow.getByRole("button", { name: "Revoke" }).click();
  const confirm = page.getByRole("dialog", { name: "Revoke Invite" });
  await expect(confirm).toContainText("The token will no longer be valid.");
  await shot(page, "access-invites-revoke-confirm");
  await confirm.getByRole("button", { name: "Revoke" }).click();
  await expect(page.getByTestId("toast-success").filter({ hasText: "Invite revoked" })).toBeVisible();
  await expect(bobRow).toHaveCount(0);
  const left = await data<{ email: string }[]>(api, `/api/${app}/_admin/invites`);
  expect(left.map((i) => i.email).sort()).toEqual(["carol@example.com", "dave@example.com"]);
  // The revoked token no longer activates an account.
  const accept = await api.post(`/api/${app}/auth/accept-invite`, { data: { token: shown, password: "pw-123456" } });
  expect(accept.status()).toBe(404);

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(page.getByTestId("invites-table")).toContainText("carol@example.com");
  expect(await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)).toBeLessThanOrEqual(0);
  await shot(page, "access-invites-phone");
});

/**
 * Signs in as an app user in a second browser context (POST /api/{app}/auth/login)
 * and lists `entity` there with the app token. Kept apart so that it can later drive
 * the UI's data browser in app-user mode instead.
 */
/**
 * Signs in as an app user through the admin's "Sign in as an app user" form in a
 * second browser context, opens the data browser on `entity` and returns the rows
 * it shows (the `title` column), sorted. The user sees only the data browser and
 * the playground, only the entities they hold a permission on, and no write
 * buttons without write permissions.
 */
async function listAsAppUser(browser: Browser, app: string, email: string, password: string, entity: string) {
  const ctx = await browser.newContext({ baseURL: baseURL() });
  try {
    const page = await ctx.newPage();
    await page.goto("/admin/login");
    await page.getByRole("button", { name: "Sign in as an app user instead" }).click();
    await page.getByLabel("App").fill(app);
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await expect(page).toHaveURL(/\/admin\/data$/);
    const nav = page.getByRole("navigation", { name: "Main" });
    await expect(nav.getByRole("link")).toHaveText(["Data Browser", "API Playground"].map((l) => new RegExp(l)));
    await expect(page.getByTestId("identity")).toHaveText(email);
    await page.goto(`/admin/data/${entity}`);
    const table = page.getByTestId("records-table");
    await expect(table).toBeVisible();
    await expect(page.getByRole("button", { name: "Create Record" })).toHaveCount(0);
    await expect(table.getByRole("button", { name: "Delete" })).toHaveCount(0);
    // An admin-only screen sends the app user back to the data browser.
    await page.goto("/admin/permissions");
    await expect(page).toHaveURL(/\/admin\/data$/);
    await page.goto(`/admin/data/${entity}`);
    await expect(table).toBeVisible();
    const headers = await table.locator("thead th").allInnerTexts();
    const col = headers.findIndex((h) => h.trim().toLowerCase().startsWith("title"));
    expect(col, headers.join("|")).toBeGreaterThan(0);
    await page.waitForLoadState("networkidle");
    const rows = table.locator("tbody tr");
    const empty = (await rows.count()) === 1 && (await rows.first().locator("td").count()) === 1;
    const titles = empty ? [] : await rows.locator(`td:nth-child(${col + 1})`).allInnerTexts();
    await shot(page, "access-app-user-data");
    return titles.map((t) => ({ title: t.trim() })).sort((a, b) => a.title.localeCompare(b.title));
  } finally {
    await ctx.close();
  }
}

test("permissions: a row-level condition built in the editor limits what a viewer reads", async ({ page, browser }) => {
  const { api, app } = await setup(page, "acc_perm");
  for (const [title, status, priority] of [
    ["a-public", "public", 1],
    ["b-public-low", "public", 9],
    ["c-private", "private", 1],
  ] as const) {
    const r = await api.post(`/api/${app}/note`, { data: { title, status, priority } });
    expect(r.status()).toBe(201);
  }
  await page.goto("/admin/permissions");
  await expect(page.getByTestId("permissions-table")).toContainText("No permissions yet. Create one to define access policies.");
  await expect(page.getByText("Access is a whitelist")).toBeVisible();

  await page.getByRole("button", { name: "Create Permission" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Permission" });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Entity is required");
  await dialog.getByLabel("Entity").selectOption("note");
  await expect(dialog.getByLabel("Action")).toHaveValue("read");
  await dialog.getByLabel("Roles (comma-separated)").fill("viewer");
  await dialog.getByRole("button", { name: "+ Add Condition" }).click();
  await dialog.getByLabel("Condition 1 field").fill("status");
  await dialog.getByLabel("Condition 1 value").fill("public");
  await dialog.getByRole("button", { name: "+ Add Condition" }).click();
  await dialog.getByLabel("Condition 2 field").fill("priority");
  await dialog.getByLabel("Condition 2 operator").selectOption("in");
  await expect(dialog.getByLabel("Condition 2 value")).toHaveAttribute("placeholder", "val1,val2,val3");
  await dialog.getByLabel("Condition 2 value").fill("1, 2,3");
  // A condition on a field the entity lacks is refused by the server, shown in the banner.
  await dialog.getByRole("button", { name: "+ Add Condition" }).click();
  await dialog.getByLabel("Condition 3 field").fill("nope");
  await dialog.getByLabel("Condition 3 value").fill("x");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("condition field nope is not a field of note");
  await dialog.getByRole("button", { name: "Remove condition 3" }).click();
  await shot(page, "access-permissions-editor");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("toast-success")).toContainText("Permission created");
  const row = page.getByTestId("permissions-table").getByRole("row", { name: /note/ });
  await expect(row).toContainText("read");
  await expect(row).toContainText("2 conditions");

  // Stored typed: a string, and the in-list as an array of numbers (fixes §10.12).
  const perms = await data<{ id: string; entity: string; action: string; roles: string[]; conditions: unknown }[]>(
    api,
    `/api/${app}/_admin/permissions`,
  );
  expect(perms).toHaveLength(1);
  expect(perms[0]).toMatchObject({
    entity: "note",
    action: "read",
    roles: ["viewer"],
    conditions: [
      { field: "status", operator: "eq", value: "public" },
      { field: "priority", operator: "in", value: [1, 2, 3] },
    ],
  });
  await shot(page, "access-permissions");

  // The effect: a viewer reads only the public rows with priority 1–3.
  const viewer = await api.post(`/api/${app}/_admin/users`, {
    data: { email: "viewer@example.com", password: "viewer-pass-1", roles: ["viewer"] },
  });
  expect(viewer.status()).toBe(201);
  const seen = await listAsAppUser(browser, app, "viewer@example.com", "viewer-pass-1", "note");
  expect(seen.map((r) => r.title)).toEqual(["a-public"]);

  // The editor reopens the stored conditions as typed; an edit keeps them.
  await row.getByRole("button", { name: "Edit" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Permission" });
  await expect(edit.getByLabel("Condition 2 value")).toHaveValue("1, 2, 3");
  await edit.getByLabel("Condition 2 value").fill("1, 9");
  await edit.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("toast-success").filter({ hasText: "Permission updated" })).toBeVisible();
  const after = await listAsAppUser(browser, app, "viewer@example.com", "viewer-pass-1", "note");
  expect(after.map((r) => r.title)).toEqual(["a-public", "b-public-low"]);

  // Matrix view, in dark mode: the read cell lists the role, other cells are denied.
  await page.evaluate(() => localStorage.setItem("rocket_theme", "dark"));
  await page.reload();
  await page.getByRole("button", { name: "Matrix" }).click();
  const matrix = page.getByTestId("permissions-matrix");
  const noteRow = matrix.getByRole("row", { name: /note/ });
  await expect(noteRow.getByRole("cell").nth(0)).toContainText("viewer");
  await expect(noteRow.getByRole("cell").nth(1)).toContainText("denied");
  await shot(page, "access-permissions-matrix-dark");
  // A matrix cell opens the editor preset to its entity and action.
  await noteRow.getByRole("button", { name: "Add delete permission on note" }).click();
  const preset = page.getByRole("dialog", { name: "Create Permission" });
  await expect(preset.getByLabel("Entity")).toHaveValue("note");
  await expect(preset.getByLabel("Action")).toHaveValue("delete");
  await preset.getByRole("button", { name: "Cancel" }).click();

  await page.getByRole("button", { name: "Table" }).click();
  await row.getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete Permission" }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByTestId("toast-success").filter({ hasText: "Permission deleted" })).toBeVisible();
  expect(await data<unknown[]>(api, `/api/${app}/_admin/permissions`)).toHaveLength(0);
});

test("ui configs: create with _app, edit, export, import with skips and failures", async ({ page }) => {
  const { api, app } = await setup(page, "acc_ui");
  await page.goto("/admin/ui-configs");
  await expect(page.getByTestId("ui-configs-table")).toContainText("No UI configs yet. Create one to customize entity display.");
  await expect(page.getByRole("button", { name: "Export" })).toBeDisabled();

  await page.getByRole("button", { name: "Create UI Config" }).click();
  let dialog = page.getByRole("dialog", { name: "Create UI Config" });
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Entity is required");
  await dialog.getByLabel("Entity").selectOption("_app");
  await dialog.getByLabel("Config (JSON)").fill('{"dashboard": {"title": "Hi"');
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Invalid JSON in config");
  await dialog.getByLabel("Config (JSON)").fill('{"dashboard": {"title": "Hi", "widgets": []}}');
  await shot(page, "access-ui-configs-editor");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("toast-success")).toContainText("UI config created");

  await page.getByRole("button", { name: "Create UI Config" }).click();
  dialog = page.getByRole("dialog", { name: "Create UI Config" });
  await dialog.getByLabel("Entity").selectOption("note");
  await dialog.getByLabel("Scope").fill("");
  await dialog
    .getByLabel("Config (JSON)")
    .fill('{"list": {"columns": ["title"]}, "detail": {"sections": [{"title": "A", "fields": ["title"]}]}}');
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("toast-success").filter({ hasText: "UI config created" })).toHaveCount(2);
  const table = page.getByTestId("ui-configs-table");
  const noteRow = table.getByRole("row", { name: /^note/ });
  await expect(noteRow).toContainText("default");
  await expect(noteRow).toContainText("1 section(s)");

  await noteRow.getByRole("button", { name: "Edit" }).click();
  dialog = page.getByRole("dialog", { name: "Edit UI Config" });
  await expect(dialog.getByLabel("Entity")).toBeDisabled();
  await dialog.getByLabel("Config (JSON)").fill('{"list": {"columns": ["title", "status"]}, "sidebar": {"group": "Work"}}');
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("toast-success").filter({ hasText: "UI config updated" })).toBeVisible();
  await expect(noteRow.getByRole("cell").nth(3)).toHaveText("-");
  await expect(noteRow.getByRole("cell").nth(5)).toHaveText("Configured");
  let stored = await data<{ entity: string; scope: string; config: unknown }[]>(api, `/api/${app}/_admin/ui-configs`);
  expect(stored.find((c) => c.entity === "note")!.config).toEqual({ list: { columns: ["title", "status"] }, sidebar: { group: "Work" } });
  await shot(page, "access-ui-configs");

  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Export" }).click()]);
  expect(download.suggestedFilename()).toBe("ui-configs.json");
  const exported = JSON.parse(readFileSync(await download.path(), "utf8"));
  expect(exported).toEqual([
    { entity: "_app", scope: "default", config: { dashboard: { title: "Hi", widgets: [] } } },
    { entity: "note", scope: "default", config: { list: { columns: ["title", "status"] }, sidebar: { group: "Work" } } },
  ]);
  await expect(page.getByTestId("toast-success").filter({ hasText: "Exported 2 UI config(s)" })).toBeVisible();

  // Import: the export wrapped as in the example bundles, plus a new scope, an entry
  // without config, and one the server refuses (unknown entity).
  const bundle = {
    ui_configs: [
      ...exported,
      { entity: "note", scope: "mobile", config: { list: { columns: ["title"] } } },
      { entity: "note", scope: "broken" },
      { entity: "ghost", config: {} },
    ],
  };
  const chooser = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Import" }).click();
  await (await chooser).setFiles({ name: "bundle.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(bundle)) });
  await expect(page.getByTestId("toast-error")).toContainText("Import: 1 created, 2 skipped (already exist), 2 failed");
  await expect(table.getByRole("row", { name: /mobile/ })).toBeVisible();
  stored = await data(api, `/api/${app}/_admin/ui-configs`);
  expect(stored.map((c) => `${c.entity}/${c.scope}`).sort()).toEqual(["_app/default", "note/default", "note/mobile"]);

  const bad = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Import" }).click();
  await (await bad).setFiles({ name: "bad.json", mimeType: "application/json", buffer: Buffer.from("{nope") });
  await expect(page.getByTestId("toast-error").filter({ hasText: "Invalid JSON file" })).toBeVisible();
  const wrong = page.waitForEvent("filechooser");
  await page.getByRole("button", { name: "Import" }).click();
  await (await wrong).setFiles({ name: "wrong.json", mimeType: "application/json", buffer: Buffer.from('{"configs": []}') });
  await expect(
    page.getByTestId("toast-error").filter({ hasText: 'Expected a JSON array or an object with a "ui_configs" array' }),
  ).toBeVisible();

  await table
    .getByRole("row", { name: /mobile/ })
    .getByRole("button", { name: "Delete" })
    .click();
  const confirm = page.getByRole("dialog", { name: "Delete UI Config" });
  await expect(confirm).toContainText("The client will revert to default display.");
  await confirm.getByRole("button", { name: "Delete" }).click();
  await expect(table.getByRole("row", { name: /mobile/ })).toHaveCount(0);
  expect(await data<unknown[]>(api, `/api/${app}/_admin/ui-configs`)).toHaveLength(2);
});

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** A local webhook receiver on a random port: 500 under /fail, 200 elsewhere. */
async function startReceiver() {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      const fail = (req.url ?? "").startsWith("/fail");
      res.writeHead(fail ? 500 : 200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(fail ? { error: "receiver down" } : { ok: true }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

test("webhooks: created in the UI, delivered to a local receiver, logs with retry and the detail drawer", async ({ page }) => {
  const { api, app } = await setup(page, "acc_hook");
  const receiver = await startReceiver();
  try {
    await page.goto("/admin/webhooks");
    await expect(page.getByTestId("webhooks-table")).toContainText(
      "No webhooks yet. Create one to trigger HTTP callouts on entity writes.",
    );
    await shot(page, "access-webhooks-empty");

    await page.getByRole("button", { name: "Create Webhook" }).click();
    let dialog = page.getByRole("dialog", { name: "Create Webhook" });
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(dialog.getByTestId("error-banner")).toHaveText("Entity is required");
    await dialog.getByLabel("Entity").selectOption("note");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(dialog.getByTestId("error-banner")).toHaveText("URL is required");
    await dialog.getByLabel("URL").fill("ftp://example.com");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(dialog.getByTestId("error-banner")).toHaveText("URL must start with http:// or https://");
    await dialog.getByLabel("URL").fill(`${receiver.url}/ok`);
    await dialog.getByLabel("Headers (JSON)").fill('{"X-Test": "yes"');
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(dialog.getByTestId("error-banner")).toHaveText("Invalid JSON in headers");
    await dialog.getByLabel("Headers (JSON)").fill('{"X-Test": "yes"}');
    await expect(dialog.getByLabel("Async (fire after commit, with retries)")).toBeChecked();
    await dialog.getByLabel("Condition 1 field").fill("record.status");
    await dialog.getByLabel("Condition 1 value").fill("public");
    await expect(dialog.getByTestId("expression-preview")).toHaveText('record.status == "public"');
    // A synchronous hook turns Async off; the help names the veto statuses.
    await dialog.getByLabel("Hook", { exact: true }).selectOption("before_write");
    await expect(dialog.getByLabel("Async (fire after commit, with retries)")).not.toBeChecked();
    await expect(dialog).toContainText("a 4xx answer rejects the write (422)");
    await dialog.getByLabel("Hook", { exact: true }).selectOption("after_write");
    await shot(page, "access-webhooks-editor");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("toast-success")).toContainText("Webhook created");
    dialog = page.getByRole("dialog", { name: "Webhook Created" });
    const secret = await dialog.getByLabel("Signing secret").inputValue();
    expect(secret).toMatch(/^whsec_/);
    await shot(page, "access-webhooks-secret");
    await dialog.getByRole("button", { name: "Done" }).click();

    const hooks = await data<
      { id: string; url: string; headers: unknown; condition: string; async: boolean; retry: unknown; hook: string }[]
    >(api, `/api/${app}/_admin/webhooks`);
    expect(hooks).toHaveLength(1);
    expect(hooks[0]).toMatchObject({
      hook: "after_write",
      url: `${receiver.url}/ok`,
      headers: { "X-Test": "yes" },
      condition: 'record.status == "public"',
      async: true,
      retry: { max_attempts: 3, backoff: "exponential" },
    });
    const okId = hooks[0].id;

    // A failing receiver, set up through the API and then edited in the UI.
    const failing = await api.post(`/api/${app}/_admin/webhooks`, { data: { entity: "note", url: `${receiver.url}/fail` } });
    expect(failing.status()).toBe(201);
    const failId = (await failing.json()).data.id as string;
    await page.reload();
    const failRow = page.getByTestId("webhooks-table").getByRole("row", { name: /\/fail/ });
    await expect(failRow).toContainText("Async");
    await shot(page, "access-webhooks");
    await failRow.getByRole("button", { name: "Edit" }).click();
    dialog = page.getByRole("dialog", { name: "Edit Webhook" });
    await dialog.getByLabel("Max Retry Attempts").fill("4");
    await dialog.getByRole("button", { name: "Save" }).click();
    await expect(page.getByTestId("toast-success").filter({ hasText: "Webhook updated" })).toBeVisible();
    const edited = await data<{ retry: unknown }>(api, `/api/${app}/_admin/webhooks/${failId}`);
    expect(edited.retry).toEqual({ max_attempts: 4, backoff: "exponential" });

    // A private note does not meet the condition; a public one fires both webhooks.
    expect((await api.post(`/api/${app}/note`, { data: { title: "hidden", status: "private" } })).status()).toBe(201);
    expect((await api.post(`/api/${app}/note`, { data: { title: "shown", status: "public" } })).status()).toBe(201);
    await expect.poll(() => receiver.received.filter((r) => r.path === "/ok").length, { timeout: 15_000 }).toBe(1);
    const got = receiver.received.find((r) => r.path === "/ok")!;
    expect(JSON.parse(got.body)).toMatchObject({ event: "after_write", entity: "note", action: "create", record: { title: "shown" } });
    expect(got.headers["x-test"]).toBe("yes");
    expect(got.headers["x-rocket-signature"]).toBe(`sha256=${createHmac("sha256", secret).update(got.body).digest("hex")}`);
    await expect.poll(() => receiver.received.filter((r) => r.path === "/fail").length, { timeout: 15_000 }).toBe(2);

    await page.goto("/admin/webhook-logs");
    const logs = page.getByTestId("webhook-logs-table");
    const okRow = logs.getByRole("row", { name: /\/ok/ });
    const failLogRow = logs.getByRole("row", { name: /\/fail/ });
    await expect(okRow).toContainText("delivered");
    await expect(okRow).toContainText("200");
    await expect(okRow).toContainText("1/3");
    await expect(failLogRow).toHaveCount(2);
    await expect(failLogRow.first()).toContainText("retrying");
    await expect(failLogRow.first()).toContainText("500");
    await expect(failLogRow.first()).toContainText("HTTP 500");
    await expect(failLogRow.first()).toContainText("1/4");
    await shot(page, "access-webhook-logs");

    await failLogRow.first().getByRole("button", { name: "Retry" }).click();
    await expect(page.getByTestId("toast-success")).toContainText("Webhook log queued for retry");
    await expect.poll(() => receiver.received.filter((r) => r.path === "/fail").length, { timeout: 15_000 }).toBe(3);

    // Filters: by status, and by webhook id through the Logs link of the webhooks page.
    await page.getByLabel("Status").selectOption("delivered");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(logs.getByRole("row")).toHaveCount(2);
    await expect(page).toHaveURL(/status=delivered/);
    await page.getByLabel("Status").selectOption("failed");
    await page.getByRole("button", { name: "Filter" }).click();
    await expect(logs).toContainText("No webhook logs found. Logs appear here when webhooks are triggered.");

    await page.evaluate(() => localStorage.setItem("rocket_theme", "dark"));
    await page.goto("/admin/webhooks");
    await page.getByTestId("webhooks-table").getByRole("row", { name: /\/ok/ }).getByRole("link", { name: /Logs/ }).click();
    await expect(page).toHaveURL(new RegExp(`webhook_id=${okId}`));
    await expect(page.getByLabel("Webhook ID")).toHaveValue(okId);
    await expect(logs.getByRole("row")).toHaveCount(2);

    // The detail drawer reads GET /_admin/webhook-logs/{id}.
    const [detail] = await Promise.all([
      page.waitForResponse((r) => /\/_admin\/webhook-logs\/[0-9a-f-]{36}$/.test(r.url())),
      okRow.click(),
    ]);
    expect(detail.status()).toBe(200);
    const drawer = page.getByRole("dialog", { name: "Webhook delivery" });
    await expect(drawer).toContainText('"title": "shown"');
    await expect(drawer).toContainText('"X-Test": "yes"');
    await expect(drawer).toContainText('"ok": true');
    await expect(drawer).toContainText(JSON.parse(got.body).idempotency_key);
    await shot(page, "access-webhook-logs-drawer-dark");
    await page.keyboard.press("Escape");
    await expect(drawer).toHaveCount(0);

    await page.goto("/admin/webhooks");
    await failRow.getByRole("button", { name: "Delete" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete Webhook" });
    await expect(confirm).toContainText("All associated delivery logs will also be deleted.");
    await confirm.getByRole("button", { name: "Delete" }).click();
    await expect(page.getByTestId("toast-success").filter({ hasText: "Webhook deleted" })).toBeVisible();
    expect((await data<{ id: string }[]>(api, `/api/${app}/_admin/webhooks`)).map((w) => w.id)).toEqual([okId]);
    expect(await data<unknown[]>(api, `/api/${app}/_admin/webhook-logs?webhook_id=${failId}`)).toHaveLength(0);
  } finally {
    await receiver.close();
  }
});
