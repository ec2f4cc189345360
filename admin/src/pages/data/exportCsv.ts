// CSV export (spec 17 §5.13 "CSV export"): the selected rows, or every row matching
// the filters and sort; `{entity}-export-YYYY-MM-DD.csv`.
import { toast } from "../../components/toast";
import { download, today } from "../../components/ui";
import type { Entity } from "../../lib/schema";
import { csvColumns, toCsv } from "./csv";
import { fetchAll, FilterRow, Row, Sort } from "./records";

export async function exportCsv(entity: Entity, selected: Row[] | null, filters: FilterRow[], sort: Sort | null) {
  let rows = selected;
  if (!rows) {
    try {
      rows = await fetchAll(entity.name, filters, sort);
    } catch {
      toast.error("Failed to fetch all records for export");
      return;
    }
  }
  download(`${entity.name}-export-${today()}.csv`, toCsv(csvColumns(entity), rows), "text/csv");
  toast.success(`Exported ${rows.length} record(s)`);
}
