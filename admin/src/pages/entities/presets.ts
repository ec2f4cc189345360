// The onboarding wizard's templates (spec 17 §5.6 step 2): every preset has the
// primary key id/uuid/generated, soft delete, a required uuid `id` field and
// timestamps set by the server (`auto`).
import { Entity, Field, Relation } from "../../lib/schema";

export type SampleRecord = Record<string, unknown>;

export interface PresetEntity {
  entity: Entity;
  samples: SampleRecord[];
}

export interface Preset {
  key: string;
  label: string;
  description: string;
  main: PresetEntity;
  related?: PresetEntity;
  relation?: Pick<Relation, "name" | "type" | "source_key" | "target_key" | "ownership" | "on_delete">;
  /** Overrides the "{fields-1} fields" meta line. */
  meta?: string;
}

const id: Field = { name: "id", type: "uuid", required: true };
const createdAt: Field = { name: "created_at", type: "timestamp", required: true, auto: "create" };
const updatedAt: Field = { name: "updated_at", type: "timestamp", required: true, auto: "update" };

function entity(name: string, fields: Field[]): Entity {
  return {
    name,
    table: name,
    primary_key: { field: "id", type: "uuid", generated: true },
    soft_delete: true,
    fields: [id, ...fields],
  };
}

export const PRESETS: Preset[] = [
  {
    key: "task-tracker",
    label: "Task Tracker",
    description: "Track tasks with a priority and a done flag.",
    main: {
      entity: entity("task", [
        { name: "title", type: "string", required: true },
        { name: "description", type: "text" },
        { name: "priority", type: "string", default: "medium", enum: ["low", "medium", "high"] },
        { name: "done", type: "boolean", default: false },
        createdAt,
        updatedAt,
      ]),
      samples: [
        { title: "Write the project brief", description: "One page: goals, scope and dates.", priority: "high", done: true },
        { title: "Review the designs", description: "Comment on the first mock-ups.", priority: "medium", done: false },
        { title: "Book the kickoff meeting", description: "Invite the whole team.", priority: "low", done: false },
      ],
    },
  },
  {
    key: "customer-management",
    label: "Customer Management",
    description: "Customers and the orders they place.",
    main: {
      entity: entity("customer", [
        { name: "first_name", type: "string", required: true },
        { name: "last_name", type: "string", required: true },
        { name: "email", type: "string", required: true, unique: true },
        { name: "phone", type: "string" },
        createdAt,
        updatedAt,
      ]),
      samples: [
        { first_name: "Ada", last_name: "Lovelace", email: "ada@example.com", phone: "+44 20 7946 0001" },
        { first_name: "Grace", last_name: "Hopper", email: "grace@example.com", phone: "+1 202 555 0102" },
      ],
    },
    related: {
      entity: entity("order", [
        { name: "customer_id", type: "uuid", required: true },
        { name: "total", type: "decimal", required: true, precision: 2 },
        { name: "status", type: "string", required: true, default: "pending", enum: ["pending", "confirmed", "shipped", "delivered"] },
        createdAt,
      ]),
      samples: [
        { total: 129.9, status: "confirmed" },
        { total: 42.5, status: "pending" },
      ],
    },
    relation: {
      name: "orders",
      type: "one_to_many",
      source_key: "id",
      target_key: "customer_id",
      ownership: "source",
      on_delete: "cascade",
    },
  },
  {
    key: "product-catalog",
    label: "Product Catalog",
    description: "Products with prices, SKUs and stock.",
    main: {
      entity: entity("product", [
        { name: "name", type: "string", required: true },
        { name: "description", type: "text" },
        { name: "price", type: "decimal", required: true, precision: 2 },
        { name: "currency", type: "string", default: "USD" },
        { name: "sku", type: "string", unique: true },
        { name: "in_stock", type: "boolean", default: true },
        createdAt,
        updatedAt,
      ]),
      samples: [
        {
          name: "Desk Lamp",
          description: "Warm LED lamp with a brass arm.",
          price: 49.9,
          currency: "USD",
          sku: "LAMP-001",
          in_stock: true,
        },
        { name: "Notebook", description: "A5, dotted, 160 pages.", price: 12.5, currency: "USD", sku: "NOTE-002", in_stock: true },
        { name: "Fountain Pen", description: "Steel nib, blue ink.", price: 89, currency: "USD", sku: "PEN-003", in_stock: false },
      ],
    },
  },
  {
    key: "scratch",
    label: "Start from Scratch",
    description: "An empty entity with an id and timestamps.",
    main: { entity: { ...entity("", [createdAt, updatedAt]), table: "" }, samples: [] },
    meta: "id + timestamps",
  },
];

/** The card's meta line: "{fields-1} fields", plus " + {related} entity". */
export function presetMeta(p: Preset): string {
  if (p.meta) return p.meta;
  const base = `${p.main.entity.fields.length - 1} fields`;
  return p.related ? `${base} + ${p.related.entity.name} entity` : base;
}
