// The bulk bar (spec 17 §5.13 "Bulk operations"), shown while rows are selected.
// The selection never leaves the current page, and the bar says so (§10.8).
import { Show } from "solid-js";

export function BulkBar(props: {
  count: number;
  pageRows: number;
  busy: string | null;
  onSelectAll: () => void;
  onDeselectAll: () => void;
  onExport: () => void;
  onUpdate: () => void;
  onDelete: () => void;
  canUpdate: boolean;
  canDelete: boolean;
}) {
  return (
    <Show when={props.count > 0}>
      <div
        role="region"
        aria-label="Bulk actions"
        class="mb-3 flex flex-wrap items-center gap-2 rounded-lg border border-blue-200 bg-blue-50 px-3 py-2 text-sm text-blue-900 dark:border-blue-800 dark:bg-blue-900/30 dark:text-blue-100"
      >
        <span class="font-medium">{props.count} selected</span>
        <span class="text-xs text-blue-700 dark:text-blue-300">(selection covers this page only)</span>
        <button class="btn btn-ghost btn-sm" onClick={() => props.onSelectAll()}>
          Select All ({props.pageRows})
        </button>
        <button class="btn btn-ghost btn-sm" onClick={() => props.onDeselectAll()}>
          Deselect All
        </button>
        <div class="ml-auto flex flex-wrap gap-2">
          <button class="btn btn-secondary btn-sm" onClick={() => props.onExport()}>
            Export Selected
          </button>
          <Show when={props.canUpdate}>
            <button class="btn btn-secondary btn-sm" onClick={() => props.onUpdate()}>
              Update Selected
            </button>
          </Show>
          <Show when={props.canDelete}>
            <button class="btn btn-danger btn-sm" disabled={props.busy === "delete"} onClick={() => props.onDelete()}>
              {props.busy === "delete" ? "Deleting..." : "Delete Selected"}
            </button>
          </Show>
        </div>
      </div>
    </Show>
  );
}
