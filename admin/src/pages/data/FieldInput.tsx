// One form control per field type (spec 17 §5.13 "Controls by field type" and the
// compact inline inputs; input types of §6.4).
import { For, JSX, Match, Switch } from "solid-js";
import { Field, ForeignKey, inputType } from "../../lib/schema";
import { FileUpload } from "./FileUpload";
import { FkSelect } from "./FkSelect";

export interface FieldInputProps {
  field: Field;
  value: string;
  onInput: (v: string) => void;
  /** Bound to a visible <label> (editor) ... */
  id?: string;
  /** ... or named by aria-label (compact cells). */
  label?: string;
  fk?: ForeignKey;
  /** The stored value (file metadata for the file chip). */
  stored?: unknown;
  compact?: boolean;
  placeholder?: string;
  describedBy?: string;
  invalid?: boolean;
}

const numeric = (f: Field) => ["int", "bigint", "decimal", "float"].includes(f.type);

export function FieldInput(props: FieldInputProps): JSX.Element {
  const cls = () => `input ${props.compact ? "input-sm" : ""} ${props.invalid ? "!border-red-500" : ""}`;
  const common = () => ({
    id: props.id,
    "aria-label": props.label,
    "aria-describedby": props.describedBy,
    "aria-invalid": props.invalid || undefined,
    "aria-required": props.field.required || undefined,
  });
  return (
    <Switch
      fallback={
        <input
          {...common()}
          class={`${cls()} ${props.field.type === "uuid" ? "font-mono" : ""} ${props.compact ? "min-w-[7rem]" : ""}`}
          type={numeric(props.field) ? "number" : inputType(props.field)}
          step={props.field.type === "int" || props.field.type === "bigint" ? "1" : numeric(props.field) ? "any" : undefined}
          value={props.value}
          placeholder={props.placeholder}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      }
    >
      <Match when={props.fk}>
        {(fk) => (
          <FkSelect
            id={props.id}
            name={props.field.name}
            label={props.label}
            fk={fk()}
            value={props.value}
            onChange={props.onInput}
            compact={props.compact}
            describedBy={props.describedBy}
            invalid={props.invalid}
          />
        )}
      </Match>
      <Match when={props.field.type === "file"}>
        <FileUpload
          id={props.id ?? ""}
          value={props.value}
          stored={props.stored}
          onChange={props.onInput}
          describedBy={props.describedBy}
        />
      </Match>
      <Match when={props.field.type === "boolean"}>
        <span class="inline-flex items-center gap-2 text-sm">
          <input
            {...common()}
            type="checkbox"
            class="h-4 w-4"
            checked={props.value === "true"}
            onChange={(e) => props.onInput(e.currentTarget.checked ? "true" : "false")}
          />
          {props.compact ? "" : props.value === "true" ? "true" : "false"}
        </span>
      </Match>
      <Match when={props.field.enum?.length}>
        <select {...common()} class={cls()} value={props.value} onChange={(e) => props.onInput(e.currentTarget.value)}>
          <option value="">{props.compact ? "--" : "-- select --"}</option>
          <For each={props.field.enum}>
            {(v) => (
              <option value={v} selected={v === props.value}>
                {v}
              </option>
            )}
          </For>
        </select>
      </Match>
      <Match when={!props.compact && (props.field.type === "text" || props.field.type === "json")}>
        <textarea
          {...common()}
          class={`${cls()} ${props.field.type === "json" ? "font-mono text-xs" : ""}`}
          rows={props.field.type === "json" ? 5 : 3}
          spellcheck={props.field.type !== "json"}
          placeholder={props.field.type === "json" ? '{"key": "value"}' : props.placeholder}
          value={props.value}
          onInput={(e) => props.onInput(e.currentTarget.value)}
        />
      </Match>
    </Switch>
  );
}
