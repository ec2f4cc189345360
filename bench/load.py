#!/usr/bin/env python3
"""Rocket load benchmark driver (used by bench/run.sh; expects a running server).

Creates the app `bench` with the entities `customer`, `order` and `ruled` (a copy of
`customer` with validation rules and a state machine), loads the data set through the
REST API, runs wrk for the tests and prints a result table.
Only talks to the given (loopback) base URL.
"""

import argparse
import concurrent.futures
import http.client
import json
import os
import random
import re
import subprocess
import sys
import threading
import time
import urllib.parse

APP = "bench"

CUSTOMER = {
    "name": "customer",
    "table": "customers",
    "primary_key": {"field": "id", "type": "uuid", "generated": True},
    "fields": [
        {"name": "id", "type": "uuid"},
        {"name": "name", "type": "string", "required": True},
        {"name": "email", "type": "string", "unique": True},
        {"name": "tier", "type": "string", "enum": ["bronze", "silver", "gold"]},
        {"name": "score", "type": "int", "index": True},
        {"name": "created_at", "type": "timestamp", "auto": "create"},
    ],
    # L1 filters on tier and sorts on score: one composite index serves both.
    "indexes": [{"fields": ["tier", "score"]}],
}

ORDER = {
    "name": "order",
    "table": "orders",
    "primary_key": {"field": "id", "type": "uuid", "generated": True},
    "fields": [
        {"name": "id", "type": "uuid"},
        {"name": "customer_id", "type": "uuid", "required": True},
        {"name": "total", "type": "decimal", "precision": 2},
        {"name": "status", "type": "string", "enum": ["pending", "paid", "shipped", "cancelled"]},
        {"name": "created_at", "type": "timestamp", "auto": "create"},
    ],
}

# The same fields as `customer` plus `status` (the state field) and `label` (computed):
# W1R/W2R write it with the same bodies as W1/W2, so the ratio to W1/W2 is the cost of
# the business rules below.
RULED = {
    "name": "ruled",
    "table": "ruled",
    "primary_key": {"field": "id", "type": "uuid", "generated": True},
    "fields": [
        {"name": "id", "type": "uuid"},
        {"name": "name", "type": "string", "required": True},
        {"name": "email", "type": "string", "unique": True},
        {"name": "tier", "type": "string", "enum": ["bronze", "silver", "gold"]},
        {"name": "score", "type": "int", "index": True},
        {"name": "created_at", "type": "timestamp", "auto": "create"},
        {"name": "status", "type": "string"},
        {"name": "label", "type": "string"},
    ],
    "indexes": [{"fields": ["tier", "score"]}],
}

# Five active before_write rules on `ruled` (07-rules §6): two field rules, two expression
# rules (true = violated; neither is for the benchmark's bodies) and one computed rule.
# On W2R's partial update `record.name` is absent, so `label` keeps its stored value.
RULES = [
    {"type": "field", "priority": 10,
     "definition": {"field": "name", "operator": "min_length", "value": 1}},
    {"type": "field", "priority": 20,
     "definition": {"field": "score", "operator": "min", "value": 0}},
    {"type": "expression", "priority": 30,
     "definition": {"expression": "record.score != nil && record.score > 1000000",
                    "message": "score too large"}},
    {"type": "expression", "priority": 40,
     "definition": {"expression": "record.tier == 'platinum'"}},
    {"type": "computed", "priority": 50,
     "definition": {"field": "label",
                    "expression": "record.name != nil ? upper(record.name) : old.label"}},
]

# One active state machine on `ruled.status` (08-state-machines §7). W1R creates in the
# initial state; W2R does not send `status`, so the machine is looked at and skipped.
STATE_MACHINE = {
    "entity": "ruled",
    "field": "status",
    "definition": {
        "initial": "new",
        "transitions": [
            {"from": "new", "to": "active",
             "guard": "(record.score != nil ? record.score : old.score) >= 0"},
            {"from": "active", "to": "new"},
        ],
    },
    "active": True,
}

# A copy of `customer` with one asynchronous `after_write` webhook (spec 12; issue 10):
# W1H writes it with W1's bodies, so W1H/W1 is the cost of the outbox row on the request
# path. The webhook posts to RECEIVER, a local HTTP server in this process that counts
# deliveries and their arrival times (the delivery worker's throughput).
HOOKED = dict(CUSTOMER, name="hooked", table="hooked")


