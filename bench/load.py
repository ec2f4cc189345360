#!/usr/bin/env python3
"""Rocket load benchmark driver (used by bench/run.sh; expects a running server).

Creates the app `bench` with the entities `customer` and `order`, loads the data set
through the REST API, runs wrk for the five tests and prints a result table.
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

RELATION = {
    "name": "orders",
    "type": "one_to_many",
    "source": "customer",
    "target": "order",
    "source_key": "id",
    "target_key": "customer_id",
    "on_delete": "cascade",
}

# name, wrk mode, description, sequential (one connection, one thread)
TESTS = [
    ("L1", "list", "list filter[tier]=gold&sort=-score&page=3&per_page=25", False),
    ("L2", "get", "get by random id", False),
    ("L3", "include", "get by random id with include=orders", False),
    ("W1", "create", "create customer", False),
    ("W2", "update", "update score of a random customer", False),
    ("S1", "create", "create customer, one sequential client", True),
    ("S2", "update", "update score, one sequential client", True),
]

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


def setup_app(base, driver):
    c = Client(base)
    ptoken = platform_login(c)
    delete_app(c, ptoken)  # leftovers of an aborted run
    st, p = c.request("POST", "/api/_platform/apps", {"name": APP, "db_driver": driver}, token=ptoken)
    expect(st, p, (201,), "create app")
    token = app_login(c)
    for ent in (CUSTOMER, ORDER):
        st, p = c.request("POST", "/api/%s/_admin/entities" % APP, ent, token=token)
        expect(st, p, (200, 201), "create entity " + ent["name"])
    st, p = c.request("POST", "/api/%s/_admin/relations" % APP, RELATION, token=token)
    expect(st, p, (200, 201), "create relation")
    return ptoken, token


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


def load_data(base, token, n_customers, n_orders, workers, rng):
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
    stats = {
        "customers": len(good),
        "customers_s": t1 - t0,
        "orders": sum(1 for i in oids if i),
        "orders_s": t2 - t1,
        "errors": errors,
    }
    return good, stats


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


def run_wrk(args, mode, token, ids_file, sequential=False):
    env = dict(os.environ)
    env.update({
        "BENCH_TOKEN": token,
        "BENCH_APP": APP,
        "BENCH_IDS": ids_file,
        "BENCH_NONCE": "%d%04d" % (int(time.time()), random.randrange(10000)),
    })
    threads, conns = (1, 1) if sequential else (args.threads, args.connections)
    cmd = [args.wrk, "-t", str(threads), "-c", str(conns), "-d", args.duration,
           "--timeout", "5s", "--latency", "-s", args.lua, args.base, "--", mode]
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

    wait_health(args.base, 60)
    ptoken, token = setup_app(args.base, args.driver)
    print("[%s] app created, loading %d customers and %d orders ..."
          % (args.driver, args.customers, args.orders), flush=True)
    ids, stats = load_data(args.base, token, args.customers, args.orders, args.workers, rng)
    print("[%s] loaded %d customers in %.1fs (%.0f/s), %d orders in %.1fs (%.0f/s), %d load errors"
          % (args.driver, stats["customers"], stats["customers_s"],
             stats["customers"] / max(stats["customers_s"], 1e-9),
             stats["orders"], stats["orders_s"], stats["orders"] / max(stats["orders_s"], 1e-9),
             len(stats["errors"])), flush=True)
    for e in stats["errors"][:5]:
        print("  load error: %s HTTP %s %s" % (e[0], e[1], json.dumps(e[2])[:500]), flush=True)
    ids_file = prefix + "-customer-ids.txt"
    with open(ids_file, "w") as f:
        f.write("\n".join(ids) + "\n")

    rows = []
    c = Client(args.base)
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
    for name, mode, desc, sequential in TESTS:
        if only and name not in only:
            continue
        token = app_login(c)  # tokens live 15 minutes; refresh before every run
        out, rc = run_wrk(args, mode, token, ids_file, sequential)
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
                   "results": {n: r for n, r in rows}, "pgbench": ceilings}, f, indent=2)

    if not args.keep_app:
        ptoken = platform_login(c)
        st = delete_app(c, ptoken)
        print("[%s] app deleted (HTTP %s)" % (args.driver, st), flush=True)

    bad = sum(r["non2xx"] or 0 for _, r in rows) + len(stats["errors"])
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
