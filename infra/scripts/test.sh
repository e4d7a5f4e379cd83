#!/usr/bin/env bash
# The whole suite against real services: starts Temporal and FerretDB when they are not running
# (and stops them afterwards if it started them), type-checks, then runs jest on the default store.
# A full run (no arguments) then runs a smoke subset again on FerretDB's embedded SQLite fallback,
# on a FerretDB of its own, so the store that runs where no PostgreSQL answers keeps working.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

if [[ ! -d node_modules || ! -x "$TOOLS_DIR/wfw-ferretdb" || -z "$(temporal_bin)" || ! -f dist/api/server.js ]]; then
  bash "$ROOT/infra/scripts/setup.sh"
else
  build_typescript
fi

started=()
cleanup() { for name in "${started[@]}"; do stop_pidfile "$name"; done; }
trap cleanup EXIT
ensure_ferretdb
if start_ferretdb; then started+=(ferretdb); fi
if start_temporal; then started+=(temporal); fi
wait_port ferretdb "$FERRETDB_PORT" 60
log "FerretDB backend for the suite: $(ferretdb_backend)"
wait_temporal_ready
export_env
export WFW_TEST_MONGODB_BASE="mongodb://127.0.0.1:$FERRETDB_PORT"

npx jest "$@"
[[ $# -eq 0 && "${WFW_TEST_SKIP_SQLITE_SMOKE:-0}" != 1 ]] || exit 0

# The SQLite smoke subset: provisioning end to end, idempotency, the event log and webhooks.
SMOKE_PORT="${WFW_SQLITE_SMOKE_PORT:-27018}"
port_open "$SMOKE_PORT" && die "port $SMOKE_PORT (WFW_SQLITE_SMOKE_PORT) is taken; the SQLite smoke run needs it free"
smoke_dir="$DATA_DIR/sqlite-smoke"
rm -rf "$smoke_dir" && mkdir -p "$smoke_dir"
log "SQLite smoke subset on a FerretDB of its own (:$SMOKE_PORT, $smoke_dir)"
setsid "$TOOLS_DIR/wfw-ferretdb" --listen-addr "127.0.0.1:$SMOKE_PORT" --handler sqlite --sqlite-dir "$smoke_dir" \
  >>"$LOG_DIR/ferretdb-sqlite-smoke.log" 2>&1 < /dev/null &
echo $! >"$RUN_DIR/ferretdb-sqlite-smoke.pid"
started+=(ferretdb-sqlite-smoke)
wait_port ferretdb-sqlite-smoke "$SMOKE_PORT" 60
WFW_TEST_MONGODB_BASE="mongodb://127.0.0.1:$SMOKE_PORT" MONGODB_URI="mongodb://127.0.0.1:$SMOKE_PORT/workforcewave" \
  WFW_TEST_STORE=sqlite npx jest test/provisioning/provision-agent.test.ts test/api/idempotency.test.ts test/events/event-list.test.ts test/webhooks/webhook-delivery.test.ts test/calls/test-calls.test.ts
