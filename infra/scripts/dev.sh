#!/usr/bin/env bash
# The whole product in the foreground: Temporal + UI, FerretDB, the API and the worker.
# Ctrl-C stops everything this script started (services that were already running are left alone).
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

bash "$ROOT/infra/scripts/setup.sh"
export_env
export WFW_ALLOW_PRIVATE_NETWORKS="${WFW_ALLOW_PRIVATE_NETWORKS:-1}"
export PORT="${PORT:-8080}"

started=()
children=()
cleanup() {
  trap - INT TERM EXIT
  log "shutting down..."
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
  for name in "${started[@]}"; do stop_pidfile "$name"; done
  log "stopped"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if start_ferretdb; then started+=(ferretdb); fi
if start_temporal; then started+=(temporal); fi
wait_port ferretdb "$FERRETDB_PORT" 60
log "FerretDB backend: $(ferretdb_backend)"
wait_temporal_ready

node dist/worker/worker.js &
children+=($!)
node dist/api/server.js &
children+=($!)

for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1; then break; fi
  sleep 0.5
done
log "Workforce Wave is up:"
log "  API          http://localhost:$PORT   (OpenAPI: /v2/openapi.json, readiness: /readyz)"
log "  Temporal UI  http://localhost:$TEMPORAL_UI_PORT"
log "  MongoDB wire $MONGODB_URI"
log "  first credentials: npm run --silent wfw -- account create --name \"My Company\" --json"
log "Ctrl-C stops everything."

# When any process exits, bring the rest down too: a half-running product is worse than none.
wait -n "${children[@]}" || true
log "a process exited; stopping the others"
