// Data Browser (spec 17 §5.13): entities and relations are set up through the API,
// then the screen is driven like a user would: the record editor (FK select by
// display name, file upload, nested child rows and links), inline edit, filters,
// sorting, paging, deletes, bulk actions, a server validation error, CSV export and
// import. What the server stored is checked through the API.
import { APIRequestContext, expect, Page, test } from "@playwright/test";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminApi, createApp, login, shot, useApp } from "./helpers";

type Rec = Record<string, any>;

const uniq = (p: string) => `${p}_${Math.random().toString(36).slice(2, 8)}`;

/** customer 1:N invoice (customer_id), invoice 1:N item (invoice_id), invoice N:N tag. */
async function shop(api: APIRequestContext, app: string) {
  await createApp(api, app);
  const uuidPk = { field: "id", type: "uuid", generated: true };
  const entities = [
    {
      name: "customer",
      table: "customers",
      primary_key: uuidPk,
      fields: [
        { name: "id", type: "uuid" },
        { name: "name", type: "string", required: true },
        { name: "tier", type: "string", enum: ["gold", "silver", "bronze"] },
        { name: "score", type: "int" },
      ],
    },
    {
      name: "invoice",
      table: "invoices",
      primary_key: uuidPk,
      fields: [
        { name: "id", type: "uuid" },
        { name: "number", type: "string", required: true },
        { name: "customer_id", type: "uuid" },
        { name: "paid", type: "boolean" },
        { name: "total", type: "decimal" },
        { name: "attachment", type: "file" },
        { name: "created_at", type: "timestamp", auto: "create" },
      ],
    },
    {
      name: "item",
      table: "items",
      primary_key: uuidPk,
      fields: [
        { name: "id", type: "uuid" },
        { name: "invoice_id", type: "uuid" },
        { name: "sku", type: "string", required: true },
        { name: "qty", type: "int" },
      ],
    },
    {
      name: "tag",
      table: "tags",
      primary_key: uuidPk,
      fields: [
        { name: "id", type: "uuid" },
        { name: "label", type: "string" },
      ],
    },
  ];
  for (const e of entities) {
    const res = await api.post(`/api/${app}/_admin/entities`, { data: e });
    expect(res.status(), await res.text()).toBe(201);
  }
  const relations = [
    { name: "invoices", type: "one_to_many", source: "customer", target: "invoice", source_key: "id", target_key: "customer_id" },
    {
      name: "items",
      type: "one_to_many",
      source: "invoice",
      target: "item",
      source_key: "id",
      target_key: "invoice_id",
      on_delete: "cascade",
    },
    {
      name: "tags",
      type: "many_to_many",
      source: "invoice",
      target: "tag",
      source_key: "id",
      join_table: "invoice_tags",
      source_join_key: "invoice_id",
      target_join_key: "tag_id",
    },
  ];
  for (const r of relations) {
    const res = await api.post(`/api/${app}/_admin/relations`, { data: r });
    expect(res.status(), await res.text()).toBe(201);
  }
}

async function create(api: APIRequestContext, app: string, entity: string, body: Rec): Promise<Rec> {
  const res = await api.post(`/api/${app}/${entity}`, { data: body });
  expect(res.status(), await res.text()).toBe(201);
  return (await res.json()).data;
}

async function list(api: APIRequestContext, app: string, entity: string, query = ""): Promise<{ data: Rec[]; meta: Rec }> {
  const res = await api.get(`/api/${app}/${entity}?per_page=100${query}`);
  expect(res.ok(), await res.text()).toBeTruthy();
  return res.json();
}

/** A toast with this text (earlier ones may still be shown: toasts last 4 s). */
async function expectToast(page: Page, kind: "success" | "error", text: string) {
  await expect(page.getByTestId(`toast-${kind}`).filter({ hasText: text }).last()).toBeVisible();
}

async function open(page: Page, app: string, entity: string) {
  await login(page);
  await page.waitForLoadState("networkidle");
  await useApp(page, app);
  await page.goto(`/admin/data/${entity}`);
  await expect(page.getByRole("heading", { name: "Data Browser" })).toBeVisible();
  await expect(page.getByTestId("records-table")).toBeVisible();
}

