// A "Copy" button that shows "Copied!" for 2 s (spec 17 §5.17: invite tokens).
import { createSignal, onCleanup } from "solid-js";
import { toast } from "./toast";

/** Copies text to the clipboard; falls back to a hidden textarea outside secure contexts. */
export async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  const area = document.createElement("textarea");
  area.value = text;
  area.setAttribute("readonly", "");
  area.style.position = "fixed";
  area.style.opacity = "0";
  document.body.appendChild(area);
  area.select();
  const ok = document.execCommand("copy");
  area.remove();
  if (!ok) throw new Error("copy refused");
}

export function CopyButton(props: { text: string; label?: string; ariaLabel?: string; small?: boolean; primary?: boolean }) {
  const [copied, setCopied] = createSignal(false);
  let timer: ReturnType<typeof setTimeout> | undefined;
  onCleanup(() => clearTimeout(timer));
  const copy = async () => {
    try {
      await copyText(props.text);
      setCopied(true);
      clearTimeout(timer);
      timer = setTimeout(() => setCopied(false), 2000);
    } catch {
      toast.error("Could not copy to the clipboard");
    }
  };
  return (
    <button
      type="button"
      class={`btn ${props.primary ? "btn-primary" : "btn-secondary"} ${props.small ? "btn-sm" : ""}`}
      aria-label={props.ariaLabel}
      onClick={copy}
    >
      {copied() ? "Copied!" : (props.label ?? "Copy")}
    </button>
  );
}