class Receiver:
    """A loopback webhook receiver: answers 200 and records when each delivery came."""

    def __init__(self):
        import http.server

        times = self.times = []
        lock = self.lock = threading.Lock()

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):
                n = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(n)
                with lock:
                    times.append(time.monotonic())
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *a):
                pass

        class Server(http.server.ThreadingHTTPServer):
            request_queue_size = 1024  # the default backlog of 5 refuses bursts

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = "http://127.0.0.1:%d/hook" % self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def count(self):
        with self.lock:
            return len(self.times)

    def span(self, start):
        """(deliveries since index start, seconds from the first to the last of them)."""
        with self.lock:
            t = self.times[start:]
        return len(t), (t[-1] - t[0]) if len(t) > 1 else 0.0


RECEIVER = None

RELATION = {
    "name": "orders",
    "type": "one_to_many",
    "source": "customer",
    "target": "order",
    "source_key": "id",
    "target_key": "customer_id",
    "on_delete": "cascade",
}

# name, wrk mode, entity, description, sequential (one connection, one thread).
# W1R/W2R run right after W1/W2: the ratio compares runs seconds apart.
TESTS = [
    ("L1", "list", "customer", "list filter[tier]=gold&sort=-score&page=3&per_page=25", False),
    ("L2", "get", "customer", "get by random id", False),
    ("L3", "include", "customer", "get by random id with include=orders", False),
    ("W1", "create", "customer", "create customer", False),
    ("W1R", "create", "ruled", "create ruled (W1 + 5 rules, state machine)", False),
    ("W1H", "create", "hooked", "create hooked (W1 + one async webhook)", False),
    ("W2", "update", "customer", "update score of a random customer", False),
    ("W2R", "update", "ruled", "update score of a random ruled (W2 + rules)", False),
    ("S1", "create", "customer", "create customer, one sequential client", True),
    ("S2", "update", "customer", "update score, one sequential client", True),
]

# The rules' cost: req/s of the test with rules as a share of its counterpart without.
RULE_PAIRS = [("W1R", "W1"), ("W2R", "W2"), ("W1H", "W1")]

# The same statements straight on the database (pgbench), for the ceiling of each
# test on Postgres. Keys come from `bench_keys` (an InitPlan lookup in each script).
COLS = '"id"::text, "name"::text, "email"::text, "tier"::text, "score"::text, "created_at"::text'
OCOLS = '"id"::text, "customer_id"::text, "total"::text, "status"::text, "created_at"::text'
KEY = '(SELECT id FROM bench_keys WHERE n = :n)'
PGBENCH = {
    "L1": """\\startpipeline
SELECT %s FROM "public"."customers" WHERE "tier" = 'gold' ORDER BY "customers"."score" DESC LIMIT 25 OFFSET 50;
SELECT COUNT(*) AS count FROM "public"."customers" WHERE "tier" = 'gold';
\\endpipeline
""" % COLS,
    "L2": """\\set n random(1, :nkeys)
SELECT %s FROM "public"."customers" WHERE "id" = %s LIMIT 1;
""" % (COLS, KEY),
    "L3": """\\set n random(1, :nkeys)
SELECT %s FROM "public"."customers" WHERE "id" = %s LIMIT 1;
SELECT %s FROM "public"."orders" WHERE "customer_id" = ANY(ARRAY[%s]) ORDER BY "orders"."id" ASC LIMIT 1001;
""" % (COLS, KEY, OCOLS, KEY),
    "W1": """\\set s random(0, 100000)
INSERT INTO "public"."customers" ("id", "name", "email", "tier", "score", "created_at") VALUES (gen_random_uuid(), 'pgbench', 'pg-' || gen_random_uuid() || '@bench.example', 'gold', :s, NOW()) RETURNING %s;
""" % COLS,
    "W2": """\\set n random(1, :nkeys)
\\set s random(0, 100000)
UPDATE "public"."customers" SET "score" = :s WHERE "id" = %s RETURNING %s;
""" % (KEY, COLS),
}


