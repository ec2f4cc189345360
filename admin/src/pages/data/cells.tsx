// Grid cell rendering (spec 17 §5.13 "Cell rendering").
import { JSX } from "solid-js";
import type { Field } from "../../lib/schema";

const Null = () => <span class="muted italic">null</span>;

function truncated(text: string, max: number): JSX.Element {
  return text.length > max ? <span title={text}>{text.slice(0, max)}...</span> : text;
}

/**
 * One value as the grid shows it; `label` is the FK lookup's display value, if any.
 * A plain function, called inside JSX, so a lookup arriving later re-renders it.
 */
export function cellView(field: Field, v: unknown, label?: string): JSX.Element {
  if (v === null || v === undefined) return <Null />;
  if (label !== undefined) return <span title={String(v)}>{label}</span>;
  switch (field.type) {
    case "boolean":
      return String(v === true);
    case "json":
      return truncated(JSON.stringify(v), 50);
    case "file": {
      // A file field holds the upload's metadata: its name says more than JSON.
      const meta = v as { id?: string; filename?: string };
      return typeof v === "object" ? <span title={meta.id}>{meta.filename ?? meta.id}</span> : String(v);
    }
    case "timestamp":
    case "date": {
      const d = new Date(String(v));
      return isNaN(d.getTime())
        ? String(v)
        : field.type === "date"
          ? d.toLocaleDateString(undefined, { timeZone: "UTC" })
          : d.toLocaleString();
    }
    case "uuid":
      return (
        <span class="font-mono text-xs" title={String(v)}>
          {String(v).slice(0, 8)}...
        </span>
      );
    default:
      return typeof v === "object" ? truncated(JSON.stringify(v), 50) : String(v);
  }
}

/** The compact value of a related-record cell: truncated, "null" muted. */
export function shortValue(v: unknown): JSX.Element {
  if (v === null || v === undefined || v === "") return <Null />;
  const text = typeof v === "object" ? ((v as { filename?: string }).filename ?? JSON.stringify(v)) : String(v);
  return truncated(text, 30);
}
