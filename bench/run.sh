#!/usr/bin/env bash
# Rocket load benchmark: bash bench/run.sh [sqlite|postgres|both]   (default: both)
#
# Builds the release binary, and for every dialect starts it in a temporary working
# directory, creates the app "bench", loads 10,000 customers + 50,000 orders + 10,000
# "ruled" (customers with 5 rules and a state machine) through the API and runs wrk
# (32 connections, 2 threads, 10 s) for L1 L2 L3 W1 W1R W2 W2R (and S1 S2, one connection).
# Raw outputs go to bench/results/<timestamp>/. Only loopback traffic.
#
# Tunables (environment): BENCH_PORT (18731), APP_POOL_SIZE (16), BENCH_DURATION (10s),
# BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_CUSTOMERS (10000), BENCH_ORDERS (50000),
# BENCH_RULED (BENCH_CUSTOMERS), BENCH_LOAD_WORKERS (16), BENCH_PG_MGMT_DB (rocket_bench_mgmt),
# BENCH_SKIP_BUILD=1, BENCH_ONLY=W1,W1R (only the named tests), BENCH_NO_RULES=1 (no
# "ruled", no W1R/W2R: for a binary without rules).
set -euo pipefail

MODE="${1:-both}"
case "$MODE" in
  sqlite) DIALECTS=(sqlite) ;;
  postgres) DIALECTS=(postgres) ;;
  both) DIALECTS=(postgres sqlite) ;;
  *) echo "usage: $0 [sqlite|postgres|both]" >&2; exit 2 ;;
esac

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/.." && pwd)"
PORT="${BENCH_PORT:-18731}"
POOL="${APP_POOL_SIZE:-16}"
# The management database must not be called rocket_bench: that is the database of the app "bench".
PG_MGMT_DB="${BENCH_PG_MGMT_DB:-rocket_bench_mgmt}"
STAMP="$(date +%Y%m%d-%H%M%S)"
RESULTS="$BENCH_DIR/results/$STAMP"
BIN="$ROOT/target/release/rocket"
PY="${PYTHON:-python3}"

mkdir -p "$RESULTS"

# --- load tool -------------------------------------------------------------------
if ! command -v wrk >/dev/null 2>&1; then
  echo "wrk not found, installing the Debian package ..."
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq wrk
fi

# --- server binary ------------------------------------------------------------------
if [ "${BENCH_SKIP_BUILD:-0}" != "1" ]; then
  echo "building the release binary ..."
  (cd "$ROOT" && cargo build --release -p rocket)
fi
[ -x "$BIN" ] || { echo "missing $BIN" >&2; exit 1; }

SERVER_PID=""
WORKDIR=""

stop_server() {
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$SERVER_PID" 2>/dev/null || break
      sleep 0.1
    done
    kill -9 "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  SERVER_PID=""
  if [ -n "$WORKDIR" ] && [ -d "$WORKDIR" ]; then
    rm -rf "$WORKDIR"
  fi
  WORKDIR=""
}
trap stop_server EXIT INT TERM

drop_pg_mgmt_db() {
  if command -v psql >/dev/null 2>&1; then
    psql -h 127.0.0.1 -U postgres -d postgres -qAt \
      -c "DROP DATABASE IF EXISTS \"$PG_MGMT_DB\"" >/dev/null 2>&1 || true
  fi
}

if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then
  echo "port $PORT is already in use; set BENCH_PORT" >&2
  exit 1
fi

status=0
for dialect in "${DIALECTS[@]}"; do
  WORKDIR="$(mktemp -d /tmp/rocket-bench.XXXXXX)"
  mkdir -p "$WORKDIR/data"
  echo
  echo "=== $dialect: starting $BIN on 127.0.0.1:$PORT (APP_POOL_SIZE=$POOL, workdir $WORKDIR)"
  env_common=(
    ROCKET_SERVER_HOST=127.0.0.1
    ROCKET_SERVER_PORT="$PORT"
    ROCKET_DATABASE_DATA_DIR="$WORKDIR/data"
    APP_POOL_SIZE="$POOL"
    ROCKET_LOG="${ROCKET_LOG:-warn}"
  )
  if [ "$dialect" = postgres ]; then
    # (no drop here: an aborted run's app "bench" is deleted through the API by load.py)
    env_db=(
      ROCKET_DATABASE_DRIVER=postgres
      ROCKET_DATABASE_HOST=127.0.0.1
      ROCKET_DATABASE_USER=postgres
      ROCKET_DATABASE_PASSWORD=
      ROCKET_DATABASE_NAME="$PG_MGMT_DB"
    )
  else
    env_db=(ROCKET_DATABASE_DRIVER=sqlite ROCKET_DATABASE_NAME=rocket)
  fi
  # run a private copy, so a concurrent cargo build cannot swap the binary mid-run
  cp "$BIN" "$WORKDIR/rocket"
  (cd "$WORKDIR" && exec env "${env_common[@]}" "${env_db[@]}" ./rocket) \
    >"$RESULTS/$dialect-server.log" 2>&1 &
  SERVER_PID=$!

  if ! "$PY" "$BENCH_DIR/load.py" \
      --base "http://127.0.0.1:$PORT" \
      --driver "$dialect" \
      --results "$RESULTS" \
      --lua "$BENCH_DIR/bench.lua" \
      --label "APP_POOL_SIZE=$POOL" \
      --customers "${BENCH_CUSTOMERS:-10000}" \
      --orders "${BENCH_ORDERS:-50000}" \
      --ruled "${BENCH_RULED:-${BENCH_CUSTOMERS:-10000}}" \
      --workers "${BENCH_LOAD_WORKERS:-16}" \
      --connections "${BENCH_CONNECTIONS:-32}" \
      --threads "${BENCH_THREADS:-2}" \
      --duration "${BENCH_DURATION:-10s}"; then
    status=1
    echo "!!! $dialect: errors or non-2xx responses (see $RESULTS)"
  fi

  if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    echo "!!! $dialect: the server died; log follows" >&2
    tail -n 50 "$RESULTS/$dialect-server.log" >&2 || true
    status=1
  fi
  stop_server
  [ "$dialect" = postgres ] && drop_pg_mgmt_db
  if grep -qiE "error|panic" "$RESULTS/$dialect-server.log"; then
    echo "--- $dialect: server log lines with error/panic:"
    grep -iE "error|panic" "$RESULTS/$dialect-server.log" | head -n 20
  fi
done

echo
echo "=== results ($RESULTS)"
for dialect in "${DIALECTS[@]}"; do
  [ -f "$RESULTS/$dialect-table.md" ] && { cat "$RESULTS/$dialect-table.md"; echo; }
done
exit $status
