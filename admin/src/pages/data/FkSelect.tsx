// A searchable foreign-key select (spec 17 §5.13 "FK field", §6.5 recommendation;
// fixes §10.7): typing filters the referenced entity on the server by its display
// field, so every record can be picked, not only the first 200. A combobox with a
// listbox: typing, a click or ArrowDown opens it; arrows, Enter and Escape work.
import { createEffect, createSignal, createUniqueId, For, on, onCleanup, Show } from "solid-js";
import { Portal } from "solid-js/web";
import type { ForeignKey } from "../../lib/schema";
import { FkOption, labelOf, searchOptions } from "./lookups";

export function FkSelect(props: {
  id?: string;
  name: string;
  fk: ForeignKey;
  value: string;
  /** The chosen id, and its display label when picked from the list. */
  onChange: (id: string, label?: string) => void;
  compact?: boolean;
  label?: string;
  describedBy?: string;
  invalid?: boolean;
}) {
  const listId = createUniqueId();
  const [open, setOpen] = createSignal(false);
  const [text, setText] = createSignal("");
  const [options, setOptions] = createSignal<FkOption[]>([]);
  const [active, setActive] = createSignal(0);
  const [loading, setLoading] = createSignal(false);
  const [current, setCurrent] = createSignal("");
  const [pos, setPos] = createSignal({ left: 0, top: 0, width: 0 });
  let input!: HTMLInputElement;
  let timer: number | undefined;
  let seq = 0;
  // The last pick: its label is known, no lookup needed.
  let picked: FkOption | undefined;

  createEffect(
    on(
      () => props.value,
      (v) => {
        if (v && picked?.id === v) return setCurrent(picked.label);
        setCurrent(v);
        if (v) labelOf(props.fk, v).then((l) => props.value === v && setCurrent(l));
      },
    ),
  );

  const search = (q: string) => {
    clearTimeout(timer);
    const n = ++seq;
    setLoading(true);
    timer = window.setTimeout(async () => {
      try {
        const found = await searchOptions(props.fk, q);
        if (n === seq) {
          setOptions(found);
          setActive(0);
        }
      } catch {
        if (n === seq) setOptions([]);
      } finally {
        if (n === seq) setLoading(false);
      }
    }, 200);
  };
  // The list is fixed-positioned so that table cards and modal bodies do not clip it.
  const place = () => {
    const r = input.getBoundingClientRect();
    setPos({ left: r.left, top: r.bottom + 2, width: Math.max(r.width, 200) });
  };
  const show = () => {
    place();
    setText("");
    setOpen(true);
    search("");
  };
  const close = () => {
    setOpen(false);
    clearTimeout(timer);
  };
  const choose = (o: FkOption) => {
    picked = o;
    props.onChange(o.id, o.label);
    // A picker whose value the parent keeps empty (linking) shows empty again.
    setCurrent(props.value === o.id ? o.label : props.value);
    close();
  };
  const follow = () => open() && place();
  window.addEventListener("scroll", follow, true);
  onCleanup(() => {
    clearTimeout(timer);
    window.removeEventListener("scroll", follow, true);
  });

  const onKey = (e: KeyboardEvent) => {
    const last = options().length - 1;
    if (e.key === "ArrowDown") {
      e.preventDefault();
      open() ? setActive((a) => Math.min(a + 1, last)) : show();
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      setActive((a) => Math.max(a - 1, 0));
    } else if (e.key === "Enter" && open()) {
      e.preventDefault();
      const o = options()[active()];
      if (o) choose(o);
    } else if (e.key === "Escape" && open()) {
      // Closes the list only, not the dialog or the inline edit around it.
      e.preventDefault();
      e.stopPropagation();
      close();
    }
  };

  return (
    <div class="relative">
      <input
        ref={input}
        id={props.id}
        role="combobox"
        autocomplete="off"
        aria-label={props.label}
        aria-describedby={props.describedBy}
        aria-invalid={props.invalid || undefined}
        aria-expanded={open()}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open() && options().length ? `${listId}-${active()}` : undefined}
        class={`input pr-7 ${props.compact ? "input-sm min-w-[9rem]" : ""}`}
        placeholder={`Select ${props.fk.entity}...`}
        value={open() ? text() : current()}
        onClick={() => open() || show()}
        onBlur={close}
        onInput={(e) => {
          setText(e.currentTarget.value);
          place();
          setOpen(true);
          search(e.currentTarget.value);
        }}
        on:keydown={onKey}
      />
      <Show when={props.value}>
        <button
          type="button"
          class="absolute top-1/2 right-1.5 -translate-y-1/2 rounded px-1 text-xs text-gray-400 hover:text-gray-700 dark:hover:text-gray-200"
          aria-label={`Clear ${props.name}`}
          onMouseDown={(e) => e.preventDefault()}
          onClick={() => props.onChange("")}
        >
          ✕
        </button>
      </Show>
      <Show when={open()}>
        <Portal>
          <ul
            id={listId}
            role="listbox"
            aria-label={`${props.fk.entity} records`}
            class="card fixed z-[70] max-h-60 overflow-auto py-1 text-sm shadow-lg"
            style={{ left: `${pos().left}px`, top: `${pos().top}px`, width: `${pos().width}px` }}
          >
            <For
              each={options()}
              fallback={<li class="px-3 py-1.5 text-gray-500 dark:text-gray-400">{loading() ? "Loading..." : "No matches"}</li>}
            >
              {(o, i) => (
                <li
                  id={`${listId}-${i()}`}
                  role="option"
                  title={o.id}
                  aria-selected={i() === active()}
                  class={`cursor-pointer truncate px-3 py-1.5 ${
                    i() === active() ? "bg-blue-50 text-blue-800 dark:bg-blue-500/20 dark:text-blue-100" : ""
                  } ${o.id === props.value ? "font-semibold" : ""}`}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    choose(o);
                  }}
                  onMouseEnter={() => setActive(i())}
                >
                  {o.label}
                </li>
              )}
            </For>
          </ul>
        </Portal>
      </Show>
    </div>
  );
}
