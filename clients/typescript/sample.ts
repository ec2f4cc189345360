// A small program against the client generated from the `fuzz` app's document
// (scripts/openapi_setup.py builds the app; scripts/openapi.sh generates
// generated/fuzz.d.ts with openapi-typescript and type-checks this file).
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/fuzz";

type Invoice = components["schemas"]["invoice"];
type NewInvoice = components["schemas"]["invoice.create"];
type ApiError = components["schemas"]["Error"];

const client = createClient<paths>({
  baseUrl: "http://127.0.0.1:8080",
  headers: { Authorization: "Bearer <token>" },
});

function report(e: ApiError): string {
  const fields = (e.error.details ?? []).map((d) => `${d.field ?? ""}: ${d.message}`);
  return [e.error.code, e.error.message, ...fields].join("\n");
}

export async function demo(): Promise<void> {
  const draft: NewInvoice = {
    number: "INV-001",
    qty: 2,
    total: "12.50",
    paid: false,
    issued_at: "2026-12-03T10:00:00Z",
    meta: { source: "sample" },
    lines: { _write_mode: "replace", data: [{ qty: 1 }, { qty: 3 }] },
    tags: { data: [{ id: 1 }] },
  };
  const created = await client.POST("/api/fuzz/invoice", { body: draft });
  if (created.error) {
    console.error(report(created.error));
    return;
  }
  const invoice: Invoice = created.data.data;
  const id: string = invoice.id;
  const paid: boolean | null | undefined = invoice.paid;
  console.log(id, paid, invoice.scan?.toString());

  const page = await client.GET("/api/fuzz/invoice", {
    params: { query: { page: 1, per_page: 10, sort: "-number", include: "lines", filter: { "qty.gte": 1 } } },
  });
  const total: number | undefined = page.data?.meta.total;
  console.log(total, page.data?.data.map((i) => i.number));

  await client.PUT("/api/fuzz/invoice/{id}", { params: { path: { id } }, body: { paid: true } });
  const gone = await client.DELETE("/api/fuzz/invoice/{id}", { params: { path: { id } } });
  console.log(gone.data?.data.id);

  // @ts-expect-error: unknown fields are refused by the types as by the server (422).
  const typo: NewInvoice = { number: "INV-002", colour: "red" };
  // @ts-expect-error: `number` is required on create.
  const missing: NewInvoice = { qty: 1 };
  // @ts-expect-error: a status outside the enum.
  const tier: components["schemas"]["customer.create"] = { name: "A", tier: "bronze" };
  console.log(typo, missing, tier);
}
