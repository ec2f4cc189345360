// Shared building blocks (spec 17 §2.5, §8): page header, badges, toggle, tag
// input, labelled form fields, error banner, loading and empty states.
import { createSignal, createUniqueId, For, JSX, Show, splitProps } from "solid-js";

export function PageHeader(props: { title: string; subtitle?: string; children?: JSX.Element }) {
  return (
    <div class="mb-6 flex flex-wrap items-start justify-between gap-3">
      <div class="min-w-0">
        <h1 class="text-2xl font-semibold break-words">{props.title}</h1>
        <Show when={props.subtitle}>
          <p class="mt-1 text-sm text-gray-500 dark:text-gray-400">{props.subtitle}</p>
        </Show>
      </div>
      <div class="flex flex-wrap items-center gap-2">{props.children}</div>
    </div>
  );
}

export type BadgeColor = "blue" | "green" | "red" | "gray" | "purple" | "yellow";

const BADGE: Record<BadgeColor, string> = {
  blue: "bg-blue-100 text-blue-800 dark:bg-blue-500/20 dark:text-blue-200",
  green: "bg-green-100 text-green-800 dark:bg-green-500/20 dark:text-green-200",
  red: "bg-red-100 text-red-800 dark:bg-red-500/20 dark:text-red-200",
  gray: "bg-gray-100 text-gray-700 dark:bg-gray-500/20 dark:text-gray-300",
  purple: "bg-purple-100 text-purple-800 dark:bg-purple-500/20 dark:text-purple-200",
  yellow: "bg-yellow-100 text-yellow-800 dark:bg-yellow-500/20 dark:text-yellow-200",
};

