#!/usr/bin/env bash
# Runs the public contract suite (../shared/conformance) against a freshly started
# debug binary, on SQLite and on Postgres, after a burst of random hostile requests
# (scripts/fuzz.py). CASES selects the groups that are built.
set -euo pipefail
cd "$(dirname "$0")/.."
SUITE="${SUITE:-../shared/conformance/run.py}"
CASES="${CASES:-auth/ middleware/ unique/ permission users/ field_rule computed rules_crud state_machine workflow decisions/unknown_filter decisions/nested_writes decisions/timestamps decisions/permission_in decisions/state_machine_roles decisions/sync_webhook}"
cargo build --quiet -p rocket
BIN="${CARGO_TARGET_DIR:-$PWD/target}/debug/rocket"
args=()
for c in $CASES; do args+=(-k "$c"); done

run_one() {
  local driver=$1 port=$2 dir mgmt
  dir=$(mktemp -d)
  # A management database of this run's own, dropped afterwards with its apps.
  mgmt="rocket_conf_$$_$port"
  (
    cd "$dir"
    ROCKET_DATABASE_DRIVER=$driver ROCKET_DATABASE_HOST=127.0.0.1 ROCKET_DATABASE_USER=postgres \
      ROCKET_DATABASE_PASSWORD= ROCKET_DATABASE_NAME="$mgmt" ROCKET_SERVER_PORT=$port \
      ROCKET_SERVER_HOST=127.0.0.1 exec "$BIN" >"$dir/server.log" 2>&1
  ) &
  local pid=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.2; done
  local rc=0
  echo "== random hostile requests on $driver (no 5xx allowed)"
  python3 scripts/fuzz.py "http://127.0.0.1:$port" "$driver" || rc=$?
  echo "== contract suite on $driver"
  python3 "$SUITE" --base "http://127.0.0.1:$port" "${args[@]}" || rc=$?
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  if [ "$rc" != 0 ]; then tail -n 40 "$dir/server.log"; fi
  rm -rf "$dir"
  if [ "$driver" = postgres ] && command -v psql >/dev/null; then
    local q="psql -h 127.0.0.1 -U postgres -qAt"
    for db in $($q -d "$mgmt" -c "SELECT db_name FROM _apps" 2>/dev/null) "$mgmt"; do
      $q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
  return "$rc"
}

run_one sqlite 18931
run_one postgres 18932
