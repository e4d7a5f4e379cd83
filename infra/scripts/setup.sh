#!/usr/bin/env bash
# Installs everything the project needs on a fresh machine: npm packages, the TypeScript build,
# the Temporal CLI and the FerretDB launcher. Idempotent: each step is skipped when already done.
source "$(dirname "$0")/lib.sh"
cd "$ROOT"

node_major="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$node_major" -ge 20 ]] || die "Node.js 20 or newer is required (found $(node --version))"

if [[ ! -d node_modules || package-lock.json -nt node_modules/.package-lock.json ]]; then
  log "installing npm packages (npm ci)..."
  npm ci --no-audit --no-fund
else
  log "npm packages up to date"
fi

build_typescript

ensure_ferretdb
ensure_temporal_cli
log "setup complete"
