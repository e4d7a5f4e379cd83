#!/usr/bin/env bash
# Stops the Temporal and FerretDB processes that infra:up started (their state stays in .data/).
source "$(dirname "$0")/lib.sh"
stop_pidfile temporal
stop_pidfile ferretdb
log "infra down"
