// Foreign-key display lookups (spec 17 §6.5, fixes §10.7): instead of the first 200
// rows of the referenced entity, the grid asks for exactly the ids on the page
// (`filter[key.in]`) and the FK select searches the server (`filter[display.like]`).
import { api } from "../../lib/api";
import { displayField, entityByName, ForeignKey } from "../../lib/schema";
import type { Row } from "./records";

export interface FkOption {
  id: string;
  label: string;
}

/** Per FK field: referenced id → display value. */
export type Lookups = Record<string, Record<string, string>>;

const display = (fk: ForeignKey) => displayField(entityByName(fk.entity));

function option(fk: ForeignKey, row: Row): FkOption {
  const id = String(row[fk.key] ?? "");
  const field = display(fk);
  const label = field && row[field] !== null && row[field] !== undefined ? String(row[field]) : id;
  return { id, label };
}

/** Filter values are at most 1,000 characters (docs/api.md): ids go in chunks that fit. */
function chunks(ids: string[], max = 900): string[][] {
  const out: string[][] = [];
  let cur: string[] = [];
  let len = 0;
  for (const id of ids) {
    if (cur.length && len + id.length + 1 > max) {
      out.push(cur);
      cur = [];
      len = 0;
    }
    cur.push(id);
    len += id.length + 1;
  }
  if (cur.length) out.push(cur);
  return out;
}

async function lookupIds(fk: ForeignKey, ids: string[]): Promise<Record<string, string>> {
  const map: Record<string, string> = {};
  for (const part of chunks(ids)) {
    const q = `?${encodeURIComponent(`filter[${fk.key}.in]`)}=${encodeURIComponent(part.join(","))}&per_page=100`;
    try {
      const res = await api.get<Row[]>(`/${fk.entity}${q}`);
      for (const r of res.data ?? []) {
        const o = option(fk, r);
        map[o.id] = o.label;
      }
    } catch {
      /* a lookup is decoration: cells fall back to the raw id */
    }
  }
  return map;
}

/** The display values of the FK values found in `rows`. */
export async function loadLookups(fks: ForeignKey[], rows: Row[]): Promise<Lookups> {
  const out: Lookups = {};
  await Promise.all(
    fks
      .filter((fk) => display(fk))
      .map(async (fk) => {
        const ids = [
          ...new Set(
            rows
              .map((r) => r[fk.field])
              .filter((v) => v !== null && v !== undefined && v !== "")
              .map(String),
          ),
        ];
        out[fk.field] = ids.length ? await lookupIds(fk, ids) : {};
      }),
  );
  return out;
}

/** The label of one referenced record (the select's current value). */
export async function labelOf(fk: ForeignKey, id: string): Promise<string> {
  if (!display(fk)) return id;
  return (await lookupIds(fk, [id]))[id] ?? id;
}

/** Up to 20 referenced records whose display value contains `text` (server-side filter). */
export async function searchOptions(fk: ForeignKey, text: string): Promise<FkOption[]> {
  const field = display(fk) ?? fk.key;
  const params = [`per_page=20`, `sort=${encodeURIComponent(field)}`];
  if (text) params.unshift(`${encodeURIComponent(`filter[${field}.like]`)}=${encodeURIComponent(`%${text}%`)}`);
  const res = await api.get<Row[]>(`/${fk.entity}?${params.join("&")}`);
  return (res.data ?? []).map((r) => option(fk, r));
}
