// Form values to request bodies (spec 17 §6.4 and the record editor's payload of
// §5.13): field coercion, and the nested-write value of each relation in the shape
// our server accepts (docs/api.md "Nested writes").
import { coerce, Entity, Field, OMIT, Relation, toInput } from "../../lib/schema";
import type { Row } from "./records";

/** Form strings by field name. */
export type Values = Record<string, string>;
export type WriteMode = "diff" | "replace" | "append";
export const WRITE_MODES: WriteMode[] = ["diff", "replace", "append"];

export function formValues(fields: Field[], record: Row | undefined): Values {
  const out: Values = {};
  for (const f of fields) out[f.name] = toInput(f, record?.[f.name]);
  return out;
}

/**
 * One form value to JSON, or OMIT (§6.4). When editing, an unchanged value goes back
 * as stored (no seconds lost to a datetime-local input), and a value the user cleared
 * becomes null (rule 1 alone would make clearing impossible). A datetime-local value
 * is local time: it is sent with its offset, since the server reads no offset as UTC.
 */
export function fieldValue(f: Field, raw: string, original: unknown, editing: boolean): unknown {
  const stored = original !== null && original !== undefined;
  if (editing && raw === toInput(f, original)) return stored ? original : OMIT;
  if (editing && raw === "" && !f.required && stored) return null;
  const v = coerce(f, raw);
  if (f.type === "timestamp" && typeof v === "string") {
    const d = new Date(v);
    return isNaN(d.getTime()) ? v : d.toISOString();
  }
  return v;
}

/** The body part for `fields`; `autoSlug` names a slug field left out when empty. */
export function fieldsBody(fields: Field[], values: Values, original?: Row, autoSlug?: string): Row {
  const out: Row = {};
  for (const f of fields) {
    const raw = values[f.name] ?? "";
    if (f.name === autoSlug && raw === "") continue;
    const v = fieldValue(f, raw, original?.[f.name], original !== undefined);
    if (v !== OMIT) out[f.name] = v;
  }
  return out;
}

/** A row of a one_to_many / one_to_one block. Existing rows carry their stored record. */
export interface ChildRow {
  key: number;
  values: Values;
  original?: Row;
  editing: boolean;
  deleted: boolean;
}

/** A linked target of a many_to_many block. */
export interface LinkRow {
  id: string;
  label: string;
  isNew: boolean;
  deleted: boolean;
}

export interface NestedWrite {
  _write_mode: WriteMode;
  data: Row[];
}

/**
 * one_to_many / one_to_one: existing rows with their PK and data, new rows without a
 * generated PK or the FK back to the parent (`columns` excludes both), deleted
 * existing rows as `{pk, _delete: true}`. In `replace` mode the server ignores
 * `_delete` and keeps such a row, so a deleted row is left out instead: rows not
 * listed are the ones `replace` removes.
 */
export function childrenWrite(target: Entity, columns: Field[], mode: WriteMode, rows: ChildRow[]): NestedWrite | undefined {
  if (!rows.length) return undefined;
  const pk = target.primary_key.field;
  const data: Row[] = [];
  for (const r of rows) {
    if (!r.original) {
      if (!r.deleted) data.push(fieldsBody(columns, r.values));
    } else if (r.deleted) {
      if (mode !== "replace") data.push({ [pk]: r.original[pk], _delete: true });
    } else {
      data.push({
        [pk]: r.original[pk],
        ...fieldsBody(
          columns.filter((c) => c.name !== pk),
          r.values,
          r.original,
        ),
      });
    }
  }
  return { _write_mode: mode, data };
}

/**
 * many_to_many: only the join table is written, so a row is the target's key.
 * `diff` removes a link with `_delete`; `replace` makes the links exactly the rows
 * sent (a deleted link is left out); `append` only adds.
 */
export function linksWrite(target: Entity, mode: WriteMode, links: LinkRow[]): NestedWrite | undefined {
  if (!links.length) return undefined;
  const pk = target.primary_key.field;
  const data: Row[] = [];
  for (const l of links) {
    if (!l.deleted) data.push({ [pk]: l.id });
    else if (!l.isNew && mode === "diff") data.push({ [pk]: l.id, _delete: true });
  }
  return { _write_mode: mode, data };
}

export const defaultMode = (r: Relation): WriteMode => r.write_mode ?? "diff";
