// The fields table of the entity editor and the onboarding wizard (spec 17 §5.5
// "Fields", §5.6 step 3) with its Quick Add field templates.
import { createSignal, For, Index, onCleanup, onMount, Show } from "solid-js";
import { toast } from "../../components/toast";
import { TagInput } from "../../components/ui";
import { Entity, Field, FIELD_TYPES } from "../../lib/schema";

export interface FieldTemplate {
  label: string;
  description: string;
  fields: Field[];
}

const ts = (name: string, auto: "create" | "update"): Field => ({ name, type: "timestamp", required: true, auto });

/** §5.5 Quick Add templates, in the spec's order. */
export const QUICK_ADD: FieldTemplate[] = [
  { label: "Timestamps", description: "created_at + updated_at", fields: [ts("created_at", "create"), ts("updated_at", "update")] },
  {
    label: "Name",
    description: "first_name + last_name",
    fields: [
      { name: "first_name", type: "string", required: true },
      { name: "last_name", type: "string", required: true },
    ],
  },
  {
    label: "Contact",
    description: "email + phone",
    fields: [
      { name: "email", type: "string", required: true, unique: true },
      { name: "phone", type: "string" },
    ],
  },
  {
    label: "Address",
    description: "street, city, state, zip, country",
    fields: ["street", "city", "state", "zip", "country"].map((name) => ({ name, type: "string" })),
  },
  {
    label: "Status",
    description: "status enum (active / inactive / archived)",
    fields: [{ name: "status", type: "string", required: true, default: "active", enum: ["active", "inactive", "archived"] }],
  },
  {
    label: "Money",
    description: "amount + currency",
    fields: [
      { name: "amount", type: "decimal", required: true, precision: 2 },
      { name: "currency", type: "string", required: true, default: "USD" },
    ],
  },
  {
    label: "Description",
    description: "title + description",
    fields: [
      { name: "title", type: "string", required: true },
      { name: "description", type: "text" },
    ],
  },
  {
    label: "SEO",
    description: "title + slug + meta_description",
    fields: [
      { name: "title", type: "string", required: true },
      { name: "slug", type: "string", required: true, unique: true },
      { name: "meta_description", type: "text" },
    ],
  },
  { label: "Notes", description: "notes text field", fields: [{ name: "notes", type: "text" }] },
  { label: "Metadata", description: "metadata JSON field", fields: [{ name: "metadata", type: "json" }] },
  { label: "Active Flag", description: "active boolean", fields: [{ name: "active", type: "boolean", required: true, default: true }] },
  { label: "Sort Order", description: "sort_order integer", fields: [{ name: "sort_order", type: "int", default: 0 }] },
];

/** Appends the template's fields whose names are not present yet, with the §5.5 toasts. */
export function applyTemplate(fields: Field[], t: FieldTemplate): Field[] {
  const names = new Set(fields.map((f) => f.name));
  const added = t.fields.filter((f) => !names.has(f.name)).map((f) => structuredClone(f));
  const skipped = t.fields.length - added.length;
  if (added.length === 0) toast.success(`All fields from "${t.label}" already exist`);
  else toast.success(`Added ${added.length} field(s) from "${t.label}"${skipped ? ` (${skipped} already existed)` : ""}`);
  return [...fields, ...added];
}

