"""Prepares a started server for the OpenAPI checks (scripts/openapi.sh).

Creates the app `fuzz` with an entity of every field type, every relation kind, a
soft-delete entity and a slug entity; a non-admin user `reader@example.com` whose
role may read `customer` and update `invoice` rows of its own; then writes, into the
directory given, the admin, reader and platform documents and the tokens:
app-admin.json, app-reader.json, platform.json, admin.token, reader.token,
platform.token. Fails when a document shows what its reader may not use.
"""
import json
import sys
from pathlib import Path

import requests

BASE, OUT = sys.argv[1], Path(sys.argv[2])
APP = "fuzz"


def call(method, path, token=None, body=None, ok=(200, 201)):
    h = {"Authorization": f"Bearer {token}"} if token else {}
    r = requests.request(method, BASE + path, json=body, headers=h, timeout=30)
    if r.status_code not in ok:
        sys.exit(f"{method} {path}: {r.status_code} {r.text[:300]}")
    return r.json()


def login(path, email, password):
    return call("POST", path, body={"email": email, "password": password})["data"]["access_token"]


def uuid_pk(name, table, fields, **extra):
    return {"name": name, "table": table,
            "primary_key": {"field": "id", "type": "uuid", "generated": True},
            "fields": [{"name": "id", "type": "uuid"}] + fields, **extra}


ENTITIES = [
    uuid_pk("customer", "customers", [
        {"name": "name", "type": "string", "required": True},
        {"name": "tier", "type": "string", "enum": ["gold", "silver"]},
        {"name": "email", "type": "email", "unique": True}]),
    uuid_pk("invoice", "invoices", [
        {"name": "number", "type": "string", "required": True, "unique": True},
        {"name": "customer_id", "type": "uuid"},
        {"name": "owner", "type": "string"},
        {"name": "notes", "type": "text"},
        {"name": "qty", "type": "int"},
        {"name": "big", "type": "bigint"},
        {"name": "ratio", "type": "float"},
        {"name": "total", "type": "decimal", "precision": 2},
        {"name": "paid", "type": "boolean", "default": False},
        {"name": "issued_at", "type": "timestamp"},
        {"name": "due", "type": "date"},
        {"name": "meta", "type": "json"},
        {"name": "scan", "type": "file"},
        {"name": "created_at", "type": "timestamp", "auto": "create"},
        {"name": "updated_at", "type": "timestamp", "auto": "update"}], soft_delete=True),
    uuid_pk("line", "lines", [
        {"name": "invoice_id", "type": "uuid"},
        {"name": "qty", "type": "int", "required": True}]),
    uuid_pk("profile", "profiles", [
        {"name": "customer_id", "type": "uuid"}, {"name": "bio", "type": "text"}]),
    uuid_pk("article", "articles", [
        {"name": "title", "type": "string", "required": True},
        {"name": "slug", "type": "string", "unique": True}],
        slug={"field": "slug", "source": "title"}),
    {"name": "tag", "table": "tags", "primary_key": {"field": "id", "type": "int", "generated": True},
     "fields": [{"name": "id", "type": "int"}, {"name": "label", "type": "string"}]},
    {"name": "code", "table": "codes", "primary_key": {"field": "code", "type": "string", "generated": False},
     "fields": [{"name": "code", "type": "string"}, {"name": "value", "type": "bigint"}]},
]

RELATIONS = [
    {"name": "lines", "type": "one_to_many", "source": "invoice", "target": "line",
     "source_key": "id", "target_key": "invoice_id", "on_delete": "cascade"},
    {"name": "invoices", "type": "one_to_many", "source": "customer", "target": "invoice",
     "source_key": "id", "target_key": "customer_id", "on_delete": "set_null"},
    {"name": "profile", "type": "one_to_one", "source": "customer", "target": "profile",
     "source_key": "id", "target_key": "customer_id", "on_delete": "cascade"},
    {"name": "tags", "type": "many_to_many", "source": "invoice", "target": "tag", "source_key": "id",
     "join_table": "invoice_tags", "source_join_key": "invoice_id", "target_join_key": "tag_id"},
]


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    platform = login("/api/_platform/auth/login", "platform@localhost", "changeme")
    call("POST", "/api/_platform/apps", platform, {"name": APP})
    admin = login(f"/api/{APP}/auth/login", "admin@localhost", "changeme")
    for e in ENTITIES:
        call("POST", f"/api/{APP}/_admin/entities", admin, e)
    for r in RELATIONS:
        call("POST", f"/api/{APP}/_admin/relations", admin, r)
    call("POST", f"/api/{APP}/_admin/permissions", admin,
         {"entity": "customer", "action": "read", "roles": ["reader"]})
    call("POST", f"/api/{APP}/_admin/permissions", admin,
         {"entity": "invoice", "action": "update", "roles": ["reader"],
          "conditions": [{"field": "owner", "operator": "eq", "value": "reader"}]})
    call("POST", f"/api/{APP}/_admin/users", admin,
         {"email": "reader@example.com", "password": "reader-pass-1", "roles": ["reader"]})
    reader = login(f"/api/{APP}/auth/login", "reader@example.com", "reader-pass-1")

    docs = {
        "app-admin.json": call("GET", f"/api/{APP}/_openapi.json", admin),
        "app-reader.json": call("GET", f"/api/{APP}/_openapi.json", reader),
        "platform.json": call("GET", "/api/_platform/openapi.json", platform),
    }
    paths = docs["app-reader.json"]["paths"]
    hidden = [p for p in paths if "/_admin/" in p or p.endswith(("/line", "/tag"))]
    if hidden or "put" not in paths.get(f"/api/{APP}/invoice/{{id}}", {}) \
            or "post" in paths.get(f"/api/{APP}/customer", {}):
        sys.exit(f"the reader's document shows the wrong operations: {sorted(paths)}")
    for name, doc in docs.items():
        (OUT / name).write_text(json.dumps(doc, indent=1))
    for name, tok in [("admin", admin), ("reader", reader), ("platform", platform)]:
        (OUT / f"{name}.token").write_text(tok)


if __name__ == "__main__":
    main()
