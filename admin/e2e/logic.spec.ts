// Logic screens (spec 17 §5.9–§5.12, §6.1): rules built in the form and in the
// expression builder's Visual mode, the live expression tester, a state machine from
// the form editor and the visual editor with the transitions it allows and refuses,
// a workflow with an approval step started by a state change and decided in the
// Workflow Monitor (approve, reject, delete).
import { APIRequestContext, expect, Page, test } from "@playwright/test";
import { adminApi, createApp, data, login, shot, useApp } from "./helpers";

const unique = (prefix: string) => `${prefix}_${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;

/** A fresh app with an `invoice` entity; the browser signed in with the app selected. */
async function setup(page: Page, prefix: string): Promise<{ api: APIRequestContext; app: string }> {
  const api = await adminApi();
  const app = await createApp(api, unique(prefix));
  const res = await api.post(`/api/${app}/_admin/entities`, {
    data: {
      name: "invoice",
      table: "invoices",
      primary_key: { field: "id", type: "uuid", generated: true },
      fields: [
        { name: "id", type: "uuid" },
        { name: "number", type: "string", required: true },
        { name: "total", type: "decimal", precision: 2 },
        { name: "paid", type: "boolean" },
        { name: "status", type: "string", default: "draft" },
        { name: "sent_at", type: "timestamp" },
      ],
    },
  });
  expect(res.status(), await res.text()).toBe(201);
  await login(page);
  await page.goto("/admin/apps");
  await useApp(page, app);
  return { api, app };
}

async function post<T>(api: APIRequestContext, path: string, body: unknown, status = 201): Promise<T> {
  const res = await api.post(path, { data: body });
  expect(res.status(), await res.text()).toBe(status);
  return (await res.json()).data as T;
}

interface Rule {
  id: string;
  type: string;
  definition: Record<string, unknown>;
}

test("rules: a field rule and a Visual-mode expression rule are stored as built, and writes they refuse get their messages", async ({
  page,
}) => {
  const { api, app } = await setup(page, "logic_rules");
  await page.goto("/admin/rules");
  await expect(page.getByRole("heading", { name: "Rules" })).toBeVisible();
  await expect(page.getByTestId("rules-table")).toContainText("No rules yet. Create one to add validation or computed fields.");
  await shot(page, "logic-rules-empty");

  // A field rule; the threshold is sent as a number (§10.5).
  await page.getByRole("button", { name: "Create Rule" }).click();
  let dialog = page.getByRole("dialog", { name: "Create Rule" });
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Entity is required");
  await dialog.getByLabel("Entity").selectOption("invoice");
  await expect(dialog.getByLabel("Type")).toHaveValue("field");
  await dialog.getByLabel("Field", { exact: true }).fill("total");
  await dialog.getByLabel("Operator").selectOption("min");
  await dialog.getByLabel("Value").fill("0");
  await dialog.getByLabel("Message").fill("Total must not be negative");
  await shot(page, "logic-rules-editor-field");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/Rule created/);
  await expect(dialog).toBeHidden();

  // An expression rule built in Visual mode.
  await page.getByRole("button", { name: "Create Rule" }).click();
  dialog = page.getByRole("dialog", { name: "Create Rule" });
  await dialog.getByLabel("Entity").selectOption("invoice");
  await dialog.getByLabel("Type").selectOption("expression");
  await expect(dialog.getByRole("button", { name: "Visual" })).toHaveAttribute("aria-pressed", "true");
  await dialog.getByLabel("Condition 1 field").fill("record.status");
  await expect(dialog.getByLabel("Condition 1 operator").locator("option")).toHaveText([
    "==",
    "!=",
    "contains",
    "starts with",
    "ends with",
  ]);
  await dialog.getByLabel("Condition 1 value").fill("void");
  await dialog.getByRole("button", { name: "+ Add Condition" }).click();
  await dialog.getByLabel("Condition 2 field").fill("record.total");
  await expect(dialog.getByLabel("Condition 2 operator").locator("option")).toHaveText(["==", "!=", ">", ">=", "<", "<="]);
  await dialog.getByLabel("Condition 2 operator").selectOption(">");
  await dialog.getByLabel("Condition 2 value").fill("0");
  const preview = dialog.getByTestId("expression-preview");
  await expect(preview).toHaveText('record.status == "void" && record.total > 0');
  await dialog.getByRole("button", { name: "AND" }).click();
  await expect(preview).toHaveText('record.status == "void" || record.total > 0');
  await dialog.getByRole("button", { name: "OR" }).click();
  await expect(preview).toHaveText('record.status == "void" && record.total > 0');
  await dialog.getByLabel("Message").fill("A void invoice cannot carry a total");
  await shot(page, "logic-rules-editor-visual");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/Rule created/);

  const rules = await data<Rule[]>(api, `/api/${app}/_admin/rules`);
  expect(rules.find((r) => r.type === "field")?.definition).toEqual({
    field: "total",
    operator: "min",
    value: 0,
    message: "Total must not be negative",
  });
  expect(rules.find((r) => r.type === "expression")?.definition).toEqual({
    expression: 'record.status == "void" && record.total > 0',
    message: "A void invoice cannot carry a total",
  });
  const table = page.getByTestId("rules-table");
  await expect(table).toContainText("total min 0");
  await expect(table).toContainText('record.status == "void" && record.total > 0');
  await shot(page, "logic-rules-list");

  // Editing parses the expression back into Visual rows; a mixed &&/|| one is Advanced only,
  // and a server refusal (an expression that does not parse) lands in the banner.
  await table
    .getByRole("row", { name: /expression/ })
    .getByRole("button", { name: "Edit" })
    .click();
  dialog = page.getByRole("dialog", { name: "Edit Rule" });
  await expect(dialog.getByLabel("Condition 1 field")).toHaveValue("record.status");
  await expect(dialog.getByLabel("Condition 1 value")).toHaveValue("void");
  await expect(dialog.getByLabel("Condition 2 operator")).toHaveValue(">");
  await dialog.getByRole("button", { name: "Advanced" }).click();
  const textarea = dialog.getByLabel("Expression", { exact: true });
  await expect(textarea).toHaveValue('record.status == "void" && record.total > 0');
  await textarea.fill('(record.status == "void" || record.paid == true) && record.total > 0');
  await expect(dialog.getByRole("button", { name: "Visual" })).toBeDisabled();
  await expect(dialog.getByRole("button", { name: "Visual" })).toHaveAttribute("title", "Expression too complex for visual mode");
  await expect(dialog.getByText("Available: record, old, action, user")).toBeVisible();
  await shot(page, "logic-rules-editor-advanced");
  await textarea.fill("record.total >");
  await dialog.getByRole("button", { name: "Save" }).click();
  await expect(dialog.getByTestId("error-banner")).toContainText("invalid expression");
  await dialog.getByRole("button", { name: "Cancel" }).click();

  // The writes the rules refuse, through the Data Browser's record editor: each
  // rule's message in its banner; the API's 422 carries exactly those details.
  await page.goto("/admin/data/invoice");
  await page.getByRole("button", { name: "Create Record" }).click();
  const record = page.getByRole("dialog", { name: "Create Record" });
  await record.getByLabel("number").fill("V-1");
  await record.getByLabel("status").fill("void");
  await record.getByLabel("total").fill("12");
  await record.getByRole("button", { name: "Create", exact: true }).click();
  await expect(record.getByTestId("error-banner")).toContainText("A void invoice cannot carry a total");
  await shot(page, "logic-rules-refused-in-data-browser");
  await record.getByLabel("status").fill("draft");
  await record.getByLabel("total").fill("-5");
  await record.getByRole("button", { name: "Create", exact: true }).click();
  await expect(record.getByTestId("error-banner")).toContainText("Total must not be negative");
  await expect(record.getByTestId("error-banner")).not.toContainText("void invoice");
  await record.getByLabel("total").fill("0");
  await record.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/Record created/);
  const negative = await api.post(`/api/${app}/invoice`, { data: { number: "N-1", total: -5 } });
  expect(negative.status()).toBe(422);
  expect((await negative.json()).error.details).toEqual([{ field: "total", rule: "min", message: "Total must not be negative" }]);
  const voided = await api.post(`/api/${app}/invoice`, { data: { number: "V-2", status: "void", total: 12 } });
  expect(voided.status()).toBe(422);
  expect((await voided.json()).error.details).toEqual([{ rule: "expression", message: "A void invoice cannot carry a total" }]);
  await page.goto("/admin/rules");

  // Delete through the confirm dialog.
  await table.getByRole("row", { name: /field/ }).getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("dialog", { name: "Delete Rule" })).toContainText("Are you sure you want to delete this rule?");
  await page.getByTestId("confirm-button").click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/Rule deleted/);
  await expect(table.getByRole("row")).toHaveCount(2);
});

test("rules: the live tester evaluates the expression against a sample record and shows parse errors", async ({ page }) => {
  await setup(page, "logic_tester");
  await page.goto("/admin/rules");
  await page.getByRole("button", { name: "Create Rule" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Rule" });
  await dialog.getByLabel("Entity").selectOption("invoice");
  await dialog.getByLabel("Type").selectOption("expression");
  const sample = dialog.getByLabel("Sample record (JSON)");
  // Pre-filled from the entity's writable fields.
  expect(JSON.parse(await sample.inputValue())).toMatchObject({ number: "", total: 0, paid: false, status: "draft" });
  await dialog.getByLabel("Condition 1 field").fill("record.total");
  await dialog.getByLabel("Condition 1 operator").selectOption(">");
  await dialog.getByLabel("Condition 1 value").fill("100");
  await sample.fill('{"number": "A-1", "total": 150, "status": "draft"}');
  await dialog.getByRole("button", { name: "Evaluate" }).click();
  const result = dialog.getByTestId("tester-result");
  await expect(result).toContainText("true");
  await expect(result).toContainText("rule violated");
  await shot(page, "logic-rules-tester-true");

  await sample.fill('{"number": "A-1", "total": 50}');
  await dialog.getByRole("button", { name: "Evaluate" }).click();
  await expect(result).toContainText("false");
  await expect(result).toContainText("rule passes");

  // old and action reach the expression.
  await dialog.getByRole("button", { name: "Advanced" }).click();
  await dialog.getByLabel("Expression", { exact: true }).fill("action == 'update' && old.status != record.status");
  await dialog.getByLabel("Include old record").check();
  await dialog.getByLabel("Old record (JSON)").fill('{"status": "sent"}');
  await dialog.getByLabel("Action").selectOption("update");
  await dialog.getByRole("button", { name: "Evaluate" }).click();
  await expect(result).toContainText("rule violated");

  await dialog.getByLabel("Expression", { exact: true }).fill("record.total >");
  await dialog.getByRole("button", { name: "Evaluate" }).click();
  await expect(dialog.getByTestId("tester-error")).toContainText(/line 1/);
  await expect(result).toBeHidden();
  // The sample survives edits of the rest of the form.
  await expect(sample).toHaveValue('{"number": "A-1", "total": 50}');
  await dialog.getByTestId("tester-error").scrollIntoViewIfNeeded();
  await shot(page, "logic-rules-tester-error");

  await sample.fill("{not json");
  await dialog.getByRole("button", { name: "Evaluate" }).click();
  await expect(dialog.getByTestId("tester-error")).toHaveText("Sample record is not valid JSON");
});

interface Machine {
  id: string;
  entity: string;
  field: string;
  definition: { initial: string; transitions: unknown[] };
  active: boolean;
}

test("state machines: form editor, visual editor, and the transitions the machine allows and refuses", async ({ page }) => {
  const { api, app } = await setup(page, "logic_sm");
  await page.goto("/admin/state-machines");
  await expect(page.getByTestId("state-machines-table")).toContainText("No state machines yet. Create one to define state transitions.");
  await shot(page, "logic-sm-empty");

  await page.getByRole("button", { name: "Form Editor" }).click();
  const dialog = page.getByRole("dialog", { name: "Create State Machine" });
  await expect(dialog.getByLabel("State Field")).toHaveValue("status");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Entity is required");
  await dialog.getByLabel("Entity").selectOption("invoice");
  await dialog.getByLabel("Initial State").fill("draft");
  const t1 = dialog.getByRole("group", { name: "Transition 1" });
  await t1.getByLabel("From State(s)").fill("draft");
  await t1.getByLabel("To State").fill("sent");
  await t1.getByLabel("Guard Expression").fill("(record.total ?? old.total) > 0");
  await t1.getByLabel("Roles (comma-separated)").fill("finance, admin");
  await t1.getByRole("button", { name: "+ Action" }).click();
  await t1.getByLabel("Action type").selectOption("set_field");
  await t1.getByLabel("Field").fill("sent_at");
  await t1.getByLabel("Value").fill("now");
  await dialog.getByRole("button", { name: "+ Add Transition" }).click();
  const t2 = dialog.getByRole("group", { name: "Transition 2" });
  await t2.getByLabel("From State(s)").fill("draft, sent");
  await t2.getByLabel("To State").fill("void");
  await shot(page, "logic-sm-form");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/State machine created/);

  const [machine] = await data<Machine[]>(api, `/api/${app}/_admin/state-machines`);
  expect(machine).toMatchObject({ entity: "invoice", field: "status", active: true });
  expect(machine.definition).toEqual({
    initial: "draft",
    transitions: [
      {
        from: "draft",
        to: "sent",
        guard: "(record.total ?? old.total) > 0",
        roles: ["finance", "admin"],
        actions: [{ type: "set_field", field: "sent_at", value: "now" }],
      },
      { from: ["draft", "sent"], to: "void", actions: [] },
    ],
  });
  const table = page.getByTestId("state-machines-table");
  await expect(table).toContainText("draft -> sent, draft, sent -> void");
  await shot(page, "logic-sm-list");

  // The visual editor: a node per state, the state panel, its own URL.
  await table.getByRole("button", { name: "Visual" }).click();
  await expect(page).toHaveURL(new RegExp(`/admin/state-machines/${machine.id}/visual$`));
  const editor = page.getByRole("dialog", { name: /Visual Editor/ });
  const diagram = editor.getByRole("group", { name: "State machine diagram" });
  for (const state of ["draft", "sent", "void"]) await expect(diagram.getByRole("button", { name: state, exact: true })).toBeVisible();
  await expect(editor.getByRole("heading", { name: "invoice / status" })).toBeVisible();
  await diagram.getByRole("button", { name: "draft", exact: true }).click();
  const panel = editor.getByRole("complementary", { name: "Properties" });
  await expect(panel.getByRole("heading", { name: "Transitions (2)" })).toBeVisible();
  await expect(panel.getByLabel("Initial state")).toBeChecked();
  await shot(page, "logic-sm-visual");
  await page.reload();
  await expect(page.getByRole("dialog", { name: /Visual Editor/ }).getByRole("button", { name: "sent", exact: true })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page).toHaveURL(/\/admin\/state-machines$/);

  // Transitions: allowed (with its set_field action), blocked by the guard, not defined.
  const inv = await post<{ id: string; status: string }>(api, `/api/${app}/invoice`, { number: "I-1", total: 10 });
  expect(inv.status).toBe("draft");
  const sent = await api.put(`/api/${app}/invoice/${inv.id}`, { data: { status: "sent" } });
  expect(sent.status(), await sent.text()).toBe(200);
  const sentBody = (await sent.json()).data;
  expect(sentBody.status).toBe("sent");
  expect(sentBody.sent_at).toBeTruthy();
  const back = await api.put(`/api/${app}/invoice/${inv.id}`, { data: { status: "draft" } });
  expect(back.status()).toBe(422);
  expect((await back.json()).error.details).toEqual([
    { field: "status", rule: "state_machine", message: "Invalid transition from 'sent' to 'draft'" },
  ]);
  const zero = await post<{ id: string }>(api, `/api/${app}/invoice`, { number: "I-2", total: 0 });
  const blocked = await api.put(`/api/${app}/invoice/${zero.id}`, { data: { status: "sent" } });
  expect(blocked.status()).toBe(422);
  expect((await blocked.json()).error.details[0].message).toBe("Transition from 'draft' to 'sent' blocked by guard");

  // A second machine drawn in the visual editor: add states, a transition, rename a state.
  await page.getByRole("button", { name: "Create Visual" }).click();
  await expect(page).toHaveURL(/\/admin\/state-machines\/new\/visual$/);
  const blank = page.getByRole("dialog", { name: /Visual Editor/ });
  await blank.getByRole("button", { name: "Save" }).click();
  await expect(blank.getByTestId("error-banner")).toHaveText("Entity is required");
  await blank.getByLabel("Entity").selectOption("invoice");
  await blank.getByLabel("State Field").fill("stage");
  await blank.getByLabel("Initial State").fill("open");
  for (const state of ["review", "closed"]) {
    await blank.getByRole("button", { name: "+ Add State" }).click();
    await blank.getByLabel("State name", { exact: true }).fill(state);
    await blank.getByLabel("State name", { exact: true }).press("Enter");
  }
  const canvas = blank.getByRole("group", { name: "State machine diagram" });
  await canvas.getByRole("button", { name: "open", exact: true }).click();
  const props = blank.getByRole("complementary", { name: "Properties" });
  await props.getByRole("button", { name: "+ Add" }).first().click();
  await props.getByLabel("To", { exact: true }).selectOption("review");
  await canvas.getByRole("button", { name: "review", exact: true }).click();
  await props.getByRole("button", { name: "+ Add" }).first().click();
  await props.getByLabel("To", { exact: true }).selectOption("closed");
  await props.getByLabel("Guard").fill("record.total > 0");
  await canvas.getByRole("button", { name: "closed", exact: true }).click();
  await props.getByLabel("State Name").fill("done");
  await props.getByLabel("State Name").press("Enter");
  await expect(canvas.getByRole("button", { name: "done", exact: true })).toBeVisible();
  await expect(canvas.getByRole("button", { name: "closed", exact: true })).toHaveCount(0);
  await shot(page, "logic-sm-visual-new");
  await blank.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/State machine created/);
  await expect(page).toHaveURL(/\/admin\/state-machines$/);
  const machines = await data<Machine[]>(api, `/api/${app}/_admin/state-machines`);
  expect(machines.find((m) => m.field === "stage")?.definition).toEqual({
    initial: "open",
    transitions: [
      { from: "open", to: "review", actions: [] },
      { from: "review", to: "done", guard: "record.total > 0", actions: [] },
    ],
  });
  await expect(table.getByRole("row")).toHaveCount(3);
});

interface Instance {
  id: string;
  status: string;
  current_step: string;
  history: { step: string; status: string; by?: string }[];
}

test("workflows: an approval workflow from the form editor, started by a state change, approved and rejected in the monitor", async ({
  page,
}) => {
  const { api, app } = await setup(page, "logic_wf");
  // Workflows start only on a field with an active state machine.
  await post(api, `/api/${app}/_admin/state-machines`, {
    entity: "invoice",
    field: "status",
    active: true,
    definition: { initial: "draft", transitions: [{ from: "draft", to: "pending_approval" }] },
  });
  await page.goto("/admin/workflows");
  await expect(page.getByTestId("workflows-table")).toContainText("No workflows yet. Create one to define multi-step processes.");
  await shot(page, "logic-wf-empty");

  await page.getByRole("button", { name: "Form Editor" }).click();
  const dialog = page.getByRole("dialog", { name: "Create Workflow" });
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Name is required");
  await dialog.getByLabel("Workflow Name").fill("invoice_approval");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(dialog.getByTestId("error-banner")).toHaveText("Trigger entity is required");
  const trigger = dialog.getByRole("group", { name: "Trigger" });
  await trigger.getByLabel("Entity").selectOption("invoice");
  await trigger.getByLabel("Field").fill("status");
  await trigger.getByLabel("To State").fill("pending_approval");
  await dialog.getByRole("button", { name: "+ Add Mapping" }).click();
  await dialog.getByRole("group", { name: "Mapping 1" }).getByLabel("Key").fill("record_id");
  await dialog.getByRole("group", { name: "Mapping 1" }).getByLabel("Path").fill("trigger.record_id");

  const s1 = dialog.getByRole("group", { name: "Step 1" });
  await s1.getByLabel("Step ID").fill("finance_approval");
  await s1.getByLabel("Type").selectOption("approval");
  await s1.getByLabel("Assignee Type").selectOption("role");
  await s1.getByLabel("Role").fill("finance");
  await s1.getByLabel("Timeout", { exact: true }).fill("72h");
  for (const [n, id, value] of [
    [2, "approved", "sent"],
    [3, "rejected", "draft"],
  ] as const) {
    await dialog.getByRole("button", { name: "+ Add Step" }).click();
    const step = dialog.getByRole("group", { name: `Step ${n}` });
    await step.getByLabel("Step ID").fill(id);
    await step.getByRole("button", { name: "+ Action" }).click();
    await step.getByLabel("Entity").selectOption("invoice");
    await step.getByLabel("Record ID Path").fill("context.record_id");
    await step.getByLabel("Field").fill("status");
    await step.getByLabel("Value").fill(value);
    await step.getByLabel("Then (goto)").selectOption("end");
  }
  await s1.getByLabel("On Approve (goto)").selectOption("approved");
  await s1.getByLabel("On Reject (goto)").selectOption("rejected");
  await shot(page, "logic-wf-form");
  await dialog.getByRole("button", { name: "Create" }).click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/Workflow created/);

  const [wf] = await data<{ id: string; trigger: unknown; context: unknown; steps: unknown[] }[]>(api, `/api/${app}/_admin/workflows`);
  expect(wf.trigger).toEqual({ type: "state_change", entity: "invoice", field: "status", to: "pending_approval" });
  expect(wf.context).toEqual({ record_id: "trigger.record_id" });
  const action = (value: string) => ({
    type: "set_field",
    entity: "invoice",
    record_id: "context.record_id",
    field: "status",
    value,
  });
  expect(wf.steps).toEqual([
    {
      id: "finance_approval",
      type: "approval",
      assignee: { type: "role", role: "finance" },
      timeout: "72h",
      on_approve: { goto: "approved" },
      on_reject: { goto: "rejected" },
    },
    { id: "approved", type: "action", actions: [action("sent")], then: "end" },
    { id: "rejected", type: "action", actions: [action("draft")], then: "end" },
  ]);
  const table = page.getByTestId("workflows-table");
  await expect(table.getByRole("row", { name: /invoice_approval/ })).toContainText("pending_approval");
  await shot(page, "logic-wf-list");

  // The visual editor draws Start, the steps and End.
  await table.getByRole("button", { name: "Visual" }).click();
  const editor = page.getByRole("dialog", { name: /Visual Editor/ });
  const diagram = editor.getByRole("group", { name: "Workflow diagram" });
  for (const node of ["Start", "finance_approval", "approved", "rejected", "End"]) {
    await expect(diagram.getByRole("button", { name: node, exact: true })).toBeVisible();
  }
  await diagram.getByRole("button", { name: "finance_approval", exact: true }).click();
  await expect(editor.getByRole("complementary", { name: "Properties" }).getByLabel("On Approve (goto)")).toHaveValue("approved");
  await shot(page, "logic-wf-visual");
  await editor.getByRole("button", { name: "← Back" }).click();
  await expect(page).toHaveURL(/\/admin\/workflows$/);

  // A state change starts an instance; the monitor approves it.
  const start = async (number: string) => {
    const inv = await post<{ id: string }>(api, `/api/${app}/invoice`, { number, total: 10 });
    const res = await api.put(`/api/${app}/invoice/${inv.id}`, { data: { status: "pending_approval" } });
    expect(res.status(), await res.text()).toBe(200);
    const pending = await data<(Instance & { context: { record_id: string } })[]>(api, `/api/${app}/_workflows/pending`);
    const instance = pending.find((p) => p.context.record_id === inv.id)!;
    expect(instance.current_step).toBe("finance_approval");
    return { record: inv.id, instance: instance.id };
  };
  const a = await start("WF-A");
  await page.goto("/admin/workflow-monitor");
  const instances = page.getByTestId("instances-table");
  const row = instances.getByRole("row", { name: /invoice_approval/ });
  await expect(row).toContainText("running");
  await expect(row).toContainText("finance_approval");
  await shot(page, "logic-monitor");
  await row.getByRole("button", { name: "View" }).click();
  const detail = page.getByRole("dialog", { name: `Instance: ${a.instance.slice(0, 8)}...` });
  await expect(detail.getByTestId("instance-context")).toContainText(a.record);
  await expect(detail).toContainText("No history yet");
  await shot(page, "logic-monitor-detail");
  // Escape closes only the confirm dialog on top of the detail.
  await detail.getByRole("button", { name: "Delete" }).click();
  await expect(page.getByRole("dialog", { name: "Delete Workflow" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByRole("dialog", { name: "Delete Workflow" })).toBeHidden();
  await expect(detail).toBeVisible();
  await detail.getByRole("button", { name: "Approve" }).click();
  const confirm = page.getByRole("dialog", { name: "Approve Workflow" });
  await expect(confirm).toContainText("Are you sure you want to approve this workflow instance?");
  await confirm.getByRole("button", { name: "Approve" }).click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/Workflow approved/);
  await expect(instances).toContainText("No pending workflow instances.");
  const approved = await data<Instance>(api, `/api/${app}/_workflows/${a.instance}`);
  expect(approved.status).toBe("completed");
  expect(approved.history.map((h) => [h.step, h.status])).toEqual([
    ["finance_approval", "approved"],
    ["approved", "completed"],
  ]);
  expect(approved.history[0].by).toBeTruthy();
  expect((await data<{ status: string }>(api, `/api/${app}/invoice/${a.record}`)).status).toBe("sent");

  // The reject path, from the table row.
  const b = await start("WF-B");
  await page.getByRole("button", { name: "Refresh" }).click();
  await instances
    .getByRole("row", { name: /invoice_approval/ })
    .getByRole("button", { name: "Reject" })
    .click();
  await page.getByRole("dialog", { name: "Reject Workflow" }).getByRole("button", { name: "Reject" }).click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/Workflow rejected/);
  const rejected = await data<Instance>(api, `/api/${app}/_workflows/${b.instance}`);
  expect(rejected.history.map((h) => [h.step, h.status])).toEqual([
    ["finance_approval", "rejected"],
    ["rejected", "completed"],
  ]);
  expect((await data<{ status: string }>(api, `/api/${app}/invoice/${b.record}`)).status).toBe("draft");

  // Delete an instance.
  const c = await start("WF-C");
  await page.getByRole("button", { name: "Refresh" }).click();
  await instances
    .getByRole("row", { name: /invoice_approval/ })
    .getByRole("button", { name: "Delete" })
    .click();
  await page.getByRole("dialog", { name: "Delete Workflow" }).getByTestId("confirm-button").click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/Workflow instance deleted/);
  expect((await api.get(`/api/${app}/_workflows/${c.instance}`)).status()).toBe(404);
});

test("workflows: the visual editor builds a workflow with a condition and an approval step", async ({ page }) => {
  const { api, app } = await setup(page, "logic_wfv");
  await page.goto("/admin/workflows");
  await page.getByRole("button", { name: "Create Visual" }).click();
  await expect(page).toHaveURL(/\/admin\/workflows\/new\/visual$/);
  const editor = page.getByRole("dialog", { name: /Visual Editor/ });
  const diagram = editor.getByRole("group", { name: "Workflow diagram" });
  await expect(diagram.getByRole("button", { name: "Start", exact: true })).toBeVisible();
  await expect(diagram.getByRole("button", { name: "End", exact: true })).toBeVisible();
  await editor.getByRole("button", { name: "Save" }).click();
  await expect(editor.getByTestId("error-banner")).toHaveText("Name is required");
  await editor.getByLabel("Name").fill("triage");
  await editor.getByLabel("Trigger Entity").selectOption("invoice");
  await editor.getByLabel("Trigger Field").fill("status");
  await editor.getByLabel("Trigger To").fill("sent");
  // The server's refusal shows in the same banner.
  await editor.getByRole("button", { name: "Save" }).click();
  await expect(editor.getByTestId("error-banner")).toHaveText("at least one step is required");

  const props = editor.getByRole("complementary", { name: "Properties" });
  await editor.getByRole("button", { name: "+ Add Step" }).click();
  await editor.getByRole("menuitem", { name: "Condition" }).click();
  await expect(props.getByLabel("Step ID")).toHaveValue("step_1");
  await props.getByLabel("Step ID").fill("big");
  await props.getByLabel("Expression").fill("context.total > 1000");
  await editor.getByRole("button", { name: "+ Add Step" }).click();
  await editor.getByRole("menuitem", { name: "Approval" }).click();
  await expect(props.getByLabel("Step ID")).toHaveValue("step_2");
  await props.getByLabel("Role").fill("finance");
  await diagram.getByRole("button", { name: "big", exact: true }).click();
  await props.getByLabel("On True (goto)").selectOption("step_2");
  await props.getByLabel("On False (goto)").selectOption("end");
  await expect(diagram.getByRole("button", { name: "step_2", exact: true })).toBeVisible();
  await shot(page, "logic-wf-visual-new");
  await editor.getByRole("button", { name: "Save" }).click();
  await expect(page.getByTestId("toast-success").last()).toHaveText(/Workflow created/);
  await expect(page).toHaveURL(/\/admin\/workflows$/);
  const [wf] = await data<{ name: string; context: unknown; steps: unknown[] }[]>(api, `/api/${app}/_admin/workflows`);
  expect(wf.name).toBe("triage");
  expect(wf.context).toEqual({});
  expect(wf.steps).toEqual([
    { id: "big", type: "condition", expression: "context.total > 1000", on_true: { goto: "step_2" }, on_false: "end" },
    { id: "step_2", type: "approval", assignee: { type: "role", role: "finance" } },
  ]);
});

test("logic screens in dark mode and on a phone", async ({ page }) => {
  const { api, app } = await setup(page, "logic_look");
  await post(api, `/api/${app}/_admin/rules`, {
    entity: "invoice",
    hook: "before_write",
    type: "computed",
    definition: { field: "total", expression: "record.total * 2" },
    priority: 5,
    active: true,
  });
  await post(api, `/api/${app}/_admin/state-machines`, {
    entity: "invoice",
    field: "status",
    active: true,
    definition: {
      initial: "draft",
      transitions: [
        { from: "draft", to: "sent", guard: "record.total > 0" },
        { from: ["draft", "sent"], to: "void", roles: ["finance"] },
        { from: "sent", to: "paid" },
      ],
    },
  });
  await page.goto("/admin/rules");
  await page.evaluate(() => localStorage.setItem("rocket_theme", "dark"));
  await page.reload();
  await expect(page.locator("html")).toHaveClass(/dark/);
  await expect(page.getByTestId("rules-table")).toContainText("total = record.total * 2");
  await page.getByTestId("rules-table").getByRole("button", { name: "Edit" }).click();
  await expect(page.getByRole("dialog", { name: "Edit Rule" }).getByLabel("Target Field")).toHaveValue("total");
  await shot(page, "logic-dark-rules-editor");
  await page.keyboard.press("Escape");
  await page.goto("/admin/state-machines");
  await page.getByTestId("state-machines-table").getByRole("button", { name: "Visual" }).click();
  await page.getByRole("group", { name: "State machine diagram" }).getByRole("button", { name: "sent", exact: true }).click();
  await shot(page, "logic-dark-sm-visual");

  await page.evaluate(() => localStorage.setItem("rocket_theme", "light"));
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of ["/admin/rules", "/admin/state-machines", "/admin/workflow-monitor"]) {
    await page.goto(path);
    await expect(page.getByRole("heading", { level: 1 })).toBeVisible();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, path).toBeLessThanOrEqual(0);
  }
  await shot(page, "logic-phone-monitor");
  await page.goto("/admin/state-machines");
  await page.getByTestId("state-machines-table").getByRole("button", { name: "Visual" }).click();
  await page.getByRole("group", { name: "State machine diagram" }).getByRole("button", { name: "draft", exact: true }).click();
  await shot(page, "logic-phone-sm-visual");
  await page.goto("/admin/rules");
  await page.getByRole("button", { name: "Create Rule" }).click();
  await page.getByRole("dialog", { name: "Create Rule" }).getByLabel("Type").selectOption("expression");
  await shot(page, "logic-phone-rules-editor");
});
