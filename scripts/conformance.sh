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
. scripts/server.sh
args=()
for c in $CASES; do args+=(-k "$c"); done

run_one() {
  local driver=$1 port=$2 dir mgmt rc=0
  dir=$(mktemp -d)
  # A management database of this run's own, dropped afterwards with its apps.
  mgmt="rocket_conf_$$_$port"
  start_server "$driver" "$port" "$dir" "$mgmt"
  echo "== random hostile requests on $driver (no 5xx allowed)"
  python3 scripts/fuzz.py "http://127.0.0.1:$port" "$driver" || rc=$?
  echo "== contract suite on $driver"
  python3 "$SUITE" --base "http://127.0.0.1:$port" "${args[@]}" || rc=$?
  stop_server "$driver" "$dir" "$mgmt" "$rc"
  return "$rc"
}

run_one sqlite 18931
run_one postgres 18932