/** "Quick Add ▾": a menu of the templates that closes on an outside click or Escape. */
export function QuickAdd(props: { onPick: (t: FieldTemplate) => void }) {
  const [open, setOpen] = createSignal(false);
  let root!: HTMLDivElement;
  const outside = (e: MouseEvent) => {
    if (!root.contains(e.target as Node)) setOpen(false);
  };
  onMount(() => document.addEventListener("mousedown", outside));
  onCleanup(() => document.removeEventListener("mousedown", outside));
  return (
    <div class="relative" ref={root} onKeyDown={(e) => e.key === "Escape" && setOpen(false)}>
      <button type="button" class="btn btn-secondary btn-sm" aria-haspopup="menu" aria-expanded={open()} onClick={() => setOpen(!open())}>
        Quick Add ▾
      </button>
      <Show when={open()}>
        <div role="menu" aria-label="Field templates" class="card absolute right-0 z-20 mt-1 max-h-80 w-64 overflow-auto py-1 shadow-lg">
          <For each={QUICK_ADD}>
            {(t) => (
              <button
                type="button"
                role="menuitem"
                class="block w-full px-3 py-1.5 text-left hover:bg-gray-50 focus:bg-gray-50 focus:outline-none dark:hover:bg-gray-700 dark:focus:bg-gray-700"
                onClick={() => {
                  setOpen(false);
                  props.onPick(t);
                }}
              >
                <span class="block text-sm font-medium">{t.label}</span>
                <span class="block text-xs text-gray-500 dark:text-gray-400">{t.description}</span>
              </button>
            )}
          </For>
        </div>
      </Show>
    </div>
  );
}

/** A copy of `f` with `patch` applied; keys patched to `undefined` are removed. */
function patched(f: Field, patch: Partial<Field>): Field {
  const next: Record<string, unknown> = { ...f, ...patch };
  for (const [k, v] of Object.entries(patch)) if (v === undefined) delete next[k];
  return next as unknown as Field;
}

function FieldRow(props: { index: number; field: Field; isPk: boolean; onChange: (f: Field) => void; onRemove: () => void }) {
  const n = () => props.index + 1;
  const set = (patch: Partial<Field>) => props.onChange(patched(props.field, patch));
  const types = () => ((FIELD_TYPES as readonly string[]).includes(props.field.type) ? FIELD_TYPES : [...FIELD_TYPES, props.field.type]);
  return (
    <tr class="align-top">
      <td class="px-2 py-2">
        <input
          class="input input-sm min-w-[9rem] font-mono"
          placeholder="field_name"
          aria-label={`Field ${n()} name`}
          value={props.field.name}
          onInput={(e) => set({ name: e.currentTarget.value })}
        />
      </td>
      <td class="px-2 py-2">
        <select
          class="input input-sm min-w-[7rem]"
          aria-label={`Field ${n()} type`}
          value={props.field.type}
          onChange={(e) => {
            const type = e.currentTarget.value;
            // An enum applies to strings only: it goes with the type.
            set({ type, enum: type === "string" ? props.field.enum : undefined });
          }}
        >
          <For each={types()}>
            {(t) => (
              <option value={t} selected={t === props.field.type}>
                {t}
              </option>
            )}
          </For>
        </select>
      </td>
      <td class="px-2 py-2 text-center">
        <input
          type="checkbox"
          class="mt-1.5"
          aria-label={`Field ${n()} required`}
          checked={!!props.field.required}
          onChange={(e) => set({ required: e.currentTarget.checked || undefined })}
        />
      </td>
      <td class="px-2 py-2 text-center">
        <input
          type="checkbox"
          class="mt-1.5"
          aria-label={`Field ${n()} unique`}
          checked={!!props.field.unique}
          onChange={(e) => set({ unique: e.currentTarget.checked || undefined })}
        />
      </td>
      <td class="px-2 py-2">
        <input
          class="input input-sm min-w-[6rem]"
          aria-label={`Field ${n()} default`}
          value={
            props.field.default === undefined || props.field.default === null
              ? ""
              : typeof props.field.default === "object"
                ? JSON.stringify(props.field.default)
                : String(props.field.default)
          }
          onInput={(e) => set({ default: e.currentTarget.value === "" ? undefined : e.currentTarget.value })}
        />
      </td>
      <td class="px-2 py-2">
        <Show when={props.field.type === "string"}>
          <div class="min-w-[10rem]">
            <TagInput
              label={`Field ${n()} enum values`}
              placeholder="Add value"
              value={props.field.enum ?? []}
              onChange={(v) => set({ enum: v.length ? v : undefined })}
            />
          </div>
        </Show>
      </td>
      <td class="px-2 py-2 text-right">
        <Show when={!props.isPk}>
          <button
            type="button"
            class="btn btn-ghost btn-sm text-red-600 dark:text-red-400"
            aria-label={`Remove field ${n()}`}
            onClick={() => props.onRemove()}
          >
            ✕
          </button>
        </Show>
      </td>
    </tr>
  );
}

