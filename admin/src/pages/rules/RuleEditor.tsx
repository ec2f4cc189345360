// The rule editor modal (spec 17 §5.9): entity, hook, type, priority, active, and
// the type's own fields; expressions through the expression builder (§6.1) with the
// live tester; server validation errors in the banner.
import { createSignal, createUniqueId, For, Match, Show, Switch } from "solid-js";
import { ExpressionBuilder } from "../../components/ExpressionBuilder";
import { Modal } from "../../components/modal";
import { toast } from "../../components/toast";
import { ErrorBanner, SelectField, TextField, Toggle } from "../../components/ui";
import { api, errorWithDetails } from "../../lib/api";
import { entities, entityByName } from "../../lib/schema";
import { ExpressionTester } from "./ExpressionTester";
import { emptyForm, OPERATORS, Rule, RuleForm, RuleType, toBody, toForm, validate } from "./model";

/** Rule expressions see these variables (docs/logic.md, "Expressions"). */
const VARIABLES = ["record", "old", "action", "user"];

export function RuleEditor(props: { rule: Rule | "new"; onClose: () => void; onSaved: () => void }) {
  const existing = props.rule === "new" ? null : props.rule;
  const [form, setForm] = createSignal<RuleForm>(existing ? toForm(existing) : emptyForm());
  const [error, setError] = createSignal<string | null>(null);
  const [saving, setSaving] = createSignal(false);
  const set = <K extends keyof RuleForm>(key: K, value: RuleForm[K]) => setForm((f) => ({ ...f, [key]: value }));
  const entity = () => entityByName(form().entity);
  const fields = () => entity()?.fields ?? [];
  const fieldList = createUniqueId();

  const save = async (e: Event) => {
    e.preventDefault();
    const problem = validate(form());
    if (problem) return setError(problem);
    setError(null);
    setSaving(true);
    try {
      if (existing) {
        await api.put(`/_admin/rules/${encodeURIComponent(existing.id)}`, toBody(form()));
        toast.success("Rule updated");
      } else {
        await api.post("/_admin/rules", toBody(form()));
        toast.success("Rule created");
      }
      props.onSaved();
    } catch (err) {
      setError(errorWithDetails(err, "Failed to save rule"));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      size="wide"
      title={existing ? "Edit Rule" : "Create Rule"}
      onClose={props.onClose}
      footer={
        <>
          <button type="button" class="btn btn-secondary" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" form="rule-form" class="btn btn-primary" disabled={saving()}>
            {saving() ? "Saving..." : existing ? "Save" : "Create"}
          </button>
        </>
      }
    >
      <form id="rule-form" class="space-y-4" onSubmit={save}>
        <ErrorBanner message={error()} />
        <datalist id={fieldList}>
          <For each={fields()}>{(f) => <option value={f.name} />}</For>
        </datalist>
        <div class="form-row">
          <SelectField
            label="Entity"
            value={form().entity}
            placeholder="Select entity"
            options={entities().map((en) => en.name)}
            onChange={(v) => set("entity", v)}
          />
          <SelectField
            label="Hook"
            value={form().hook}
            options={[
              ["before_write", "before write"],
              ["before_delete", "before delete"],
            ]}
            onChange={(v) => set("hook", v)}
            help={form().hook === "before_delete" ? "Stored, but this server never runs before_delete rules" : undefined}
          />
        </div>
        <div class="form-row">
          <SelectField
            label="Type"
            value={form().type}
            options={["field", "expression", "computed"]}
            onChange={(v) => set("type", v as RuleType)}
          />
          <TextField label="Priority" type="number" value={form().priority} onInput={(v) => set("priority", v)} />
        </div>
        <Toggle label="Active" checked={form().active} onChange={(v) => set("active", v)} />
        <Switch>
          <Match when={form().type === "field"}>
            <div class="form-row">
              <TextField
                label="Field"
                placeholder="e.g. total"
                mono
                list={fieldList}
                value={form().field}
                onInput={(v) => set("field", v)}
              />
              <SelectField label="Operator" value={form().operator} options={OPERATORS} onChange={(v) => set("operator", v)} />
            </div>
            <TextField label="Value" placeholder="e.g. 0" value={form().value} onInput={(v) => set("value", v)} />
          </Match>
          <Match when={form().type === "expression"}>
            <ExpressionBuilder
              label="Expression"
              value={form().expression}
              onChange={(v) => set("expression", v)}
              fields={fields()}
              variables={VARIABLES}
              oldAvailable
              placeholder="record.status == 'paid' && record.payment_date == null"
              help="Returns true = rule violated"
            />
          </Match>
          <Match when={form().type === "computed"}>
            <TextField label="Target Field" mono list={fieldList} value={form().field} onInput={(v) => set("field", v)} />
            <ExpressionBuilder
              label="Expression"
              value={form().expression}
              onChange={(v) => set("expression", v)}
              fields={fields()}
              variables={VARIABLES}
              oldAvailable
              placeholder="record.subtotal * (1 + record.tax_rate)"
              help="Result is set on the target field before write"
            />
          </Match>
        </Switch>
        <Show when={form().type !== "computed"}>
          <Toggle label="Stop on fail" checked={form().stopOnFail} onChange={(v) => set("stopOnFail", v)} />
          <TextField label="Message" placeholder="Custom error message" value={form().message} onInput={(v) => set("message", v)} />
        </Show>
        <Show when={form().type !== "field"}>
          <ExpressionTester
            expression={form().expression}
            entity={entity()}
            kind={form().type === "computed" ? "computed" : "expression"}
            target={form().field}
          />
        </Show>
      </form>
    </Modal>
  );
}
