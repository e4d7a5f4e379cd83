#!/usr/bin/env bash
# Starts Temporal and FerretDB in the background and waits until both answer. Idempotent.
source "$(dirname "$0")/lib.sh"
ensure_ferretdb
ensure_temporal_cli
start_ferretdb || true
start_temporal || true
wait_port ferretdb "$FERRETDB_PORT" 60
wait_temporal_ready
log "infra up: MongoDB wire on 127.0.0.1:$FERRETDB_PORT (FerretDB backend: $(ferretdb_backend)), Temporal on 127.0.0.1:$TEMPORAL_PORT, UI http://localhost:$TEMPORAL_UI_PORT"
