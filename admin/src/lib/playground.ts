// The API playground's request model (spec 17 §5.14): methods, the body template
// built from the writable fields, the request path, and the recent-request history.
import { createSignal } from "solid-js";
import { Entity, Field, writableFields } from "./schema";

export type Method = "GET_LIST" | "GET_BY_ID" | "POST" | "PUT" | "DELETE";

export const METHODS: { value: Method; label: string; verb: string }[] = [
  { value: "GET_LIST", label: "GET - List", verb: "GET" },
  { value: "GET_BY_ID", label: "GET - By ID", verb: "GET" },
  { value: "POST", label: "POST - Create", verb: "POST" },
  { value: "PUT", label: "PUT - Update", verb: "PUT" },
  { value: "DELETE", label: "DELETE", verb: "DELETE" },
];

export const verbOf = (m: Method) => METHODS.find((x) => x.value === m)!.verb;
export const needsId = (m: Method) => m === "GET_BY_ID" || m === "PUT" || m === "DELETE";
export const hasBody = (m: Method) => m === "POST" || m === "PUT";

/** §5.13's filter operators as [value, label]. */
export const OPERATORS: [string, string][] = [
  ["eq", "="],
  ["neq", "!="],
  ["gt", ">"],
  ["gte", ">="],
  ["lt", "<"],
  ["lte", "<="],
  ["like", "like"],
  ["in", "in"],
  ["not_in", "not in"],
];

export interface FilterRow {
  field: string;
  op: string;
  value: string;
}

export interface ListOptions {
  filters: FilterRow[];
  sort: string;
  include: string;
  page: number;
  perPage: number;
}

export const DEFAULT_PAGE = 1;
export const DEFAULT_PER_PAGE = 25;
export const MAX_PER_PAGE = 100;

function templateValue(f: Field): unknown {
  if (f.enum?.length) return f.enum[0];
  switch (f.type) {
    case "int":
    case "integer":
    case "bigint":
    case "float":
    case "decimal":
      return 0;
    case "boolean":
      return false;
    case "uuid":
      return "00000000-0000-0000-0000-000000000000";
    case "timestamp":
      return new Date().toISOString();
    case "date":
      return new Date().toISOString().slice(0, 10);
    case "json":
      return {};
    case "file":
      return "file-uuid-here";
    default:
      return "";
  }
}

/** The POST/PUT body template: one key per writable field (§5.14 table). */
export function bodyTemplate(e: Entity, method: Method): string {
  const body: Record<string, unknown> = {};
  for (const f of writableFields(e, method === "PUT" ? "edit" : "create")) body[f.name] = templateValue(f);
  return JSON.stringify(body, null, 2);
}

const enc = encodeURIComponent;

/** The path under `/api/{app}`; page and per_page only when not at their defaults. */
export function requestPath(entity: string, method: Method, id: string, list: ListOptions): string {
  const base = `/${enc(entity)}`;
  if (needsId(method)) {
    const path = `${base}/${enc(id.trim())}`;
    return method === "GET_BY_ID" && list.include.trim() ? `${path}?include=${enc(list.include.trim())}` : path;
  }
  if (method !== "GET_LIST") return base;
  const parts: string[] = [];
  for (const f of list.filters) {
    if (!f.field || f.value === "") continue;
    const key = f.op === "eq" ? f.field : `${f.field}.${f.op}`;
    parts.push(`filter[${enc(key)}]=${enc(f.value)}`);
  }
  if (list.sort.trim()) parts.push(`sort=${enc(list.sort.trim())}`);
  if (list.include.trim()) parts.push(`include=${enc(list.include.trim())}`);
  if (list.page !== DEFAULT_PAGE) parts.push(`page=${list.page}`);
  if (list.perPage !== DEFAULT_PER_PAGE) parts.push(`per_page=${list.perPage}`);
  return parts.length ? `${base}?${parts.join("&")}` : base;
}

/** Adds `name` to a comma-separated include list, or removes it when present. */
export function toggleInclude(list: string, name: string): string {
  const items = list
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  return (items.includes(name) ? items.filter((i) => i !== name) : [...items, name]).join(",");
}

export interface HistoryEntry {
  id: number;
  method: Method;
  entity: string;
  url: string;
  status: number;
  ms: number;
  at: Date;
}

export const HISTORY_SIZE = 20;

// Kept for the page's lifetime in this tab: switching apps reloads the page.
const [history, setHistory] = createSignal<HistoryEntry[]>([]);
let nextId = 1;
export { history };
export function remember(entry: Omit<HistoryEntry, "id">) {
  setHistory((h) => [{ ...entry, id: nextId++ }, ...h].slice(0, HISTORY_SIZE));
}
