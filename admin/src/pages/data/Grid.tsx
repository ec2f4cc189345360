// The Data Browser's grid (spec 17 §5.13 "Grid"): a selection column, one sortable
// column per field in definition order, the cell rendering rules, and the row
// actions Edit / Expand / Delete (Save / Cancel / Expand while editing inline).
import { createMemo, Show } from "solid-js";
import { Column, DataTable } from "../../components/table";
import { can, type Entity, type ForeignKey } from "../../lib/schema";
import { cellView } from "./cells";
import { InlineEdit, InlineInput } from "./inlineEdit";
import type { Lookups } from "./lookups";
import { pkOf, Row, Sort } from "./records";

export function Grid(props: {
  entity: Entity;
  rows: Row[];
  fks: ForeignKey[];
  lookups: Lookups;
  sort: Sort | null;
  onSort: (key: string) => void;
  selected: Set<string>;
  onSelected: (ids: Set<string>) => void;
  edit: InlineEdit;
  deleting: string | null;
  onExpand: (row: Row) => void;
  onDelete: (row: Row) => void;
}) {
  const id = (r: Row) => pkOf(props.entity, r);
  const fkOf = (name: string) => props.fks.find((k) => k.field === name);
  const inlineField = (name: string) => props.edit.fields().find((f) => f.name === name);

  const columns = createMemo((): Column<Row>[] =>
    props.entity.fields.map((f) => ({
      header: f.name,
      sortKey: f.name,
      class: "max-w-xs",
      cell: (r: Row) => (
        <Show
          when={props.edit.isEditing(r) && inlineField(f.name)}
          fallback={cellView(f, r[f.name], props.lookups[f.name]?.[String(r[f.name])])}
        >
          {(field) => <InlineInput edit={props.edit} field={field()} fk={fkOf(f.name)} />}
        </Show>
      ),
    })),
  );

  const allState = () => {
    const n = props.rows.filter((r) => props.selected.has(id(r))).length;
    return n === 0 ? false : n === props.rows.length ? true : ("some" as const);
  };
  const toggle = (r: Row) => {
    const next = new Set(props.selected);
    next.has(id(r)) ? next.delete(id(r)) : next.add(id(r));
    props.onSelected(next);
  };

  return (
    <DataTable
      testid="records-table"
      columns={columns()}
      rows={props.rows}
      empty="No records found."
      sort={props.sort ?? undefined}
      onSort={props.onSort}
      rowClass={(r) => (props.edit.isEditing(r) ? "bg-blue-50 dark:bg-blue-500/10" : "")}
      selection={{
        isSelected: (r) => props.selected.has(id(r)),
        toggle,
        all: allState(),
        toggleAll: () => props.onSelected(allState() === true ? new Set() : new Set(props.rows.map(id))),
      }}
      actions={(r) => (
        <Show
          when={props.edit.isEditing(r)}
          fallback={
            <>
              <Show when={can(props.entity.name, "update")}>
                <button class="btn btn-secondary btn-sm" title="Quick inline edit" onClick={() => props.edit.start(r)}>
                  Edit
                </button>
              </Show>
              <button class="btn btn-secondary btn-sm" title="Full editor with relations" onClick={() => props.onExpand(r)}>
                Expand
              </button>
              <Show when={can(props.entity.name, "delete")}>
                <button class="btn btn-danger btn-sm" disabled={props.deleting === id(r)} onClick={() => props.onDelete(r)}>
                  {props.deleting === id(r) ? "Deleting..." : "Delete"}
                </button>
              </Show>
            </>
          }
        >
          <button class="btn btn-primary btn-sm" disabled={props.edit.saving()} onClick={() => props.edit.save()}>
            {props.edit.saving() ? "Saving..." : "Save"}
          </button>
          <button class="btn btn-secondary btn-sm" onClick={() => props.edit.cancel()}>
            Cancel
          </button>
          <button class="btn btn-secondary btn-sm" title="Full editor with relations" onClick={() => props.onExpand(r)}>
            Expand
          </button>
        </Show>
      )}
    />
  );
}
