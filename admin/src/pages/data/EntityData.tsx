// One entity in the Data Browser (spec 17 §5.13): header actions, filter bar, bulk
// bar, grid, pagination with a per-page selector (fixes §10.11), and the editor,
// bulk update and CSV import modals.
import { batch, createMemo, createResource, createSignal, Show } from "solid-js";
import { confirmDialog } from "../../components/modal";
import { Pagination } from "../../components/table";
import { toast } from "../../components/toast";
import { Loading, PageHeader } from "../../components/ui";
import { api, errorMessage } from "../../lib/api";
import { can, entityByName, foreignKeys } from "../../lib/schema";
import { BulkBar } from "./BulkBar";
import { BulkUpdate } from "./BulkUpdate";
import { CsvImport } from "./CsvImport";
import { EntitySelect } from "./EntitySelect";
import { exportCsv } from "./exportCsv";
import { FilterBar } from "./FilterBar";
import { Grid } from "./Grid";
import { createInlineEdit } from "./inlineEdit";
import { loadLookups } from "./lookups";
import { fetchPage, FilterRow, inBatches, listQuery, pkOf, recordPath, Row, Sort } from "./records";
import { RecordEditor } from "./RecordEditor";

export function EntityData(props: { name: string }) {
  const entity = () => entityByName(props.name)!;
  const fks = createMemo(() => foreignKeys(props.name));
  const [page, setPage] = createSignal(1);
  const [perPage, setPerPage] = createSignal(25);
  const [sort, setSort] = createSignal<Sort | null>(null);
  const [draft, setDraft] = createSignal<FilterRow[]>([]);
  const [filters, setFilters] = createSignal<FilterRow[]>([]);
  const [version, setVersion] = createSignal(0);
  const [selected, setSelected] = createSignal<Set<string>>(new Set());
  const [editor, setEditor] = createSignal<{ row?: Row } | null>(null);
  const [modal, setModal] = createSignal<"import" | "bulk" | null>(null);
  const [deleting, setDeleting] = createSignal<string | null>(null);
  const [busy, setBusy] = createSignal<string | null>(null);

  const [data] = createResource(
    () => ({ q: listQuery(filters(), sort(), page(), perPage()), v: version() }),
    async ({ q }) => {
      try {
        return await fetchPage(props.name, q);
      } catch (e) {
        toast.error(errorMessage(e, "Failed to load records"));
        return { rows: [] as Row[], total: 0 };
      }
    },
  );
  const rows = () => data.latest?.rows ?? [];
  const [lookups] = createResource(rows, (r) => loadLookups(fks(), r), { initialValue: {} });

  const refetch = () => setVersion((v) => v + 1);
  const edit = createInlineEdit(entity, refetch);
  const resetView = () => {
    setSelected(new Set<string>());
    edit.cancel();
  };
  const goPage = (p: number) => {
    resetView();
    setPage(p);
  };
  const selectedRows = () => rows().filter((r) => selected().has(pkOf(entity(), r)));

  // A new filter list is a new query, so Apply refetches even when nothing changed.
  const applyFilters = (next: FilterRow[]) =>
    batch(() => {
      setFilters(next.map((f) => ({ ...f })));
      goPage(1);
    });
  const onSort = (key: string) => {
    const s = sort();
    setSort(s?.key === key ? { key, desc: !s.desc } : { key, desc: false });
  };

  const remove = async (row: Row) => {
    if (!(await confirmDialog({ title: "Delete Record", message: "Are you sure you want to delete this record?" }))) return;
    const id = pkOf(entity(), row);
    setDeleting(id);
    try {
      await api.del(recordPath(props.name, id));
      toast.success("Record deleted");
      refetch();
    } catch (e) {
      toast.error(errorMessage(e, "Failed to delete record"));
    } finally {
      setDeleting(null);
    }
  };

  const bulkDelete = async () => {
    const ids = [...selected()];
    const n = ids.length;
    const ok = await confirmDialog({
      title: "Delete Selected Records",
      message: `Are you sure you want to delete ${n} record(s)? This cannot be undone.`,
      confirmLabel: `Delete ${n} record(s)`,
    });
    if (!ok) return;
    setBusy("delete");
    const res = await inBatches(ids, 5, (id) => api.del(recordPath(props.name, id)));
    setBusy(null);
    res.failed ? toast.error(`${res.ok} deleted, ${res.failed} failed`) : toast.success(`${res.ok} record(s) deleted`);
    resetView();
    refetch();
  };

  const runExport = async (rowsToExport: Row[] | null) => {
    setBusy("export");
    await exportCsv(entity(), rowsToExport, filters(), sort());
    setBusy(null);
  };

  return (
    <div>
      <PageHeader title="Data Browser" subtitle="Browse and manage entity data">
        <EntitySelect value={props.name} />
        <button class="btn btn-secondary" disabled={busy() === "export"} onClick={() => runExport(null)}>
          {busy() === "export" ? "Exporting..." : "Export CSV"}
        </button>
        {/* App users see only the actions their permissions grant (GET /_schema). */}
        <Show when={can(props.name, "create")}>
          <button class="btn btn-secondary" onClick={() => setModal("import")}>
            Import CSV
          </button>
          <button class="btn btn-primary" onClick={() => setEditor({})}>
            Create Record
          </button>
        </Show>
      </PageHeader>

      <FilterBar
        fields={entity().fields}
        rows={draft()}
        onChange={setDraft}
        onApply={() => applyFilters(draft())}
        onClear={() => {
          setDraft([]);
          applyFilters([]);
        }}
      />

      <BulkBar
        count={selected().size}
        pageRows={rows().length}
        busy={busy()}
        onSelectAll={() => setSelected(new Set(rows().map((r) => pkOf(entity(), r))))}
        onDeselectAll={() => setSelected(new Set<string>())}
        onExport={() => runExport(selectedRows())}
        onUpdate={() => setModal("bulk")}
        onDelete={bulkDelete}
        canUpdate={can(props.name, "update")}
        canDelete={can(props.name, "delete")}
      />

      <Show when={data.latest} fallback={<Loading />}>
        <Grid
          entity={entity()}
          rows={rows()}
          fks={fks()}
          lookups={lookups.latest}
          sort={sort()}
          onSort={onSort}
          selected={selected()}
          onSelected={setSelected}
          edit={edit}
          deleting={deleting()}
          onExpand={(row) => {
            edit.cancel();
            setEditor({ row });
          }}
          onDelete={remove}
        />
        <Show when={(data.latest?.total ?? 0) > 0}>
          <Pagination
            page={page()}
            perPage={perPage()}
            total={data.latest!.total}
            onPage={goPage}
            onPerPage={(n) =>
              batch(() => {
                setPerPage(n);
                goPage(1);
              })
            }
          />
        </Show>
      </Show>

      <Show when={editor()} keyed>
        {(ed) => (
          <RecordEditor
            entity={entity()}
            row={ed.row}
            onClose={() => setEditor(null)}
            onSaved={() => {
              setEditor(null);
              refetch();
            }}
          />
        )}
      </Show>
      <Show when={modal() === "bulk"}>
        <BulkUpdate
          entity={entity()}
          ids={[...selected()]}
          onClose={() => setModal(null)}
          onDone={() => {
            setModal(null);
            resetView();
            refetch();
          }}
        />
      </Show>
      <Show when={modal() === "import"}>
        <CsvImport entity={entity()} onClose={() => setModal(null)} onImported={refetch} />
      </Show>
    </div>
  );
}
