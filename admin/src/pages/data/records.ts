// Record endpoints of the Data Browser (spec 17 §5.13): the list query string,
// one page, every page (CSV export), and requests five at a time (bulk actions).
import { api } from "../../lib/api";
import type { Entity } from "../../lib/schema";

export type Row = Record<string, unknown>;

export interface FilterRow {
  field: string;
  op: string;
  value: string;
}

export interface Sort {
  key: string;
  desc: boolean;
}

/** The list query of §5.13: filters, sort, page and per_page, every component URL-encoded. */
export function listQuery(filters: FilterRow[], sort: Sort | null, page: number, perPage: number): string {
  const parts: [string, string][] = filters
    .filter((f) => f.field && f.value !== "")
    .map((f) => [f.op === "eq" ? `filter[${f.field}]` : `filter[${f.field}.${f.op}]`, f.value]);
  if (sort) parts.push(["sort", sort.desc ? `-${sort.key}` : sort.key]);
  parts.push(["page", String(page)], ["per_page", String(perPage)]);
  return "?" + parts.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join("&");
}

export async function fetchPage(entity: string, search: string): Promise<{ rows: Row[]; total: number }> {
  const res = await api.get<Row[]>(`/${entity}${search}`);
  const rows = res.data ?? [];
  return { rows, total: res.meta?.total ?? rows.length };
}

/** Every row matching the filters and sort, 100 a page until a page comes back short. */
export async function fetchAll(entity: string, filters: FilterRow[], sort: Sort | null): Promise<Row[]> {
  const all: Row[] = [];
  for (let page = 1; ; page++) {
    const { rows } = await fetchPage(entity, listQuery(filters, sort, page, 100));
    all.push(...rows);
    if (rows.length < 100) return all;
  }
}

/** The primary key of a row, as the string used in `/{entity}/{id}`. */
export const pkOf = (e: Entity, row: Row) => String(row[e.primary_key.field] ?? "");

export const recordPath = (entity: string, id: string) => `/${entity}/${encodeURIComponent(id)}`;

/** Runs `task` over `items`, `size` at a time; counts successes and failures. */
export async function inBatches<T>(items: T[], size: number, task: (item: T) => Promise<unknown>) {
  let ok = 0;
  let failed = 0;
  for (let i = 0; i < items.length; i += size) {
    const results = await Promise.allSettled(items.slice(i, i + size).map(task));
    for (const r of results) r.status === "fulfilled" ? ok++ : failed++;
  }
  return { ok, failed };
}
