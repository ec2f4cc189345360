var e=`# Getting started

This walk-through starts the server with zero setup (embedded SQLite), creates an app,
defines two entities and a relation, writes and queries records, and restricts a user
with a row-level permission. Each step is a \`curl\` command you can paste into a shell. You
also need \`jq\`.

Other guides: [configuration](configuration.md), [API reference](api.md),
[deployment](deployment.md).

## 1. Start the server

\`\`\`sh
cargo run --release
\`\`\`

When there is no \`app.yaml\`, the server uses its defaults: SQLite databases under \`./data\`,
listening on \`0.0.0.0:8080\`. It prints:

\`\`\`
Rocket is listening on 0.0.0.0:8080
  Admin UI: http://127.0.0.1:8080/admin/
  API:      http://127.0.0.1:8080/api/<app>/…  (platform: http://127.0.0.1:8080/api/_platform)
  OpenAPI:  http://127.0.0.1:8080/api/<app>/_openapi.json  (platform: http://127.0.0.1:8080/api/_platform/openapi.json)
  health:   http://127.0.0.1:8080/health
WARNING: the platform admin still has the default password. Change it before exposing this server.
         Admin UI sign-in: platform@localhost / changeme  (API: POST http://127.0.0.1:8080/api/_platform/auth/login)
New apps get the admin admin@localhost / changeme: change it in each app.
\`\`\`

Open the admin UI at <http://127.0.0.1:8080/admin/> and sign in with the platform
credentials to manage apps, entities, rules and records in the browser; the steps below
do the same with \`curl\`. (\`server.admin_ui: false\` turns the UI off: see
[configuration](configuration.md).)

The warning with the platform credentials is printed only while that password is unchanged.
Change it with \`PUT /api/_platform/auth/password\` or \`rocket platform-user set-password\`
([CLI](cli.md)).

\`\`\`sh
curl -s localhost:8080/health
# {"status":"ok"}
\`\`\`

## 2. Log in as the platform admin and create an app

The platform admin manages apps. Every app gets its own database (here the file
\`./data/rocket_shop.db\`) and its own JWT secret.

\`\`\`sh
PTOKEN=$(curl -s localhost:8080/api/_platform/auth/login \\
  -H 'content-type: application/json' \\
  -d '{"email":"platform@localhost","password":"changeme"}' | jq -r .data.access_token)

curl -s localhost:8080/api/_platform/apps \\
  -H "authorization: Bearer $PTOKEN" -H 'content-type: application/json' \\
  -d '{"name":"shop","display_name":"Shop"}'
# 201 {"data":{"name":"shop","display_name":"Shop","db_name":"rocket_shop","db_driver":"sqlite","status":"active"}}
\`\`\`

Access tokens last 15 minutes. When one expires, log in again, or exchange the
\`refresh_token\` from the login response at \`POST /api/_platform/auth/refresh\`.

## 3. Log in as the app admin

Each new app gets the seeded user \`admin@localhost\` / \`changeme\` with the role \`admin\`.
Admins may use every \`/_admin\` route and skip every permission check. (A platform token is
also accepted as admin on every app route. This guide uses the app's own login.)

\`\`\`sh
TOKEN=$(curl -s localhost:8080/api/shop/auth/login \\
  -H 'content-type: application/json' \\
  -d '{"email":"admin@localhost","password":"changeme"}' | jq -r .data.access_token)
AUTH="authorization: Bearer $TOKEN"
JSON='content-type: application/json'
\`\`\`

## 4. Define two entities

A \`customer\` uses soft delete, so a DELETE only sets \`deleted_at\`. An \`invoice\` belongs to a
customer through \`customer_id\`. When you create an entity, its table is created right away.

\`\`\`sh
curl -s localhost:8080/api/shop/_admin/entities -H "$AUTH" -H "$JSON" -d '{
  "name": "customer", "table": "customers",
  "primary_key": {"field": "id", "type": "uuid", "generated": true},
  "soft_delete": true,
  "fields": [
    {"name": "id", "type": "uuid"},
    {"name": "name", "type": "string", "required": true},
    {"name": "region", "type": "string", "enum": ["north", "south"]},
    {"name": "created_at", "type": "timestamp", "auto": "create"}
  ]}'

curl -s localhost:8080/api/shop/_admin/entities -H "$AUTH" -H "$JSON" -d '{
  "name": "invoice", "table": "invoices",
  "primary_key": {"field": "id", "type": "uuid", "generated": true},
  "fields": [
    {"name": "id", "type": "uuid"},
    {"name": "number", "type": "string", "required": true, "unique": true},
    {"name": "status", "type": "string", "default": "draft", "enum": ["draft", "sent", "paid"]},
    {"name": "total", "type": "decimal", "precision": 2},
    {"name": "customer_id", "type": "uuid", "required": true},
    {"name": "created_at", "type": "timestamp", "auto": "create"},
    {"name": "updated_at", "type": "timestamp", "auto": "update"}
  ]}'
\`\`\`

Both calls answer \`201 {"data": <definition>}\`, where \`<definition>\` is the stored
(canonical) form of what you sent.

## 5. Relate them (one_to_many)

\`\`\`sh
curl -s localhost:8080/api/shop/_admin/relations -H "$AUTH" -H "$JSON" -d '{
  "name": "invoices", "type": "one_to_many",
  "source": "customer", "target": "invoice",
  "source_key": "id", "target_key": "customer_id",
  "on_delete": "restrict"}'
\`\`\`

Now the key \`invoices\` works on a customer: in \`include=\` to load its invoices, and in a
request body for a nested write. On an invoice, the token \`customer\` (the source entity's
name) loads the owning customer.

## 6. Create records with a nested write

This request creates a customer and two invoices in one transaction. The server sets each
child's \`customer_id\` to the new customer's id:

\`\`\`sh
CUSTOMER=$(curl -s localhost:8080/api/shop/customer -H "$AUTH" -H "$JSON" -d '{
  "name": "Acme", "region": "north",
  "invoices": {"data": [
    {"number": "INV-001", "total": 1500},
    {"number": "INV-002", "total": 250, "status": "sent"}
  ]}}' | jq -r .data.id)
\`\`\`

The response (\`201\`) holds only the parent record:
\`{"data":{"id":"…","name":"Acme","region":"north","created_at":"…","deleted_at":null}}\`.
Add a second customer the ordinary way:

\`\`\`sh
curl -s localhost:8080/api/shop/customer -H "$AUTH" -H "$JSON" -d '{"name":"Globex","region":"south"}'
\`\`\`

Validation errors come back as \`422\` with details:

\`\`\`sh
curl -s localhost:8080/api/shop/customer -H "$AUTH" -H "$JSON" -d '{"region":"east","colour":"red"}'
# {"error":{"code":"VALIDATION_FAILED","message":"Validation failed",
#   "details":[{"field":"colour","rule":"unknown","message":"Unknown field or relation: colour"}]}}
\`\`\`

Unknown keys are reported alone. Once you remove \`colour\`, the same body reports
\`name is required\` and the \`enum\` error on \`region\`.

## 7. List with filters, sort and include

\`\`\`sh
curl -s -G localhost:8080/api/shop/invoice -H "$AUTH" \\
  --data-urlencode 'filter[status.in]=draft,sent' \\
  --data-urlencode 'filter[total.gte]=100' \\
  --data-urlencode 'sort=-total' \\
  --data-urlencode 'per_page=10' \\
  --data-urlencode 'include=customer'
\`\`\`

\`-G --data-urlencode\` builds the query string for you. To type a filter straight into a URL,
give curl \`-g\` (otherwise it reads \`[…]\` as a glob pattern) or encode the brackets:
\`curl -g "localhost:8080/api/shop/invoice?filter[total.gte]=100"\` or
\`…?filter%5Btotal.gte%5D=100\`.

\`\`\`json
{"data":[
  {"id":"…","number":"INV-001","status":"draft","total":1500,"customer_id":"…",
   "created_at":"2025-01-15 10:30:00","updated_at":"2025-01-15 10:30:00",
   "customer":{"id":"…","name":"Acme","region":"north","created_at":"2025-01-15 10:30:00"}},
  {"id":"…","number":"INV-002","status":"sent","total":250, "…": "…"}],
 "meta":{"page":1,"per_page":10,"total":2}}
\`\`\`

On SQLite, decimals come back as numbers and timestamps as stored text. On PostgreSQL,
decimals are strings with their scale (\`"1500.00"\`) and timestamps are RFC 3339 UTC.

From the other side, a customer with its invoices:

\`\`\`sh
curl -s "localhost:8080/api/shop/customer/$CUSTOMER?include=invoices" -H "$AUTH"
\`\`\`

## 8. Update with a nested write

\`PUT\` is a partial update. The nested \`data\` below uses the default \`diff\` mode: a row with a
known \`id\` is updated, a row without \`id\` is inserted, a row with \`"_delete": true\` is
removed, and children you leave out are kept.

\`\`\`sh
FIRST=$(curl -s -G localhost:8080/api/shop/invoice -H "$AUTH" \\
  --data-urlencode 'filter[number]=INV-001' | jq -r '.data[0].id')

curl -s -X PUT "localhost:8080/api/shop/customer/$CUSTOMER" -H "$AUTH" -H "$JSON" -d "{
  \\"region\\": \\"south\\",
  \\"invoices\\": {\\"data\\": [
    {\\"id\\": \\"$FIRST\\", \\"status\\": \\"paid\\"},
    {\\"number\\": \\"INV-003\\", \\"total\\": 99.5}
  ]}}"
\`\`\`

Deleting this customer now fails, because the relation uses \`on_delete: restrict\`:

\`\`\`sh
curl -s -X DELETE "localhost:8080/api/shop/customer/$CUSTOMER" -H "$AUTH"
# 409 {"error":{"code":"CONFLICT","message":"Cannot delete: 3 related invoice records exist"}}
\`\`\`

## 9. A user with a row-level permission

Create a user with the role \`sales\`. Users without the \`admin\` role can do only what a
permission allows:

\`\`\`sh
curl -s localhost:8080/api/shop/_admin/users -H "$AUTH" -H "$JSON" \\
  -d '{"email":"rep@example.com","password":"s3cret","roles":["sales"]}'

curl -s localhost:8080/api/shop/_admin/permissions -H "$AUTH" -H "$JSON" -d '{
  "entity": "invoice", "action": "read", "roles": ["sales"],
  "conditions": [{"field": "status", "operator": "in", "value": ["draft", "sent"]}]}'
\`\`\`

Log in as that user and list invoices. The \`paid\` invoice is hidden, and \`meta.total\`
counts only the rows the user can see:

\`\`\`sh
REP=$(curl -s localhost:8080/api/shop/auth/login -H "$JSON" \\
  -d '{"email":"rep@example.com","password":"s3cret"}' | jq -r .data.access_token)

curl -s localhost:8080/api/shop/invoice -H "authorization: Bearer $REP" | jq '.meta.total'
# 2

curl -s "localhost:8080/api/shop/invoice/$FIRST" -H "authorization: Bearer $REP"
# 404 {"error":{"code":"NOT_FOUND","message":"invoice with id … not found"}}

curl -s localhost:8080/api/shop/invoice -H "$JSON" -H "authorization: Bearer $REP" \\
  -d '{"number":"INV-004","customer_id":"'"$CUSTOMER"'"}'
# 403 {"error":{"code":"FORBIDDEN","message":"No permission for create on invoice"}}

curl -s "localhost:8080/api/shop/invoice?include=customer" -H "authorization: Bearer $REP"
# 403 {"error":{"code":"FORBIDDEN","message":"No permission for read on customer"}}
\`\`\`

An include loads another entity, so it needs \`read\` permission on that entity too. Grant it
and the include works:

\`\`\`sh
curl -s localhost:8080/api/shop/_admin/permissions -H "$AUTH" -H "$JSON" \\
  -d '{"entity":"customer","action":"read","roles":["sales"]}'
\`\`\`

Permission changes apply right away. Tokens are not affected, because a token carries only
the user's roles.

## Next steps

* Change both default passwords (\`PUT /api/shop/_admin/users/{id}\` with a new \`password\`). For
  the platform admin, see [deployment](deployment.md#change-the-default-credentials).
* Move to PostgreSQL: [configuration](configuration.md).
* Every route, parameter and error: [API reference](api.md).
* Validation rules, state machines and approval workflows: [rules, state machines and workflows](logic.md).
* Upload files, attach them to records through \`file\` fields and get thumbnails: [files](files.md).
* UI configs for your screens and the AI schema generator: [API reference](api.md#ui-configs).
`;export{e as default};