const table = (page: Page) => page.getByTestId("records-table");
const dataRows = (page: Page) => table(page).locator("tbody tr");
const rowWith = (page: Page, text: string) => dataRows(page).filter({ hasText: text });
/** The text of one column (by header) of every row, in order. */
async function column(page: Page, header: string): Promise<string[]> {
  const headers = await table(page).locator("thead th").allInnerTexts();
  const i = headers.findIndex((h) => h.trim().toLowerCase().startsWith(header));
  return (
    await dataRows(page)
      .locator(`td:nth-child(${i + 1})`)
      .allInnerTexts()
  ).map((t) => t.trim());
}

// A 1×1 PNG.
const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==", "base64");

test("create a record in the editor: FK picked by display name, file uploaded", async ({ page }) => {
  const api = await adminApi();
  const app = uniq("data_create");
  await shop(api, app);
  const acme = await create(api, app, "customer", { name: "Acme Corp", tier: "gold" });
  await create(api, app, "customer", { name: "Globex", tier: "silver" });
  const dir = mkdtempSync(join(tmpdir(), "rocket-data-"));
  const png = join(dir, "pixel.png");
  writeFileSync(png, PNG);

  await open(page, app, "invoice");
  await expect(table(page)).toContainText("No records found.");
  await shot(page, "data-empty");
  await page.getByRole("button", { name: "Create Record" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Record" });
  await dialog.getByLabel("number").fill("INV-100");
  // The FK select searches the server by the display field.
  const fk = dialog.getByRole("combobox", { name: "customer_id → customer" });
  await fk.fill("acm");
  const options = page.getByRole("listbox", { name: "customer records" }).getByRole("option");
  await expect(options).toHaveCount(1);
  await options.filter({ hasText: "Acme Corp" }).click();
  await expect(fk).toHaveValue("Acme Corp");
  await dialog.getByLabel("paid").check();
  await dialog.getByLabel("total").fill("12.5");
  await dialog.getByLabel("attachment").setInputFiles(png);
  const chip = dialog.getByTestId("file-chip");
  await expect(chip).toContainText("pixel.png (0 KB)");
  await expect(chip.getByRole("img", { name: "Preview of pixel.png" })).toBeVisible();
  await shot(page, "data-editor-file-chip");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expectToast(page, "success", "Record created");
  await expect(dialog).toBeHidden();

  const row = rowWith(page, "INV-100");
  await expect(row).toContainText("Acme Corp");
  await expect(row).toContainText("pixel.png");
  const stored = (await list(api, app, "invoice")).data;
  expect(stored).toHaveLength(1);
  expect(stored[0]).toMatchObject({ number: "INV-100", customer_id: acme.id, paid: true, total: 12.5 });
  expect(stored[0].attachment).toMatchObject({ filename: "pixel.png", size: PNG.length, mime_type: "image/png" });
  const file = await api.get(`/api/${app}/_files/${stored[0].attachment.id}`);
  expect(Buffer.from(await file.body()).equals(PNG)).toBeTruthy();

  // Reopened, the editor shows the stored file; its link downloads with the token.
  await row.getByRole("button", { name: "Expand" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Record" });
  await expect(edit.getByRole("combobox", { name: "customer_id → customer" })).toHaveValue("Acme Corp");
  const download = page.waitForEvent("download");
  await edit.getByRole("link", { name: /pixel\.png/ }).click();
  const saved = await download;
  expect(saved.suggestedFilename()).toBe("pixel.png");
  expect(readFileSync(await saved.path()).equals(PNG)).toBeTruthy();
  // Remove clears the field.
  await edit.getByRole("button", { name: "Remove" }).click();
  await edit.getByRole("button", { name: "Update" }).click();
  await expectToast(page, "success", "Record updated");
  expect((await list(api, app, "invoice")).data[0].attachment).toBeNull();
});

test("nested related records: create a parent with a child row and a link, then edit and delete children", async ({ page }) => {
  const api = await adminApi();
  const app = uniq("data_nested");
  await shop(api, app);
  await create(api, app, "tag", { label: "urgent" });
  await create(api, app, "tag", { label: "later" });

  await open(page, app, "invoice");
  await page.getByRole("button", { name: "Create Record" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Record" });
  await dialog.getByLabel("number").fill("INV-7");
  const items = dialog.getByRole("region", { name: "Related records: items" });
  await expect(items).toContainText("No related records.");
  await expect(items.getByLabel("Write mode:")).toHaveValue("diff");
  await items.getByRole("button", { name: "+ Add Row" }).click();
  await items.getByLabel("sku, row 1").fill("A-1");
  await items.getByLabel("qty, row 1").fill("3");
  await items.getByRole("button", { name: "+ Add Row" }).click();
  await items.getByLabel("sku, row 2").fill("B-2");
  const tags = dialog.getByRole("region", { name: "Related records: tags" });
  await tags.getByRole("combobox", { name: "Link tag" }).fill("urg");
  await page.getByRole("listbox", { name: "tag records" }).getByRole("option", { name: "urgent" }).click();
  await expect(tags).toContainText("urgent");
  // From the keyboard: type, then Enter picks the first match.
  const picker = tags.getByRole("combobox", { name: "Link tag" });
  await picker.fill("lat");
  await expect(page.getByRole("listbox", { name: "tag records" }).getByRole("option")).toHaveText(["later"]);
  await picker.press("Enter");
  await expect(tags).toContainText("later");
  await expect(picker).toHaveValue("");
  await shot(page, "data-editor-related");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expectToast(page, "success", "Record created");

  const inv = (await list(api, app, "invoice", "&include=items,tags")).data[0];
  expect(inv.number).toBe("INV-7");
  expect(inv.items.map((i: Rec) => [i.sku, i.qty, i.invoice_id]).sort()).toEqual([
    ["A-1", 3, inv.id],
    ["B-2", null, inv.id],
  ]);
  expect(inv.tags.map((t: Rec) => t.label).sort()).toEqual(["later", "urgent"]);

  // Edit: change one child, delete the other (diff sends {id, _delete: true}), unlink a tag.
  await rowWith(page, "INV-7").getByRole("button", { name: "Expand" }).click();
  const edit = page.getByRole("dialog", { name: "Edit Record" });
  const editItems = edit.getByRole("region", { name: "Related records: items" });
  const children = editItems.getByTestId("items-row");
  await expect(children).toHaveCount(2);
  // Rows are located by position: a row in edit mode shows its values in inputs.
  const first = (await children.allInnerTexts()).findIndex((t) => t.includes("A-1"));
  const a = children.nth(first);
  await a.getByRole("button", { name: "Edit" }).click();
  await a.getByRole("spinbutton").fill("5");
  await a.getByRole("button", { name: "Done" }).click();
  const b = children.nth(1 - first);
  await b.getByRole("button", { name: "Delete" }).click();
  await expect(b).toHaveClass(/line-through/);
  await expect(b.getByRole("button", { name: "Undo" })).toBeVisible();
  await edit
    .getByRole("region", { name: "Related records: tags" })
    .getByRole("row", { name: /urgent/ })
    .getByRole("button", { name: "Unlink" })
    .click();
  await edit.getByRole("button", { name: "Update" }).click();
  await expectToast(page, "success", "Record updated");
  const after = (await list(api, app, "invoice", "&include=items,tags")).data[0];
  expect(after.items.map((i: Rec) => [i.sku, i.qty])).toEqual([["A-1", 5]]);
  expect(after.tags.map((t: Rec) => t.label)).toEqual(["later"]);

  // replace: the rows listed become the children; a deleted row is left out, so it goes.
  await rowWith(page, "INV-7").getByRole("button", { name: "Expand" }).click();
  const again = page.getByRole("dialog", { name: "Edit Record" });
  const block = again.getByRole("region", { name: "Related records: items" });
  await block.getByLabel("Write mode:").selectOption("replace");
  await block.getByTestId("items-row").filter({ hasText: "A-1" }).getByRole("button", { name: "Delete" }).click();
  await block.getByRole("button", { name: "+ Add Row" }).click();
  await block.getByLabel("sku, row 2").fill("C-3");
  await again.getByRole("button", { name: "Update" }).click();
  await expectToast(page, "success", "Record updated");
  expect((await list(api, app, "invoice", "&include=items")).data[0].items.map((i: Rec) => i.sku)).toEqual(["C-3"]);
});

test("edit in the full editor and inline: Escape cancels, field errors show under the inputs", async ({ page }) => {
  const api = await adminApi();
  const app = uniq("data_edit");
  await shop(api, app);
  const c = await create(api, app, "customer", { name: "Initech", tier: "bronze", score: 1 });

  await open(page, app, "customer");
  // customer is the source of `invoices`: the editor is fullscreen with that block.
  await rowWith(page, "Initech").getByRole("button", { name: "Expand" }).click();
  const dialog = page.getByRole("dialog", { name: "Edit Record" });
  await expect(dialog.getByRole("region", { name: "Related records: invoices" })).toBeVisible();
  await dialog.getByLabel("score").fill("42");
  await dialog.getByLabel("tier").selectOption("gold");
  await dialog.getByRole("button", { name: "Update" }).click();
  await expectToast(page, "success", "Record updated");
  let stored = (await api.get(`/api/${app}/customer/${c.id}`).then((r) => r.json())).data;
  expect(stored).toMatchObject({ name: "Initech", tier: "gold", score: 42 });

  // Inline: Escape cancels without saving. (A row in edit mode holds its values in inputs.)
  const row = dataRows(page).first();
  await row.getByRole("button", { name: "Edit" }).click();
  await row.getByLabel("name").fill("Changed");
  await page.keyboard.press("Escape");
  await expect(row.getByLabel("name")).toHaveCount(0);
  await expect(rowWith(page, "Initech")).toBeVisible();

  // Inline: clearing a required field gets the server's 422 under the input.
  await row.getByRole("button", { name: "Edit" }).click();
  const editing = row;
  await editing.getByLabel("name").fill("");
  await editing.getByRole("button", { name: "Save" }).click();
  await expect(editing).toContainText("name is required");
  await expect(editing.getByRole("button", { name: "Save" })).toBeVisible();
  await shot(page, "data-inline-edit-error");

  await editing.getByLabel("name").fill("Initrode");
  await expect(editing).not.toContainText("name is required");
  await editing.getByLabel("score").fill("7");
  await shot(page, "data-inline-edit");
  await editing.getByRole("button", { name: "Save" }).click();
  await expectToast(page, "success", "Record updated");
  await expect(rowWith(page, "Initrode")).toBeVisible();
  stored = (await api.get(`/api/${app}/customer/${c.id}`).then((r) => r.json())).data;
  expect(stored).toMatchObject({ name: "Initrode", tier: "gold", score: 7 });
});

test("filters (eq, like, in), sorting by header, pages and per page", async ({ page }) => {
  const api = await adminApi();
  const app = uniq("data_query");
  await shop(api, app);
  const tiers = ["gold", "silver", "bronze"];
  for (let i = 1; i <= 30; i++) {
    await create(api, app, "customer", { name: `Cust ${String(i).padStart(2, "0")}`, tier: tiers[i % 3], score: i });
  }
  await create(api, app, "customer", { name: "Zeta Labs", tier: "gold", score: 100 });

  await open(page, app, "customer");
  await expect(page.getByRole("navigation", { name: "Pagination" })).toContainText("31 total");
  await expect(dataRows(page)).toHaveCount(25);
  await shot(page, "data-grid");

  // Sort: ascending, then descending.
  await table(page)
    .getByRole("button", { name: /^score/ })
    .click();
  await expect(table(page).getByRole("button", { name: /^score/ })).toContainText("↑");
  await expect.poll(async () => (await column(page, "score")).slice(0, 3)).toEqual(["1", "2", "3"]);
  await table(page)
    .getByRole("button", { name: /^score/ })
    .click();
  await expect(table(page).getByRole("button", { name: /^score/ })).toContainText("↓");
  await expect(dataRows(page).first()).toContainText("Zeta Labs");
  await expect.poll(async () => (await column(page, "score")).slice(0, 3)).toEqual(["100", "30", "29"]);

  // Pages: page 2 of 25 a page, then 10 a page.
  const pager = page.getByRole("navigation", { name: "Pagination" });
  await pager.getByRole("button", { name: "2", exact: true }).click();
  await expect(dataRows(page)).toHaveCount(6);
  await expect.poll(() => column(page, "score")).toEqual(["6", "5", "4", "3", "2", "1"]);
  await pager.getByLabel("Per page").selectOption("10");
  await expect(dataRows(page)).toHaveCount(10);
  await expect(pager.getByRole("button", { name: "1", exact: true })).toHaveAttribute("aria-current", "page");
  await pager.getByRole("button", { name: "Next" }).click();
  await expect(pager.getByRole("button", { name: "2", exact: true })).toHaveAttribute("aria-current", "page");
  await expect.poll(async () => (await column(page, "score"))[0]).toBe("21");
  await pager.getByRole("button", { name: "4", exact: true }).click();
  await expect.poll(() => column(page, "score")).toEqual(["1"]);

  // Filter: eq on tier, then like on name.
  await page.getByRole("button", { name: "+ Add Filter" }).click();
  await page.getByLabel("Filter 1 field").selectOption("tier");
  await page.getByLabel("Filter 1 value").fill("gold");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(pager).toContainText("11 total");
  await expect.poll(() => column(page, "tier")).toEqual(Array(10).fill("gold"));
  await page.getByRole("button", { name: "+ Add Filter" }).click();
  await page.getByLabel("Filter 2 field").selectOption("name");
  await page.getByLabel("Filter 2 operator").selectOption("like");
  await page.getByLabel("Filter 2 value").fill("%zeta%");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(dataRows(page)).toHaveCount(1);
  await expect(dataRows(page).first()).toContainText("Zeta Labs");
  await expect(pager).toContainText("1 total");
  await shot(page, "data-filters");
  // in: a comma-separated list, sent as typed.
  await page.getByLabel("Remove filter 2").click();
  await page.getByLabel("Filter 1 operator").selectOption("in");
  await page.getByLabel("Filter 1 value").fill("silver, bronze");
  await page.getByRole("button", { name: "Apply" }).click();
  await expect(pager).toContainText("20 total");
  await page.getByRole("button", { name: "Clear All" }).click();
  await expect(pager).toContainText("31 total");
  await expect(page.getByLabel("Filter 1 field")).toHaveCount(0);

  // A filter the server refuses is a toast.
  await page.getByRole("button", { name: "+ Add Filter" }).click();
  await page.getByLabel("Filter 1 field").selectOption("score");
  await page.getByLabel("Filter 1 value").fill("abc");
  await page.getByRole("button", { name: "Apply" }).click();
  await expectToast(page, "error", "Invalid filter value for score");
});

test("delete through the confirm dialog, bulk delete two, bulk update", async ({ page }) => {
  const api = await adminApi();
  const app = uniq("data_bulk");
  await shop(api, app);
  for (const name of ["Alpha", "Bravo", "Charlie", "Delta", "Echo"]) await create(api, app, "customer", { name, tier: "bronze" });

  await open(page, app, "customer");
  await table(page).getByRole("button", { name: /^name/ }).click();
  await expect(dataRows(page).first()).toContainText("Alpha");

  // One delete; cancelling first keeps the record.
  await rowWith(page, "Alpha").getByRole("button", { name: "Delete" }).click();
  const confirm = page.getByRole("dialog", { name: "Delete Record" });
  await expect(confirm).toContainText("Are you sure you want to delete this record?");
  await confirm.getByRole("button", { name: "Cancel" }).click();
  await expect(rowWith(page, "Alpha")).toHaveCount(1);
  await rowWith(page, "Alpha").getByRole("button", { name: "Delete" }).click();
  await page.getByRole("dialog", { name: "Delete Record" }).getByRole("button", { name: "Delete" }).click();
  await expectToast(page, "success", "Record deleted");
  await expect(rowWith(page, "Alpha")).toHaveCount(0);
  expect((await list(api, app, "customer")).meta.total).toBe(4);

  // Bulk update two.
  await rowWith(page, "Bravo").getByLabel("Select row").check();
  await rowWith(page, "Charlie").getByLabel("Select row").check();
  const bar = page.getByRole("region", { name: "Bulk actions" });
  await expect(bar).toContainText("2 selected");
  await expect(bar).toContainText("this page only");
  await expect(bar.getByRole("button", { name: "Select All (4)" })).toBeVisible();
  await shot(page, "data-bulk-bar");
  await bar.getByRole("button", { name: "Update Selected" }).click();
  const bulk = page.getByRole("dialog", { name: "Bulk Update" });
  await expect(bulk.getByRole("button", { name: "Apply to 2 record(s)" })).toBeDisabled();
  await bulk.getByLabel("Field").selectOption("tier");
  await bulk.getByLabel("New Value").selectOption("gold");
  await bulk.getByRole("button", { name: "Apply to 2 record(s)" }).click();
  await expectToast(page, "success", "2 record(s) updated");
  await expect(bar).toBeHidden();
  expect((await list(api, app, "customer", "&filter%5Btier%5D=gold")).data.map((r) => r.name).sort()).toEqual(["Bravo", "Charlie"]);

  // Bulk delete two.
  await rowWith(page, "Delta").getByLabel("Select row").check();
  await rowWith(page, "Echo").getByLabel("Select row").check();
  await bar.getByRole("button", { name: "Delete Selected" }).click();
  const bulkConfirm = page.getByRole("dialog", { name: "Delete Selected Records" });
  await expect(bulkConfirm).toContainText("Are you sure you want to delete 2 record(s)? This cannot be undone.");
  await bulkConfirm.getByRole("button", { name: "Delete 2 record(s)" }).click();
  await expectToast(page, "success", "2 record(s) deleted");
  await expect(dataRows(page)).toHaveCount(2);
  expect((await list(api, app, "customer")).data.map((r) => r.name).sort()).toEqual(["Bravo", "Charlie"]);

  // The header checkbox selects the page.
  await table(page).getByLabel("Select all on this page").check();
  await expect(bar).toContainText("2 selected");
  await bar.getByRole("button", { name: "Deselect All" }).click();
  await expect(bar).toBeHidden();
});

test("a server validation error shows in the editor banner with its fields", async ({ page }) => {
  const api = await adminApi();
  const app = uniq("data_invalid");
  await shop(api, app);

  await open(page, app, "customer");
  await page.getByRole("button", { name: "Create Record" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Record" });
  await dialog.getByLabel("score").fill("99999999999");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  const banner = dialog.getByTestId("error-banner");
  await expect(banner).toContainText("Validation failed");
  await expect(banner).toContainText("name: name is required");
  await expect(banner).toContainText("score: score must be an integer");
  await expect(dialog.getByLabel("name")).toHaveAttribute("aria-invalid", "true");
  await expect(dialog.getByRole("button", { name: "Create", exact: true })).toBeEnabled();
  await shot(page, "data-editor-error");
  expect((await list(api, app, "customer")).meta.total).toBe(0);

  await dialog.getByLabel("name").fill("Fixed");
  await expect(dialog.getByLabel("name")).not.toHaveAttribute("aria-invalid", "true");
  await dialog.getByLabel("score").fill("5");
  await dialog.getByRole("button", { name: "Create", exact: true }).click();
  await expectToast(page, "success", "Record created");
  expect((await list(api, app, "customer")).data).toMatchObject([{ name: "Fixed", score: 5 }]);
});

test("CSV export of every matching row and a four-step CSV import", async ({ page }) => {
  const api = await adminApi();
  const app = uniq("data_csv");
  await shop(api, app);
  await create(api, app, "customer", { name: 'Quote "Q", Inc', tier: "gold", score: 1 });
  await create(api, app, "customer", { name: "Plain", tier: "silver", score: 2 });

  await open(page, app, "customer");
  const download = page.waitForEvent("download");
  await page.getByRole("button", { name: "Export CSV" }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/^customer-export-\d{4}-\d{2}-\d{2}\.csv$/);
  const lines = readFileSync(await file.path(), "utf8")
    .trim()
    .split("\n");
  // The PK is listed once (§10.6).
  expect(lines[0]).toBe("id,name,tier,score");
  expect(
    lines
      .slice(1)
      .map((l) => l.replace(/^[0-9a-f-]{36},/, ""))
      .sort(),
  ).toEqual(['"Quote ""Q"", Inc",gold,1', "Plain,silver,2"]);
  await expectToast(page, "success", "Exported 2 record(s)");

  const dir = mkdtempSync(join(tmpdir(), "rocket-csv-"));
  const csv = join(dir, "people.csv");
  writeFileSync(csv, 'Name,TIER,score,ignored\n"Smith, John",gold,10,x\n\nJane,bronze,,y\nBad,platinum,3,z\n');
  await page.getByRole("button", { name: "Import CSV" }).click();
  const dialog = page.getByRole("dialog", { name: "Import CSV — customer" });
  await shot(page, "data-csv-import-1-upload");
  await dialog.getByLabel("CSV file").setInputFiles(csv);
  await expect(dialog).toContainText("3 row(s) found. Map CSV columns to entity fields:");
  await expect(dialog.getByLabel("Map column Name")).toHaveValue("name");
  await expect(dialog.getByLabel("Map column TIER")).toHaveValue("tier");
  await expect(dialog.getByLabel("Map column ignored")).toHaveValue("");
  await expect(dialog).toContainText("3 field(s) mapped");
  await expect(dialog.getByRole("table", { name: "Preview" })).toContainText("Smith, John");
  await shot(page, "data-csv-import-2-map");
  await dialog.getByRole("button", { name: "Import 3 Row(s)" }).click();
  await expect(dialog).toContainText("2 imported");
  await expect(dialog).toContainText("1 failed");
  await expect(dialog).toContainText("of 3 total");
  await expect(dialog.getByRole("list", { name: "Failures" })).toContainText("Row 3: Validation failed: tier: tier must be one of");
  await shot(page, "data-csv-import-4-done");
  await dialog.getByRole("button", { name: "Done" }).click();
  await expectToast(page, "success", "Imported 2 record(s)");
  const all = (await list(api, app, "customer")).data;
  expect(all).toHaveLength(4);
  expect(all.find((r) => r.name === "Smith, John")).toMatchObject({ tier: "gold", score: 10 });
  expect(all.find((r) => r.name === "Jane")).toMatchObject({ tier: "bronze", score: null });
  await expect(rowWith(page, "Smith, John")).toBeVisible();

  // A file without data rows is refused in step 1.
  writeFileSync(csv, "name\n");
  await page.getByRole("button", { name: "Import CSV" }).click();
  await page.getByRole("dialog").getByLabel("CSV file").setInputFiles(csv);
  await expect(page.getByRole("dialog").getByTestId("error-banner")).toContainText("CSV must have a header row and at least one data row");
});

test("entity select, dark mode and a phone-sized viewport", async ({ page }) => {
  const api = await adminApi();
  const app = uniq("data_look");
  await shop(api, app);
  const acme = await create(api, app, "customer", { name: "Acme Corp", tier: "gold", score: 3 });
  await create(api, app, "invoice", { number: "INV-1", customer_id: acme.id, paid: false, total: 9.99 });

  await login(page);
  await useApp(page, app);
  await page.goto("/admin/data");
  await expect(page.getByText("Select an entity from the dropdown above to browse its data.")).toBeVisible();
  await page.getByLabel("Entity").selectOption("invoice");
  await expect(page).toHaveURL(/\/admin\/data\/invoice$/);
  // The FK column shows the customer's name, the raw id as its tooltip.
  await expect(rowWith(page, "INV-1").getByText("Acme Corp")).toHaveAttribute("title", acme.id);
  await expect(rowWith(page, "INV-1")).toContainText("false");

  await page.evaluate(() => localStorage.setItem("rocket_theme", "dark"));
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await rowWith(page, "INV-1").getByLabel("Select row").check();
  await shot(page, "data-grid-dark");
  await rowWith(page, "INV-1").getByRole("button", { name: "Expand" }).click();
  const dialog = page.getByRole("dialog", { name: "Edit Record" });
  await dialog.getByRole("combobox", { name: "customer_id → customer" }).click();
  await expect(page.getByRole("listbox", { name: "customer records" }).getByRole("option", { name: "Acme Corp" })).toBeVisible();
  await shot(page, "data-editor-dark");
  // Escape closes the list first, then the dialog.
  await page.keyboard.press("Escape");
  await expect(page.getByRole("listbox")).toHaveCount(0);
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await page.evaluate(() => localStorage.setItem("rocket_theme", "light"));

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await expect(table(page)).toBeVisible();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await shot(page, "data-phone");
  await page.getByRole("button", { name: "Create Record" }).click();
  await expect(page.getByRole("dialog", { name: "Create Record" }).getByLabel("number")).toBeFocused();
  await shot(page, "data-phone-editor");
  await page.keyboard.press("Escape");
  await page.getByLabel("Entity").selectOption("");
  await expect(page).toHaveURL(/\/admin\/data$/);
});
