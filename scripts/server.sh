# Shared by scripts/conformance.sh and scripts/openapi.sh (sourced, not run):
# start the debug binary on one dialect with a management database of its own, and
# drop that database and every app database it lists afterwards.

# start_server DRIVER PORT DIR MGMT [ENV=VALUE…]: starts the server in DIR (log in
# DIR/server.log), sets SERVER_PID and waits until /health answers.
start_server() {
  local driver=$1 port=$2 dir=$3 mgmt=$4
  shift 4
  (
    cd "$dir"
    exec env "$@" ROCKET_DATABASE_DRIVER="$driver" ROCKET_DATABASE_HOST=127.0.0.1 \
      ROCKET_DATABASE_USER=postgres ROCKET_DATABASE_PASSWORD= ROCKET_DATABASE_NAME="$mgmt" \
      ROCKET_SERVER_PORT="$port" ROCKET_SERVER_HOST=127.0.0.1 "$BIN" >"$dir/server.log" 2>&1
  ) &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break; sleep 0.2; done
}

# stop_server DRIVER DIR MGMT RC: stops it, shows the log's tail when RC is not 0,
# removes DIR and, on Postgres, the databases of the run.
stop_server() {
  local driver=$1 dir=$2 mgmt=$3 rc=$4
  kill "$SERVER_PID" 2>/dev/null || true
  wait "$SERVER_PID" 2>/dev/null || true
  if [ "$rc" != 0 ]; then tail -n 40 "$dir/server.log"; fi
  rm -rf "$dir"
  if [ "$driver" = postgres ] && command -v psql >/dev/null; then
    local q="psql -h 127.0.0.1 -U postgres -qAt"
    for db in $($q -d "$mgmt" -c "SELECT db_name FROM _apps" 2>/dev/null) "$mgmt"; do
      $q -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
    done
  fi
}
