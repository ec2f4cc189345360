// The data table and pagination of spec 17 §2.5: white card, small uppercase
// headers, row hover, an empty row with the page's message, optional sorting,
// selection and clickable rows; actions stop the row click.
import { createEffect, For, JSX, Show } from "solid-js";

export interface Column<T> {
  header: string;
  cell: (row: T) => JSX.Element;
  sortKey?: string;
  class?: string;
}

export function DataTable<T>(props: {
  columns: Column<T>[];
  rows: T[];
  empty: string;
  actions?: (row: T) => JSX.Element;
  onRowClick?: (row: T) => void;
  sort?: { key: string; desc: boolean };
  onSort?: (key: string) => void;
  selection?: { isSelected: (row: T) => boolean; toggle: (row: T) => void; all: boolean | "some"; toggleAll: () => void };
  rowClass?: (row: T) => string;
  testid?: string;
}) {
  const span = () => props.columns.length + (props.actions ? 1 : 0) + (props.selection ? 1 : 0);
  return (
    <div class="card overflow-x-auto">
      <table class="w-full text-left text-sm" data-testid={props.testid}>
        <thead class="border-b border-gray-200 bg-gray-50 text-xs tracking-wider text-gray-500 uppercase dark:border-gray-700 dark:bg-gray-800/60 dark:text-gray-400">
          <tr>
            <Show when={props.selection}>
              {(sel) => (
                <th class="w-8 px-4 py-2">
                  <input
                    type="checkbox"
                    aria-label="Select all on this page"
                    checked={sel().all === true}
                    ref={(el) => createEffect(() => (el.indeterminate = sel().all === "some"))}
                    onChange={() => sel().toggleAll()}
                  />
                </th>
              )}
            </Show>
            <For each={props.columns}>
              {(c) => (
                <th class={`px-4 py-2 font-medium whitespace-nowrap ${c.class ?? ""}`}>
                  <Show when={c.sortKey && props.onSort} fallback={c.header}>
                    <button
                      class="inline-flex items-center gap-1 uppercase hover:text-gray-800 dark:hover:text-gray-200"
                      onClick={() => props.onSort!(c.sortKey!)}
                    >
                      {c.header}
                      <Show when={props.sort?.key === c.sortKey}>
                        <span aria-label={props.sort!.desc ? "sorted descending" : "sorted ascending"}>{props.sort!.desc ? "↓" : "↑"}</span>
                      </Show>
                    </button>
                  </Show>
                </th>
              )}
            </For>
            <Show when={props.actions}>
              <th class="px-4 py-2 text-right font-medium">Actions</th>
            </Show>
          </tr>
        </thead>
        <tbody class="divide-y divide-gray-100 dark:divide-gray-700">
          <Show
            when={props.rows.length > 0}
            fallback={
              <tr>
                <td colSpan={span()} class="px-4 py-8 text-center text-gray-500">
                  {props.empty}
                </td>
              </tr>
            }
          >
            <For each={props.rows}>
              {(row) => (
                <tr
                  class={`hover:bg-gray-50 dark:hover:bg-gray-700/40 ${props.onRowClick ? "cursor-pointer" : ""} ${props.rowClass?.(row) ?? ""}`}
                  onClick={() => props.onRowClick?.(row)}
                >
                  <Show when={props.selection}>
                    {(sel) => (
                      <td class="px-4 py-3" onClick={(e) => e.stopPropagation()}>
                        <input type="checkbox" aria-label="Select row" checked={sel().isSelected(row)} onChange={() => sel().toggle(row)} />
                      </td>
                    )}
                  </Show>
                  <For each={props.columns}>{(c) => <td class={`px-4 py-3 align-top ${c.class ?? ""}`}>{c.cell(row)}</td>}</For>
                  <Show when={props.actions}>
                    <td class="px-4 py-3 text-right whitespace-nowrap" onClick={(e) => e.stopPropagation()}>
                      <div class="inline-flex gap-1">{props.actions!(row)}</div>
                    </td>
                  </Show>
                </tr>
              )}
            </For>
          </Show>
        </tbody>
      </table>
    </div>
  );
}

/** "{total} total", Prev, a window of five page numbers, Next (§5.13); per-page selector (§10.11). */
export function Pagination(props: {
  page: number;
  perPage: number;
  total: number;
  onPage: (p: number) => void;
  onPerPage?: (n: number) => void;
}) {
  const pages = () => Math.max(1, Math.ceil(props.total / props.perPage));
  const window = () => {
    const start = Math.max(1, Math.min(props.page - 2, pages() - 4));
    return Array.from({ length: Math.min(5, pages()) }, (_, i) => start + i);
  };
  return (
    <nav class="mt-3 flex flex-wrap items-center justify-between gap-2 text-sm" aria-label="Pagination">
      <span class="text-gray-500">{props.total} total</span>
      <div class="flex flex-wrap items-center gap-1">
        <Show when={props.onPerPage}>
          <label class="mr-2 flex items-center gap-1 text-xs text-gray-500">
            Per page
            <select class="input input-sm !w-auto" value={props.perPage} onChange={(e) => props.onPerPage!(Number(e.currentTarget.value))}>
              <For each={[10, 25, 50, 100]}>
                {(n) => (
                  <option value={n} selected={n === props.perPage}>
                    {n}
                  </option>
                )}
              </For>
            </select>
          </label>
        </Show>
        <Show when={pages() > 1}>
          <button class="btn btn-secondary btn-sm" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
            Prev
          </button>
          <For each={window()}>
            {(p) => (
              <button
                class={`btn btn-sm ${p === props.page ? "btn-primary" : "btn-secondary"}`}
                aria-current={p === props.page ? "page" : undefined}
                onClick={() => props.onPage(p)}
              >
                {p}
              </button>
            )}
          </For>
          <button class="btn btn-secondary btn-sm" disabled={props.page >= pages()} onClick={() => props.onPage(props.page + 1)}>
            Next
          </button>
        </Show>
      </div>
    </nav>
  );
}
