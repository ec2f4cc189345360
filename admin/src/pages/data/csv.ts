// CSV text for the Data Browser's export and import (spec 17 §5.13): encoding of
// values, and a parser for quoted fields, doubled quotes, embedded commas and
// newlines that skips blank lines.
import type { Entity } from "../../lib/schema";
import type { Row } from "./records";

function encodeValue(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "object" ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** The PK, then every field, without listing the PK twice (fixes §10.6). */
export function csvColumns(e: Entity): string[] {
  return [...new Set([e.primary_key.field, ...e.fields.map((f) => f.name)])];
}

export function toCsv(columns: string[], rows: Row[]): string {
  const lines = [columns.map(encodeValue).join(",")];
  for (const r of rows) lines.push(columns.map((c) => encodeValue(r[c])).join(","));
  return lines.join("\n") + "\n";
}

/** Rows of cells; blank lines are skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  const endRow = () => {
    row.push(cell);
    if (row.length > 1 || row[0] !== "") rows.push(row);
    row = [];
    cell = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      endRow();
    } else cell += c;
  }
  if (cell !== "" || row.length) endRow();
  return rows;
}