class Client:
    """Minimal keep-alive JSON client (one per thread)."""

    def __init__(self, base):
        u = urllib.parse.urlsplit(base)
        if u.hostname not in ("127.0.0.1", "localhost", "::1"):
            raise SystemExit("refusing non-loopback base URL: %s" % base)
        self.host, self.port = u.hostname, u.port or 80
        self.conn = None

    def request(self, method, path, body=None, token=None, retries=2):
        headers = {"Accept": "application/json"}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        if token:
            headers["Authorization"] = "Bearer " + token
        for attempt in range(retries + 1):
            try:
                if self.conn is None:
                    self.conn = http.client.HTTPConnection(self.host, self.port, timeout=30)
                self.conn.request(method, path, body=data, headers=headers)
                resp = self.conn.getresponse()
                raw = resp.read()
                try:
                    payload = json.loads(raw) if raw else None
                except ValueError:
                    payload = raw.decode(errors="replace")
                return resp.status, payload
            except (http.client.HTTPException, ConnectionError, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == retries:
                    raise
                time.sleep(0.05)


def expect(status, payload, ok, what):
    if status not in ok:
        raise SystemExit("%s failed: HTTP %s %s" % (what, status, json.dumps(payload)[:2000]))
    return payload


def wait_health(base, timeout):
    c = Client(base)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            status, _ = c.request("GET", "/health", retries=0)
            if status == 200:
                return
        except Exception:
            pass
        c.conn = None
        time.sleep(0.2)
    raise SystemExit("server did not become healthy within %ss" % timeout)


def platform_login(c):
    st, p = c.request("POST", "/api/_platform/auth/login",
                      {"email": "platform@localhost", "password": "changeme"})
    return expect(st, p, (200,), "platform login")["data"]["access_token"]


def app_login(c):
    st, p = c.request("POST", "/api/%s/auth/login" % APP,
                      {"email": "admin@localhost", "password": "changeme"})
    return expect(st, p, (200,), "app login")["data"]["access_token"]


def delete_app(c, ptoken):
    st, p = c.request("DELETE", "/api/_platform/apps/" + APP, token=ptoken)
    if st not in (200, 404):
        print("warning: deleting app failed: HTTP %s %s" % (st, p), file=sys.stderr)
    return st


def setup_app(base, driver, rules=True):
    c = Client(base)
    ptoken = platform_login(c)
    delete_app(c, ptoken)  # leftovers of an aborted run
    st, p = c.request("POST", "/api/_platform/apps", {"name": APP, "db_driver": driver}, token=ptoken)
    expect(st, p, (201,), "create app")
    token = app_login(c)
    for ent in (CUSTOMER, ORDER, RULED) if rules else (CUSTOMER, ORDER):
        st, p = c.request("POST", "/api/%s/_admin/entities" % APP, ent, token=token)
        expect(st, p, (200, 201), "create entity " + ent["name"])
    st, p = c.request("POST", "/api/%s/_admin/relations" % APP, RELATION, token=token)
    expect(st, p, (200, 201), "create relation")
    if os.environ.get("BENCH_NO_WEBHOOKS", "0") != "1":
        global RECEIVER
        RECEIVER = Receiver()
        st, p = c.request("POST", "/api/%s/_admin/entities" % APP, HOOKED, token=token)
        expect(st, p, (200, 201), "create entity hooked")
        hook = {"entity": "hooked", "hook": "after_write", "url": RECEIVER.url}
        st, p = c.request("POST", "/api/%s/_admin/webhooks" % APP, hook, token=token)
        expect(st, p, (201,), "create webhook on hooked")
    if not rules:
        return ptoken, token
    for rule in RULES:
        body = dict(rule, entity=RULED["name"], hook="before_write", active=True)
        st, p = c.request("POST", "/api/%s/_admin/rules" % APP, body, token=token)
        expect_rules(st, p, "create %s rule (priority %d)" % (rule["type"], rule["priority"]))
    st, p = c.request("POST", "/api/%s/_admin/state-machines" % APP, STATE_MACHINE, token=token)
    expect_rules(st, p, "create state machine")
    return ptoken, token


def expect_rules(status, payload, what):
    if status == 404:
        raise SystemExit("%s failed: HTTP 404 %s\n(a binary without rules? BENCH_NO_RULES=1 leaves out "
                         "ruled, W1R and W2R)" % (what, json.dumps(payload)[:500]))
    return expect(status, payload, (201,), what)


def parallel_create(base, token, entity, bodies, workers, errors):
    """POST every body concurrently; returns the created ids in input order."""
    ids = [None] * len(bodies)
    local = threading.local()
    path = "/api/%s/%s" % (APP, entity)

    def work(i):
        c = getattr(local, "c", None)
        if c is None:
            c = local.c = Client(base)
        st, p = c.request("POST", path, bodies[i], token=token)
        if st != 201:
            errors.append((entity, st, p))
            return
        ids[i] = p["data"]["id"]

    with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as ex:
        list(ex.map(work, range(len(bodies)), chunksize=64))
    return ids


def load_data(base, token, n_customers, n_orders, n_ruled, workers, rng):
    tiers = ["bronze", "silver", "gold"]
    customers = [
        {
            "name": "Customer %d" % i,
            "email": "customer%d@bench.example" % i,
            "tier": tiers[rng.randrange(3)],
            "score": rng.randrange(0, 100000),
        }
        for i in range(n_customers)
    ]
    errors = []
    t0 = time.time()
    cids = parallel_create(base, token, "customer", customers, workers, errors)
    t1 = time.time()
    good = [i for i in cids if i]
    if not good:
        raise SystemExit("no customer could be created: %s" % (errors[:3],))
    statuses = ["pending", "paid", "shipped", "cancelled"]
    orders = [
        {
            "customer_id": good[rng.randrange(len(good))],
            "total": round(rng.uniform(1, 5000), 2),
            "status": statuses[rng.randrange(4)],
        }
        for _ in range(n_orders)
    ]
    oids = parallel_create(base, token, "order", orders, workers, errors)
    t2 = time.time()
    # like the customers, through the rules and the state machine (initial state "new")
    ruled = [
        {
            "name": "Ruled %d" % i,
            "email": "ruled%d@bench.example" % i,
            "tier": tiers[rng.randrange(3)],
            "score": rng.randrange(0, 100000),
            "status": "new",
        }
        for i in range(n_ruled)
    ]
    rids = parallel_create(base, token, "ruled", ruled, workers, errors)
    t3 = time.time()
    stats = {
        "customers": len(good),
        "customers_s": t1 - t0,
        "orders": sum(1 for i in oids if i),
        "orders_s": t2 - t1,
        "ruled": sum(1 for i in rids if i),
        "ruled_s": t3 - t2,
        "errors": errors,
    }
    return good, [i for i in rids if i], stats


def check_rules(c, token, ruled_ids):
    """A few requests that show the rules and the state machine are in force, so W1R/W2R
    measure what they claim to. Returns the list of failed checks (printed by the caller)."""
    failed = []
    path = "/api/%s/ruled" % APP

    def check(what, st, p, ok, cond=True):
        if st not in ok or not cond:
            failed.append("%s: HTTP %s %s" % (what, st, json.dumps(p)[:300]))

    if not ruled_ids:
        return ["no ruled row was loaded"]
    rid = ruled_ids[0]
    st, p = c.request("GET", "%s/%s" % (path, rid), token=token)
    row = (p.get("data") if isinstance(p, dict) else None) or {}
    check("computed label of a loaded row", st, p, (200,),
          str(row.get("name", "")).upper() == row.get("label") and row.get("status") == "new")

    def body(n, score, status):  # a distinct email each, so a wrongly accepted one cannot 409 the next
        return {"name": "Check", "email": "check-%d-%d@bench.example" % (os.getpid(), n),
                "tier": "gold", "score": score, "status": status}

    st, p = c.request("POST", path, body(1, -1, "new"), token=token)
    check("field rule score min 0", st, p, (422,))
    st, p = c.request("POST", path, body(2, 2000000, "new"), token=token)
    check("expression rule score too large", st, p, (422,))
    st, p = c.request("POST", path, body(3, 1, "active"), token=token)
    check("state machine initial state", st, p, (422,))
    st, p = c.request("PUT", "%s/%s" % (path, rid), {"status": "active"}, token=token)
    check("transition new -> active (guard on old.score)", st, p, (200,))
    st, p = c.request("PUT", "%s/%s" % (path, rid), {"status": "new"}, token=token)
    check("transition active -> new", st, p, (200,))
    return failed


UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def to_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    return float(m.group(1)) * UNIT[m.group(2)] if m else float("nan")


def parse_wrk(out):
    res = {"rps": float("nan"), "p50": float("nan"), "p99": float("nan"),
           "p999": float("nan"), "max": float("nan"),
           "non2xx": None, "wrk_non2xx": 0, "socket_errors": None, "requests": None,
           "statuses": {}, "bodies": []}
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if m:
        res["rps"] = float(m.group(1))
    m = re.search(r"^\s*50(?:\.000)?%\s+(\S+)", out, re.M)
    if m:
        res["p50"] = to_ms(m.group(1))
    m = re.search(r"^\s*99(?:\.000)?%\s+(\S+)", out, re.M)
    if m:
        res["p99"] = to_ms(m.group(1))
    m = re.search(r"(\d+) requests in", out)
    if m:
        res["requests"] = int(m.group(1))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    if m:
        res["wrk_non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: (.*)", out)
    if m:
        res["socket_errors"] = m.group(1).strip()
    m = re.search(r"^BENCH lat (\d+) (\d+) (\d+) (\d+)", out, re.M)
    if m:
        res["p50"], res["p99"], res["p999"], res["max"] = (int(x) / 1000.0 for x in m.groups())
    m = re.search(r"^BENCH non2xx (\d+)", out, re.M)
    if m:
        res["non2xx"] = int(m.group(1))
    for code, n in re.findall(r"^BENCH status (\d+) (\d+)", out, re.M):
        res["statuses"][code] = int(n)
    res["bodies"] = re.findall(r"^BENCH body (.*)$", out, re.M)
    if res["non2xx"] is None:
        res["non2xx"] = res["wrk_non2xx"]
    return res


def run_wrk(args, mode, entity, token, ids_file, sequential=False):
    env = dict(os.environ)
    env.update({
        "BENCH_TOKEN": token,
        "BENCH_APP": APP,
        "BENCH_IDS": ids_file,
        "BENCH_NONCE": "%d%04d" % (int(time.time()), random.randrange(10000)),
    })
    threads, conns = (1, 1) if sequential else (args.threads, args.connections)
    cmd = [args.wrk, "-t", str(threads), "-c", str(conns), "-d", args.duration,
           "--timeout", "5s", "--latency", "-s", args.lua, args.base, "--", mode, entity]
    p = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=300)
    return " ".join(cmd) + "\n\n" + p.stdout, p.returncode


