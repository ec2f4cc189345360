// Rules (spec 17 §5.9, spec 07 §1): the stored rule, the editor's form state, and
// the conversions between them (numeric thresholds sent as numbers, fixing §10.5).
import { asObject } from "../../lib/api";

export type RuleType = "field" | "expression" | "computed";
export type Hook = "before_write" | "before_delete";

export interface RuleDefinition {
  field?: string;
  operator?: string;
  value?: unknown;
  expression?: string;
  message?: string;
  stop_on_fail?: boolean;
  related_load?: unknown[];
}

export interface Rule {
  id: string;
  entity: string;
  hook: Hook | string;
  type: RuleType | string;
  definition: RuleDefinition;
  priority: number;
  active: boolean;
}

export interface RuleForm {
  entity: string;
  hook: string;
  type: RuleType;
  priority: string;
  active: boolean;
  field: string;
  operator: string;
  value: string;
  expression: string;
  message: string;
  stopOnFail: boolean;
  /** Kept as stored: the editor does not edit related_load. */
  relatedLoad?: unknown[];
}

export const OPERATORS: [string, string][] = [
  ["min", "min"],
  ["max", "max"],
  ["min_length", "min length"],
  ["max_length", "max length"],
  ["pattern", "pattern"],
];
const NUMERIC = ["min", "max", "min_length", "max_length"];

/** A list row, with a definition that may arrive JSON-encoded (§7). */
export function normalizeRule(row: Rule): Rule {
  return { ...row, definition: asObject<RuleDefinition>(row.definition) ?? {} };
}

/** The new-rule defaults of §5.9. */
export function emptyForm(): RuleForm {
  return {
    entity: "",
    hook: "before_write",
    type: "field",
    priority: "0",
    active: true,
    field: "",
    operator: "min",
    value: "0",
    expression: "",
    message: "",
    stopOnFail: false,
  };
}

export function toForm(r: Rule): RuleForm {
  const d = r.definition;
  return {
    entity: r.entity,
    hook: r.hook,
    type: (r.type as RuleType) ?? "field",
    priority: String(r.priority ?? 0),
    active: r.active,
    field: d.field ?? "",
    operator: d.operator ?? "min",
    value: d.value === undefined || d.value === null ? "" : String(d.value),
    expression: d.expression ?? "",
    message: d.message ?? "",
    stopOnFail: !!d.stop_on_fail,
    relatedLoad: d.related_load,
  };
}

/** A form problem to show in the banner before any request, or null. */
export function validate(f: RuleForm): string | null {
  if (!f.entity) return "Entity is required";
  if (f.type === "field" && NUMERIC.includes(f.operator) && !Number.isFinite(Number(f.value.trim() || "x"))) {
    return "Value must be a number";
  }
  return null;
}

export function toBody(f: RuleForm) {
  const definition: RuleDefinition = {};
  if (f.type === "field") {
    definition.field = f.field.trim();
    definition.operator = f.operator;
    definition.value = NUMERIC.includes(f.operator) ? Number(f.value.trim()) : f.value;
  } else {
    if (f.type === "computed") definition.field = f.field.trim();
    definition.expression = f.expression;
    if (f.relatedLoad?.length) definition.related_load = f.relatedLoad;
  }
  if (f.type !== "computed") {
    if (f.message.trim()) definition.message = f.message.trim();
    if (f.stopOnFail) definition.stop_on_fail = true;
  }
  const priority = parseInt(f.priority, 10);
  return {
    entity: f.entity,
    hook: f.hook,
    type: f.type,
    definition,
    priority: Number.isFinite(priority) ? priority : 0,
    active: f.active,
  };
}

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n)}...` : s);

/** The list's Summary column (§5.9). */
export function summary(r: Rule): string {
  const d = r.definition;
  if (r.type === "field") return `${d.field ?? ""} ${d.operator ?? ""} ${d.value ?? ""}`;
  if (r.type === "computed") return `${d.field ?? ""} = ${cut(d.expression ?? "", 40)}`;
  return cut(d.expression ?? "", 50);
}
