// Toasts (spec 17 §2.5): success (green) and error (red), bottom-right, 4 s, ✕ to dismiss.
import { createSignal, For } from "solid-js";

interface Toast {
  id: number;
  kind: "success" | "error";
  message: string;
}

const [toasts, setToasts] = createSignal<Toast[]>([]);
let next = 1;

function push(kind: Toast["kind"], message: string) {
  const id = next++;
  setToasts((t) => [...t, { id, kind, message }]);
  setTimeout(() => dismiss(id), 4000);
}

function dismiss(id: number) {
  setToasts((t) => t.filter((x) => x.id !== id));
}

export const toast = {
  success: (message: string) => push("success", message),
  error: (message: string) => push("error", message),
};

export function Toasts() {
  return (
    <div class="fixed right-4 bottom-10 z-[60] flex w-80 max-w-[calc(100vw-2rem)] flex-col gap-2" role="status" aria-live="polite">
      <For each={toasts()}>
        {(t) => (
          <div
            data-testid={`toast-${t.kind}`}
            class={`toast-in flex items-start gap-2 rounded-md px-3 py-2 text-sm text-white shadow-lg ${
              t.kind === "success" ? "bg-green-600" : "bg-red-600"
            }`}
          >
            <span class="flex-1 break-words">{t.message}</span>
            <button class="opacity-80 hover:opacity-100" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
              ✕
            </button>
          </div>
        )}
      </For>
    </div>
  );
}