def pgbench(args, name, db, nkeys):
    """Runs the ceiling script of `name` on database `db`; returns transactions/s."""
    script = os.path.join(args.results, "pgbench-%s.sql" % name)
    with open(script, "w") as f:
        f.write(PGBENCH[name])
    cmd = ["pgbench", "-h", "127.0.0.1", "-U", "postgres", "-n", "-M", "prepared",
           "-c", str(args.connections), "-j", str(args.threads), "-T", args.duration.rstrip("s"),
           "-D", "nkeys=%d" % nkeys, "-f", script, db]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    with open(os.path.join(args.results, "pgbench-%s.txt" % name), "w") as f:
        f.write(" ".join(cmd) + "\n\n" + p.stdout)
    m = re.search(r"tps = ([\d.]+) \(without initial connection time\)", p.stdout)
    return float(m.group(1)) if m else float("nan")


def psql(db, sql):
    """Runs `sql` on `db` (through stdin: the key list is too long for an argument)."""
    subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qAt", "-v", "ON_ERROR_STOP=1",
                    "-d", db], input=sql, text=True, check=True, stdout=subprocess.DEVNULL)


def prepare_ceilings(ids):
    """The key table the pgbench scripts pick their ids from (Postgres only)."""
    db = "rocket_" + APP
    psql(db, "DROP TABLE IF EXISTS bench_keys; CREATE TABLE bench_keys (n int PRIMARY KEY, id uuid)")
    values = ",".join("(%d,'%s')" % (i + 1, k) for i, k in enumerate(ids))
    psql(db, "INSERT INTO bench_keys VALUES " + values)
    return db