/** The editable fields table (§5.5): rows are kept by position, so typing keeps focus. */
export function FieldsTable(props: { fields: Field[]; pkField?: string; onChange: (fields: Field[]) => void }) {
  const replace = (i: number, f: Field) => props.onChange(props.fields.map((x, j) => (j === i ? f : x)));
  return (
    <div class="relative overflow-x-auto">
      <table class="w-full text-left text-sm">
        <thead class="text-xs tracking-wider text-gray-500 uppercase dark:text-gray-400">
          <tr>
            <th class="px-2 py-1 font-medium">Name</th>
            <th class="px-2 py-1 font-medium">Type</th>
            <th class="px-2 py-1 text-center font-medium">Required</th>
            <th class="px-2 py-1 text-center font-medium">Unique</th>
            <th class="px-2 py-1 font-medium">Default</th>
            <th class="px-2 py-1 font-medium">Enum</th>
            <th class="px-2 py-1">
              <span class="sr-only">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody class="divide-y divide-gray-100 dark:divide-gray-700">
          <Index each={props.fields}>
            {(f, i) => (
              <FieldRow
                index={i}
                field={f()}
                isPk={!!props.pkField && f().name === props.pkField}
                onChange={(next) => replace(i, next)}
                onRemove={() => props.onChange(props.fields.filter((_, j) => j !== i))}
              />
            )}
          </Index>
        </tbody>
      </table>
    </div>
  );
}

/** The header row of the fields section: heading, Quick Add and "+ Add Field". */
export function FieldsHeader(props: { fields: Field[]; onChange: (fields: Field[]) => void; title?: string }) {
  return (
    <div class="mb-3 flex flex-wrap items-center justify-between gap-2">
      <h2 class="section-title !mb-0">{props.title ?? "Fields"}</h2>
      <div class="flex items-center gap-2">
        <QuickAdd onPick={(t) => props.onChange(applyTemplate(props.fields, t))} />
        <button
          type="button"
          class="btn btn-secondary btn-sm"
          onClick={() => props.onChange([...props.fields, { name: "", type: "string" }])}
        >
          + Add Field
        </button>
      </div>
    </div>
  );
}

const NUMBER_TYPES = ["int", "integer", "bigint", "decimal", "float"];

/**
 * The definition's fields as sent: a default typed into the text box is stored as
 * typed for text-like fields, and as the number, boolean or JSON value it spells for
 * the others (the server refuses `"5"` as an int default).
 */
function typedDefaults(fields: Field[]): Field[] {
  return fields.map((f) => {
    if (typeof f.default !== "string") return f;
    const raw = f.default.trim();
    let value: unknown = f.default;
    if (NUMBER_TYPES.includes(f.type) && raw !== "" && Number.isFinite(Number(raw))) value = Number(raw);
    else if (f.type === "boolean" && (raw === "true" || raw === "false")) value = raw === "true";
    else if (f.type === "json") {
      try {
        value = JSON.parse(raw);
      } catch {
        /* kept as typed: the server names the problem */
      }
    }
    return { ...f, default: value };
  });
}

/** The definition sent on save: a blank table becomes the name, defaults are typed. */
export function entityBody(e: Entity): Entity {
  return { ...e, name: e.name.trim(), table: e.table?.trim() || e.name.trim(), fields: typedDefaults(e.fields) };
}