export function Badge(props: { color?: BadgeColor; children: JSX.Element; title?: string }) {
  return (
    <span
      title={props.title}
      class={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium whitespace-nowrap ${BADGE[props.color ?? "gray"]}`}
    >
      {props.children}
    </span>
  );
}

export function YesNo(props: { value: boolean | undefined; yes?: string; no?: string }) {
  return props.value ? <Badge color="green">{props.yes ?? "yes"}</Badge> : <Badge color="gray">{props.no ?? "no"}</Badge>;
}

/** A pill switch with its label above it (§2.5). */
export function Toggle(props: { label: string; checked: boolean; onChange: (v: boolean) => void; disabled?: boolean }) {
  const id = createUniqueId();
  return (
    <div>
      <label class="label" for={id}>
        {props.label}
      </label>
      <button
        id={id}
        type="button"
        role="switch"
        aria-checked={props.checked}
        disabled={props.disabled}
        onClick={() => props.onChange(!props.checked)}
        class={`relative inline-flex h-6 w-11 items-center rounded-full transition-colors disabled:opacity-50 ${
          props.checked ? "bg-blue-600" : "bg-gray-300 dark:bg-gray-600"
        }`}
      >
        <span
          class={`inline-block h-4 w-4 rounded-full bg-white shadow transition-transform ${
            props.checked ? "translate-x-6" : "translate-x-1"
          }`}
        />
      </button>
    </div>
  );
}

/** Removable chips: Enter adds (duplicates ignored), Backspace on empty removes the last (§2.5). */
export function TagInput(props: { value: string[]; onChange: (v: string[]) => void; placeholder?: string; label?: string }) {
  const [text, setText] = createSignal("");
  const add = () => {
    const v = text().trim();
    if (v && !props.value.includes(v)) props.onChange([...props.value, v]);
    setText("");
  };
  return (
    <div class="input flex min-h-[2rem] flex-wrap items-center gap-1 !py-1">
      <For each={props.value}>
        {(tag) => (
          <span class="inline-flex items-center gap-1 rounded bg-blue-100 px-1.5 text-xs text-blue-800 dark:bg-blue-500/20 dark:text-blue-200">
            {tag}
            <button type="button" aria-label={`Remove ${tag}`} onClick={() => props.onChange(props.value.filter((t) => t !== tag))}>
              ×
            </button>
          </span>
        )}
      </For>
      <input
        class="min-w-[4rem] flex-1 bg-transparent text-xs outline-none"
        aria-label={props.label ?? "Add value"}
        placeholder={props.value.length ? "" : (props.placeholder ?? "Type and press Enter")}
        value={text()}
        onInput={(e) => setText(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === "Enter") {
            e.preventDefault();
            add();
          } else if (e.key === "Backspace" && text() === "" && props.value.length) {
            props.onChange(props.value.slice(0, -1));
          }
        }}
        onBlur={add}
      />
    </div>
  );
}

/** Comma-separated roles to a list: split, trimmed, empty parts dropped (§2.5). */
export const splitList = (s: string) =>
  s
    .split(",")
    .map((x) => x.trim())
    .filter(Boolean);

/** A label above any control; the label is bound to the control by id. */
export function FormField(props: { label: string; help?: string; children: (id: string) => JSX.Element; class?: string }) {
  const id = createUniqueId();
  return (
    <div class={props.class}>
      <label class="label" for={id}>
        {props.label}
      </label>
      {props.children(id)}
      <Show when={props.help}>
        <p class="help">{props.help}</p>
      </Show>
    </div>
  );
}

/** A labelled text input: the common case of FormField. */
export function TextField(
  props: { label: string; value: string; onInput: (v: string) => void; help?: string; mono?: boolean } & Omit<
    JSX.InputHTMLAttributes<HTMLInputElement>,
    "value" | "onInput"
  >,
) {
  const [own, rest] = splitProps(props, ["label", "value", "onInput", "help", "mono", "class"]);
  return (
    <FormField label={own.label} help={own.help} class={own.class}>
      {(id) => (
        <input
          id={id}
          class={`input ${own.mono ? "font-mono" : ""}`}
          value={own.value}
          onInput={(e) => own.onInput(e.currentTarget.value)}
          {...rest}
        />
      )}
    </FormField>
  );
}

/** A labelled select over `[value, label]` pairs (or plain values). */
export function SelectField(props: {
  label: string;
  value: string;
  onChange: (v: string) => void;
  options: (string | [string, string])[];
  placeholder?: string;
  disabled?: boolean;
  help?: string;
  class?: string;
}) {
  return (
    <FormField label={props.label} help={props.help} class={props.class}>
      {(id) => (
        <select id={id} class="input" value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(e.currentTarget.value)}>
          <Show when={props.placeholder !== undefined}>
            <option value="" disabled={props.value !== ""}>
              {props.placeholder}
            </option>
          </Show>
          <For each={props.options}>
            {(o) => {
              const [v, l] = Array.isArray(o) ? o : [o, o];
              return (
                <option value={v} selected={v === props.value}>
                  {l}
                </option>
              );
            }}
          </For>
        </select>
      )}
    </FormField>
  );
}

/** The red banner at the top of a form (§2.5). */
export function ErrorBanner(props: { message: string | null | undefined }) {
  return (
    <Show when={props.message}>
      <div
        role="alert"
        data-testid="error-banner"
        class="mb-4 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700 dark:border-red-800 dark:bg-red-900/30 dark:text-red-300"
      >
        {props.message}
      </div>
    </Show>
  );
}

export function Loading(props: { text?: string }) {
  return <p class="py-4 text-sm text-gray-500">{props.text ?? "Loading..."}</p>;
}

export function Spinner() {
  return <span class="inline-block h-4 w-4 animate-spin rounded-full border-2 border-current border-t-transparent" aria-hidden="true" />;
}

/** Triggers a browser download of `content` as `filename`. */
export function download(filename: string, content: string, type = "application/json") {
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

/** Today as YYYY-MM-DD (export file names). */
export const today = () => new Date().toISOString().slice(0, 10);

/** Locale timestamp, or the raw value, or "-" (§2.5). */
export function formatTime(v: unknown): string {
  if (v === null || v === undefined || v === "") return "-";
  const d = new Date(String(v));
  return isNaN(d.getTime()) ? String(v) : d.toLocaleString();
}

export function formatDate(v: unknown): string {
  if (v === null || v === undefined || v === "") return "-";
  const d = new Date(String(v));
  return isNaN(d.getTime()) ? String(v) : d.toLocaleDateString();
}

/** Opens a file picker and resolves with the chosen file's text. */
export function pickTextFile(accept: string): Promise<string | null> {
  return new Promise((resolve) => {
    const input = document.createElement("input");
    input.type = "file";
    input.accept = accept;
    input.onchange = async () => {
      const file = input.files?.[0];
      resolve(file ? await file.text() : null);
    };
    input.click();
  });
}

/** A textarea showing JSON; `mono` and rows set. */
export function JsonArea(props: { id?: string; value: string; onInput: (v: string) => void; rows?: number; placeholder?: string }) {
  return (
    <textarea
      id={props.id}
      class="input font-mono text-xs"
      rows={props.rows ?? 6}
      value={props.value}
      placeholder={props.placeholder}
      spellcheck={false}
      onInput={(e) => props.onInput(e.currentTarget.value)}
    />
  );
}