def ceiling(args, db, name, nkeys):
    """pgbench of test `name`'s statements, right after its wrk run: the same data."""
    tps = pgbench(args, name, db, nkeys)
    print("[postgres] %s pgbench ceiling %8.0f tx/s" % (name, tps), flush=True)
    return tps


def rules_overhead(rows):
    """{"W1R/W1": percent, ...} for the rules tests that ran (None when the counterpart did not)."""
    rps = {name: r["rps"] for name, r in rows}
    out = {}
    for ruled, plain in RULE_PAIRS:
        if ruled not in rps:
            continue
        a, b = rps.get(ruled), rps.get(plain)
        ok = a is not None and b is not None and b > 0 and a == a and b == b  # not NaN
        out["%s/%s" % (ruled, plain)] = 100.0 * a / b if ok else None
    return out


def drain(args, seen, r):
    """Waits (at most 60 s) until the receiver got one delivery per created row of the run
    just finished; prints and returns the delivery throughput."""
    created = r["requests"] - (r["non2xx"] or 0)
    end = time.monotonic()
    while RECEIVER.count() - seen < created and time.monotonic() - end < 60:
        time.sleep(0.05)
    n, secs = RECEIVER.span(seen)
    lag = time.monotonic() - end
    out = {"created": created, "delivered": n, "seconds": round(secs, 2),
           "per_second": round(n / secs) if secs else None, "drained_after_run_s": round(lag, 2)}
    print("[%s] webhook deliveries: %d of %d created rows delivered, %.0f/s, last one %.1f s after the run"
          % (args.driver, n, created, n / secs if secs else 0, lag), flush=True)
    return out


