#!/usr/bin/env bash
# The whole suite against real services: starts Temporal and FerretDB when they are not running
# (and stops them afterwards if it started them), type-checks, then runs jest.
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
wait_temporal_ready
export_env
export WFW_TEST_MONGODB_BASE="mongodb://127.0.0.1:$FERRETDB_PORT"

npx jest "$@"
