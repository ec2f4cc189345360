// Modal and confirm dialog (spec 17 §2.5): centred over a dimmed, blurred backdrop;
// ✕, a backdrop click or Escape closes it; normal, wide and fullscreen sizes.
import { createSignal, JSX, onCleanup, onMount, Show } from "solid-js";
import { Portal } from "solid-js/web";

export type ModalSize = "normal" | "wide" | "fullscreen";

export function Modal(props: {
  open: boolean;
  title: string;
  onClose: () => void;
  size?: ModalSize;
  children: JSX.Element;
  footer?: JSX.Element;
}) {
  return (
    <Show when={props.open}>
      <ModalFrame {...props} />
    </Show>
  );
}

function ModalFrame(props: { title: string; onClose: () => void; size?: ModalSize; children: JSX.Element; footer?: JSX.Element }) {
  let panel!: HTMLDivElement;
  const onKey = (e: KeyboardEvent) => {
    // Only the topmost dialog (the last one mounted) closes: a confirm over a modal.
    const dialogs = document.querySelectorAll("[role=dialog][aria-modal=true]");
    if (dialogs[dialogs.length - 1] !== panel) return;
    if (e.key === "Escape") {
      e.stopPropagation();
      props.onClose();
    }
  };
  onMount(() => {
    document.addEventListener("keydown", onKey);
    // Focus the first control so the dialog is keyboard reachable at once.
    const first = panel.querySelector<HTMLElement>("input, select, textarea, button:not([aria-label='Close'])");
    (first ?? panel).focus();
  });
  onCleanup(() => document.removeEventListener("keydown", onKey));
  const width = () =>
    props.size === "fullscreen"
      ? "w-[calc(100vw-1rem)] h-[calc(100vh-1rem)]"
      : props.size === "wide"
        ? "w-full max-w-2xl max-h-[calc(100vh-2rem)]"
        : "w-full max-w-lg max-h-[calc(100vh-2rem)]";
  return (
    <Portal>
      <div
        class="fixed inset-0 z-50 flex items-center justify-center bg-black/40 p-2 backdrop-blur-sm"
        onMouseDown={(e) => e.target === e.currentTarget && props.onClose()}
      >
        <div ref={panel} role="dialog" aria-modal="true" aria-label={props.title} tabIndex={-1} class={`card flex flex-col ${width()}`}>
          <div class="flex items-center justify-between border-b border-gray-200 px-4 py-3 dark:border-gray-700">
            <h2 class="text-base font-semibold">{props.title}</h2>
            <button class="btn btn-ghost btn-sm" aria-label="Close" onClick={() => props.onClose()}>
              ✕
            </button>
          </div>
          <div class="flex-1 overflow-auto p-4">{props.children}</div>
          <Show when={props.footer}>
            <div class="flex justify-end gap-2 border-t border-gray-200 px-4 py-3 dark:border-gray-700">{props.footer}</div>
          </Show>
        </div>
      </div>
    </Portal>
  );
}

interface ConfirmOptions {
  title: string;
  message: string;
  confirmLabel?: string;
  primary?: boolean;
}

const [pending, setPending] = createSignal<(ConfirmOptions & { resolve: (ok: boolean) => void }) | null>(null);

/** Asks the user; resolves true on confirm. All deletes go through it (§2.5). */
export function confirmDialog(options: ConfirmOptions): Promise<boolean> {
  return new Promise((resolve) => setPending({ ...options, resolve }));
}

export function ConfirmHost() {
  const close = (ok: boolean) => {
    pending()?.resolve(ok);
    setPending(null);
  };
  return (
    <Modal
      open={!!pending()}
      title={pending()?.title ?? ""}
      onClose={() => close(false)}
      footer={
        <>
          <button class="btn btn-secondary" onClick={() => close(false)}>
            Cancel
          </button>
          <button
            class={`btn ${pending()?.primary ? "btn-primary" : "btn-danger"}`}
            data-testid="confirm-button"
            onClick={() => close(true)}
          >
            {pending()?.confirmLabel ?? "Delete"}
          </button>
        </>
      }
    >
      <p class="text-sm text-gray-700 dark:text-gray-300">{pending()?.message}</p>
    </Modal>
  );
}
