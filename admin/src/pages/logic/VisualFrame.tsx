// The frame of the visual editors (spec 17 §5.10, §5.11, §8 "Diagrams"): a full-screen
// paper overlay with a white header bar (← Back, title, Settings, an add menu,
// Discard, Save), a settings strip holding the error banner, the canvas and a
// right-hand property panel. Escape closes the add menu if open, else the overlay.
import { JSX, onCleanup, onMount, Show } from "solid-js";
import { Portal } from "solid-js/web";
import { ErrorBanner } from "../../components/ui";

export function VisualFrame(props: {
  title: string;
  settingsOpen: boolean;
  onToggleSettings: () => void;
  settings: JSX.Element;
  error: string | null;
  addLabel: string;
  menuOpen: boolean;
  onToggleMenu: () => void;
  menu: JSX.Element;
  saving: boolean;
  onSave: () => void;
  onClose: () => void;
  canvas: JSX.Element;
  panel?: JSX.Element;
}) {
  let root!: HTMLDivElement;
  const onKey = (e: KeyboardEvent) => {
    if (e.key !== "Escape" || document.querySelector("[role=dialog][aria-modal=true]:not([data-visual-editor])")) return;
    e.preventDefault();
    if (props.menuOpen) props.onToggleMenu();
    else props.onClose();
  };
  onMount(() => {
    document.addEventListener("keydown", onKey);
    root.focus();
  });
  onCleanup(() => document.removeEventListener("keydown", onKey));

  return (
    <Portal>
      <div
        ref={root}
        role="dialog"
        aria-modal="true"
        aria-label={`${props.title} — Visual Editor`}
        data-visual-editor
        tabIndex={-1}
        class="fixed inset-0 z-50 flex flex-col bg-[#faf8f3] text-gray-900 outline-none dark:bg-[#1c1b18] dark:text-gray-100"
      >
        <header class="flex flex-wrap items-center gap-2 border-b border-gray-200 bg-white px-3 py-2 shadow-sm dark:border-gray-700 dark:bg-gray-800">
          <button type="button" class="btn btn-ghost" onClick={props.onClose}>
            ← Back
          </button>
          <div class="min-w-0 flex-1">
            <h2 class="truncate text-base font-semibold">{props.title}</h2>
            <p class="text-xs text-gray-500 dark:text-gray-400">Visual Editor</p>
          </div>
          <div class="flex flex-wrap items-center gap-2">
            <button type="button" class="btn btn-secondary btn-sm" aria-expanded={props.settingsOpen} onClick={props.onToggleSettings}>
              Settings
            </button>
            <div class="relative">
              <button
                type="button"
                class="btn btn-secondary btn-sm"
                aria-expanded={props.menuOpen}
                aria-haspopup="true"
                onClick={props.onToggleMenu}
              >
                {props.addLabel}
              </button>
              <Show when={props.menuOpen}>
                <div class="absolute right-0 z-10 mt-1 w-56 rounded-md border border-gray-200 bg-white p-2 shadow-lg dark:border-gray-600 dark:bg-gray-800">
                  {props.menu}
                </div>
              </Show>
            </div>
            <button type="button" class="btn btn-secondary btn-sm" onClick={props.onClose}>
              Discard
            </button>
            <button type="button" class="btn btn-primary btn-sm" disabled={props.saving} onClick={props.onSave}>
              {props.saving ? "Saving..." : "Save"}
            </button>
          </div>
        </header>
        <Show when={props.settingsOpen}>
          <div
            class="border-b border-gray-200 bg-white px-4 py-3 dark:border-gray-700 dark:bg-gray-800"
            aria-label="Settings"
            role="region"
          >
            <ErrorBanner message={props.error} />
            {props.settings}
          </div>
        </Show>
        <div class="flex min-h-0 flex-1 flex-col md:flex-row">
          <div class="min-h-[16rem] flex-1 p-3">{props.canvas}</div>
          <Show when={props.panel}>
            {(panel) => (
              <aside
                aria-label="Properties"
                class="max-h-[45vh] w-full overflow-auto border-t border-gray-200 bg-white p-4 md:max-h-none md:w-80 md:border-t-0 md:border-l dark:border-gray-700 dark:bg-gray-800"
              >
                {panel()}
              </aside>
            )}
          </Show>
        </div>
      </div>
    </Portal>
  );
}
