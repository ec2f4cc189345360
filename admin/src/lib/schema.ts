// Entity and relation metadata as the admin sees it, and the shared rules of
// spec 17 §6.4 (writable fields, value coercion) and §6.5 (foreign keys, display field).
import { createResource, createRoot } from "solid-js";
import { api, asObject } from "./api";
import { isAppUser, selectedApp } from "./session";

export const FIELD_TYPES = ["string", "text", "int", "bigint", "decimal", "boolean", "uuid", "timestamp", "date", "json", "file"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface Field {
  name: string;
  type: FieldType | string;
  required?: boolean;
  unique?: boolean;
  nullable?: boolean;
  default?: unknown;
  enum?: string[];
  precision?: number;
  auto?: "create" | "update" | string;
}

export interface Entity {
  name: string;
  table?: string;
  primary_key: { field: string; type: string; generated?: boolean };
  soft_delete?: boolean;
  slug?: { field: string; source?: string; regenerate_on_update?: boolean };
  fields: Field[];
}

export type RelationType = "one_to_one" | "one_to_many" | "many_to_many";

export interface Relation {
  name: string;
  type: RelationType;
  source: string;
  target: string;
  source_key?: string;
  target_key?: string;
  join_table?: string;
  source_join_key?: string;
  target_join_key?: string;
  ownership?: string;
  on_delete?: string;
  fetch?: string;
  write_mode?: "diff" | "replace" | "append";
}

interface EntityRow {
  name: string;
  table_name: string;
  definition: Entity | string;
}
interface RelationRow {
  name: string;
  definition: Relation | string;
}

export async function fetchEntities(): Promise<Entity[]> {
  const res = await api.get<EntityRow[]>("/_admin/entities");
  return (res.data ?? []).map((r) => ({ ...asObject<Entity>(r.definition), name: r.name }));
}

export async function fetchRelations(): Promise<Relation[]> {
  const res = await api.get<RelationRow[]>("/_admin/relations");
  return (res.data ?? []).map((r) => ({ ...asObject<Relation>(r.definition), name: r.name }));
}

export type Action = "read" | "create" | "update" | "delete";

interface Schema {
  entities: Entity[];
  relations: Relation[];
  /** Per entity, the actions the signed-in user may take (absent: all, an admin). */
  permissions?: Record<string, Action[]>;
}

/**
 * An app user cannot read /_admin/*: `GET /_schema` gives the entities and
 * relations they hold permissions on, with those permissions.
 */
async function fetchSchema(): Promise<Schema> {
  if (isAppUser()) return (await api.get<Schema>("/_schema")).data;
  const [entities, relations] = await Promise.all([fetchEntities(), fetchRelations()]);
  return { entities, relations };
}

/**
 * The shared metadata cache of the selected app: pages read `entities()` and
 * `relations()` and call `reloadSchema()` after they change metadata.
 */
const store = createRoot(() => {
  const [schema, { refetch }] = createResource<Schema, string>(selectedApp, () => fetchSchema(), {
    initialValue: { entities: [], relations: [] },
  });
  return { schema, refetch };
});

export const entities = () => store.schema.latest?.entities ?? [];
export const relations = () => store.schema.latest?.relations ?? [];
export const schemaLoading = () => store.schema.loading;
export function reloadSchema() {
  store.refetch();
}

/** Whether the signed-in user may take `action` on `entity` (admins: always). */
export function can(entity: string, action: Action): boolean {
  const perms = store.schema.latest?.permissions;
  return !perms || (perms[entity] ?? []).includes(action);
}
export function entityByName(name: string | undefined): Entity | undefined {
  return entities().find((e) => e.name === name);
}

export const typeLabel = (t: string) => t.replace(/_/g, " ");
export const cardinality = (t: string) => (t === "one_to_one" ? "1:1" : t === "many_to_many" ? "N:N" : "1:N");

/** §6.4: the fields a form may write, for a create or an edit. */
export function writableFields(e: Entity, mode: "create" | "edit"): Field[] {
  const pk = e.primary_key?.field;
  return e.fields.filter((f) => {
    if (f.auto === "create" || f.auto === "update") return false;
    if (f.name === pk && (mode === "edit" || e.primary_key?.generated)) return false;
    return true;
  });
}

/** The value marker for "leave this key out of the payload" (§6.4 rule 1). */
export const OMIT = Symbol("omit");

/** §6.4: a form string to a JSON value (or OMIT). */
export function coerce(f: Field, raw: string): unknown {
  if (raw === "" && !f.required) return OMIT;
  switch (f.type) {
    case "int":
    case "bigint": {
      if (raw.trim() === "") return null;
      const n = Number(raw);
      return Number.isFinite(n) ? Math.trunc(n) : raw;
    }
    case "decimal": {
      if (raw.trim() === "") return null;
      const n = Number(raw);
      return Number.isFinite(n) ? n : raw;
    }
    case "boolean":
      return raw === "true" || raw === "on";
    case "json":
      try {
        return JSON.parse(raw);
      } catch {
        return raw;
      }
    case "file":
      return raw || null;
    default:
      return raw === "" ? null : raw;
  }
}

/** A stored value to the string a form control shows. */
export function toInput(f: Field, v: unknown): string {
  if (v === null || v === undefined) return "";
  if (f.type === "json") return typeof v === "string" ? v : JSON.stringify(v, null, 2);
  if (f.type === "file") return typeof v === "object" ? String((v as any).id ?? "") : String(v);
  if (f.type === "timestamp") {
    const d = new Date(String(v));
    if (isNaN(d.getTime())) return String(v);
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
  if (f.type === "date") return String(v).slice(0, 10);
  return String(v);
}

/** The HTML input type for a field (§6.4 table). */
export function inputType(f: Field): string {
  switch (f.type) {
    case "int":
    case "bigint":
    case "decimal":
      return "number";
    case "timestamp":
      return "datetime-local";
    case "date":
      return "date";
    case "boolean":
      return "checkbox";
    default:
      return "text";
  }
}

export interface ForeignKey {
  field: string;
  entity: string;
  key: string;
}

/** §6.5: the FK fields of an entity, from relations that target it. */
export function foreignKeys(entity: string, rels: Relation[] = relations()): ForeignKey[] {
  return rels
    .filter((r) => r.target === entity && r.target_key && r.type !== "many_to_many")
    .map((r) => ({ field: r.target_key!, entity: r.source, key: r.source_key || "id" }));
}

const DISPLAY_NAMES = ["name", "title", "label", "display_name", "email", "username", "slug"];
const NOT_DISPLAY = ["id", "created_at", "updated_at", "deleted_at"];

/** §6.5: the field that names a record of this entity, if any. */
export function displayField(e: Entity | undefined): string | undefined {
  if (!e) return undefined;
  const names = new Set(e.fields.map((f) => f.name));
  const known = DISPLAY_NAMES.find((n) => names.has(n));
  if (known) return known;
  return e.fields.find(
    (f) => (f.type === "string" || f.type === "text") && !f.auto && f.name !== e.primary_key?.field && !NOT_DISPLAY.includes(f.name),
  )?.name;
}

/** The relations where `entity` is the source (include helpers, nested editing). */
export function sourceRelations(entity: string, rels: Relation[] = relations()): Relation[] {
  return rels.filter((r) => r.source === entity);
}