def fmt_table(driver, rows, ceiling=None):
    head = "| test | req/s | p50 ms | p99 ms | p99.9 ms | max ms | non-2xx |"
    sep = "|---|---:|---:|---:|---:|---:|---:|"
    if ceiling:
        head += " pgbench tx/s | ratio |"
        sep += "---:|---:|"
    lines = ["%s" % driver, head, sep]
    for name, r in rows:
        line = "| %s | %.0f | %.2f | %.2f | %.2f | %.2f | %s |" % (
            name, r["rps"], r["p50"], r["p99"], r["p999"], r["max"], r["non2xx"])
        if ceiling:
            c = ceiling.get(name)
            line += (" %.0f | %.0f %% |" % (c, 100.0 * r["rps"] / c)) if c else " | |"
        lines.append(line)
    overhead = rules_overhead(rows)
    if overhead:
        lines.append("")
        lines.append("rules overhead: " + ", ".join(
            "%s = %s" % (k, "%.0f%%" % v if v is not None else "n/a") for k, v in overhead.items()))
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--base", required=True)
    ap.add_argument("--driver", required=True, choices=["sqlite", "postgres"])
    ap.add_argument("--results", required=True)
    ap.add_argument("--lua", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench.lua"))
    ap.add_argument("--wrk", default="wrk")
    ap.add_argument("--customers", type=int, default=10000)
    ap.add_argument("--orders", type=int, default=50000)
    ap.add_argument("--ruled", type=int, default=None, help="ruled rows to load (default: --customers)")
    ap.add_argument("--workers", type=int, default=16)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--duration", default="10s")
    ap.add_argument("--label", default="")
    ap.add_argument("--keep-app", action="store_true")
    ap.add_argument("--no-pgbench", action="store_true", help="skip the Postgres ceiling run")
    args = ap.parse_args()

    os.makedirs(args.results, exist_ok=True)
    prefix = os.path.join(args.results, args.driver)
    rng = random.Random(42)

    # BENCH_NO_RULES=1: no `ruled`, no rules, no W1R/W2R (the run of a binary before rules)
    rules = os.environ.get("BENCH_NO_RULES", "0") != "1"
    wait_health(args.base, 60)
    ptoken, token = setup_app(args.base, args.driver, rules)
    n_ruled = 0 if not rules else args.customers if args.ruled is None else args.ruled
    print("[%s] app created, loading %d customers%s %d orders%s ..."
          % (args.driver, args.customers, "," if rules else " and", args.orders,
             " and %d ruled" % n_ruled if rules else ""), flush=True)
    ids, ruled_ids, stats = load_data(args.base, token, args.customers, args.orders, n_ruled,
                                      args.workers, rng)
    print("[%s] loaded %d customers in %.1fs (%.0f/s), %d orders in %.1fs (%.0f/s), %s%d load errors"
          % (args.driver, stats["customers"], stats["customers_s"],
             stats["customers"] / max(stats["customers_s"], 1e-9),
             stats["orders"], stats["orders_s"], stats["orders"] / max(stats["orders_s"], 1e-9),
             "%d ruled in %.1fs (%.0f/s), " % (stats["ruled"], stats["ruled_s"],
                                               stats["ruled"] / max(stats["ruled_s"], 1e-9))
             if rules else "", len(stats["errors"])), flush=True)
    for e in stats["errors"][:5]:
        print("  load error: %s HTTP %s %s" % (e[0], e[1], json.dumps(e[2])[:500]), flush=True)
    ids_files = {"customer": prefix + "-customer-ids.txt", "ruled": prefix + "-ruled-ids.txt",
                 "hooked": prefix + "-customer-ids.txt"}
    for entity, keys in (("customer", ids), ("ruled", ruled_ids)) if rules else (("customer", ids),):
        with open(ids_files[entity], "w") as f:
            f.write("\n".join(keys) + "\n")

    rows = []
    deliveries = {}
    c = Client(args.base)
    rule_failures = check_rules(c, token, ruled_ids) if rules else []
    for what in rule_failures:
        print("[%s] rules check failed: %s" % (args.driver, what), flush=True)
    if rules and not rule_failures:
        print("[%s] rules check: %d rules and the state machine on ruled are in force"
              % (args.driver, len(RULES)), flush=True)
    only = [t for t in os.environ.get("BENCH_ONLY", "").split(",") if t]
    ceilings = None
    if args.driver == "postgres":
        # Fresh statistics and visibility map before anything is measured: right after
        # the load autovacuum has not run yet, and the planner (server and pgbench alike)
        # guesses 36 gold customers instead of 3,333 and sorts them instead of walking
        # the (tier, score) index; which plan a run got depended on autovacuum's timing.
        psql("rocket_" + APP, "VACUUM ANALYZE")
    if args.driver == "postgres" and not args.no_pgbench:
        ceilings = {}
        keys_db = prepare_ceilings(ids)
    for name, mode, entity, desc, sequential in TESTS:
        if (only and name not in only) or (entity == "ruled" and not rules):
            continue
        if entity == "hooked" and RECEIVER is None:
            continue
        token = app_login(c)  # tokens live 15 minutes; refresh before every run
        seen = RECEIVER.count() if RECEIVER else 0
        out, rc = run_wrk(args, mode, entity, token, ids_files[entity], sequential)
        if entity == "hooked":
            deliveries[name] = drain(args, seen, parse_wrk(out))
        with open("%s-%s.txt" % (prefix, name), "w") as f:
            f.write(out)
        r = parse_wrk(out)
        if rc != 0:
            print("[%s] wrk exited with %d for %s:\n%s" % (args.driver, rc, name, out), flush=True)
        rows.append((name, r))
        extra = ""
        if r["socket_errors"]:
            extra += "  socket errors: " + r["socket_errors"]
        print("[%s] %s %-50s %8.0f req/s  p50 %6.2f  p99 %6.2f  p99.9 %6.2f  max %7.2f ms  non-2xx %s%s"
              % (args.driver, name, desc, r["rps"], r["p50"], r["p99"], r["p999"], r["max"],
                 r["non2xx"], extra), flush=True)
        for code, n in sorted(r["statuses"].items()):
            print("    HTTP %s x %d" % (code, n), flush=True)
        for b in r["bodies"]:
            print("    body: %s" % b, flush=True)
        if ceilings is not None and name in PGBENCH:
            ceilings[name] = ceiling(args, keys_db, name, len(ids))

    # sanity check: the data is still readable and the list query returns a full page
    st, p = c.request("GET", "/api/%s/customer?filter[tier]=gold&sort=-score&page=3&per_page=25" % APP,
                      token=token)
    if st == 200:
        print("[%s] L1 sanity: %d rows on page 3, total gold = %s"
              % (args.driver, len(p["data"]), p["meta"]["total"]), flush=True)
    else:
        print("[%s] L1 sanity check failed: HTTP %s %s" % (args.driver, st, p), flush=True)

    if ceilings is not None:
        psql(keys_db, "DROP TABLE bench_keys")
    label = args.driver + (" (" + args.label + ")" if args.label else "")
    table = fmt_table(label, rows, ceilings)
    print()
    print(table)
    print()
    with open(prefix + "-table.md", "w") as f:
        f.write(table + "\n")
    with open(prefix + "-summary.json", "w") as f:
        json.dump({"driver": args.driver, "label": args.label,
                   "load": {k: v for k, v in stats.items() if k != "errors"},
                   "load_errors": stats["errors"][:20],
                   "rules_check_failures": rule_failures,
                   "results": {n: r for n, r in rows}, "pgbench": ceilings,
                   "rules_overhead": rules_overhead(rows), "deliveries": deliveries}, f, indent=2)

    if not args.keep_app:
        ptoken = platform_login(c)
        st = delete_app(c, ptoken)
        print("[%s] app deleted (HTTP %s)" % (args.driver, st), flush=True)

    bad = sum(r["non2xx"] or 0 for _, r in rows) + len(stats["errors"]) + len(rule_failures)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
