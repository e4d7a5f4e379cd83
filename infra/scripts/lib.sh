# Shared settings and helpers for the infra scripts. Sourced, not run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
TOOLS_DIR="${WFW_TOOLS_DIR:-$ROOT/.tools/bin}"
DATA_DIR="${WFW_DATA_DIR:-$ROOT/.data}"
RUN_DIR="$DATA_DIR/run"
LOG_DIR="$DATA_DIR/logs"

TEMPORAL_CLI_VERSION="v1.5.1"
TEMPORAL_PORT="${WFW_TEMPORAL_PORT:-7233}"
TEMPORAL_UI_PORT="${WFW_TEMPORAL_UI_PORT:-8233}"
FERRETDB_PORT="${WFW_FERRETDB_PORT:-27017}"
# auto (default): FerretDB on PostgreSQL when FERRETDB_POSTGRESQL_URL answers (the database is
# created if missing), else the embedded SQLite fallback. postgresql or sqlite force one.
FERRETDB_HANDLER="${FERRETDB_HANDLER:-auto}"
FERRETDB_POSTGRESQL_URL="${FERRETDB_POSTGRESQL_URL:-postgres://postgres@127.0.0.1:5432/ferretdb}"

export PATH="$TOOLS_DIR:$PATH"

# The custom search attributes (all Keyword) every workflow we start sets where they apply; the
# Temporal UI and `temporal workflow list --query` find operations by them (README: Operator runbook).
# Keep in step with core/temporal/search-attributes.ts and the compose init service.
WFW_SEARCH_ATTRIBUTES=(WfwAccountId WfwAgentId WfwOperationType WfwPlatform WfwBatchId WfwCallId WfwStatus)

log() { printf '\033[1;34m[wfw]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[wfw] error:\033[0m %s\n' "$*" >&2; exit 1; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_port() { # name port seconds
  local name="$1" port="$2" secs="$3" i
  for ((i = 0; i < secs * 4; i++)); do
    if port_open "$port"; then return 0; fi
    sleep 0.25
  done
  die "$name did not open port $port within ${secs}s (log: $LOG_DIR/$name.log)"
}

temporal_bin() {
  if [[ -x "$TOOLS_DIR/temporal" ]]; then echo "$TOOLS_DIR/temporal"; return; fi
  command -v temporal || true
}

require_go() {
  command -v go >/dev/null 2>&1 || die "Go is needed to build the Temporal CLI and FerretDB (Go >= 1.24). Install it, then re-run."
}

ensure_temporal_cli() {
  if [[ -n "$(temporal_bin)" ]]; then return; fi
  require_go
  mkdir -p "$TOOLS_DIR"
  log "building the Temporal CLI $TEMPORAL_CLI_VERSION (first time only; several minutes)..."
  # -v prints each package as it compiles: that is the progress bar.
  (cd /tmp && GOBIN="$TOOLS_DIR" GOFLAGS=-buildvcs=false go install -v "github.com/temporalio/cli/cmd/temporal@$TEMPORAL_CLI_VERSION" 2>&1 |
    awk '{ n++; if (n % 50 == 0) { printf "[wfw]   ... %d packages compiled (%s)\n", n, $0; fflush() } }') ||
    die "building the Temporal CLI failed"
  [[ -x "$TOOLS_DIR/temporal" ]] || die "go install finished but $TOOLS_DIR/temporal is missing"
  log "Temporal CLI ready: $TOOLS_DIR/temporal"
}

ensure_ferretdb() {
  local bin="$TOOLS_DIR/wfw-ferretdb" src="$ROOT/infra/ferretdb"
  if [[ -x "$bin" && -z "$(find "$src" -newer "$bin" -type f 2>/dev/null)" ]]; then return; fi
  require_go
  mkdir -p "$TOOLS_DIR"
  log "building the embedded FerretDB 1.24.2 launcher (infra/ferretdb)..."
  (cd "$src" && GOFLAGS=-buildvcs=false go build -o "$bin" .) || die "building FerretDB failed"
  log "FerretDB launcher ready: $bin"
}

start_temporal() { # foreground|background
  mkdir -p "$DATA_DIR" "$RUN_DIR" "$LOG_DIR"
  if port_open "$TEMPORAL_PORT"; then log "Temporal already answers on :$TEMPORAL_PORT"; return 1; fi
  log "starting Temporal dev server on :$TEMPORAL_PORT (UI http://localhost:$TEMPORAL_UI_PORT, state $DATA_DIR/temporal.db)"
  local sa=() name
  for name in "${WFW_SEARCH_ATTRIBUTES[@]}"; do sa+=(--search-attribute "$name=Keyword"); done
  setsid "$(temporal_bin)" server start-dev \
    --ip 127.0.0.1 --port "$TEMPORAL_PORT" --ui-port "$TEMPORAL_UI_PORT" \
    --db-filename "$DATA_DIR/temporal.db" --log-level warn \
    --sqlite-pragma journal_mode=wal --sqlite-pragma synchronous=normal \
    --dynamic-config-value system.enableActivityEagerExecution=true \
    --dynamic-config-value matching.numTaskqueueReadPartitions=1 \
    --dynamic-config-value matching.numTaskqueueWritePartitions=1 \
    "${sa[@]}" \
    >>"$LOG_DIR/temporal.log" 2>&1 < /dev/null &
  echo $! >"$RUN_DIR/temporal.pid"
  return 0
}

start_ferretdb() {
  mkdir -p "$DATA_DIR" "$RUN_DIR" "$LOG_DIR"
  if port_open "$FERRETDB_PORT"; then log "a MongoDB-wire server already answers on :$FERRETDB_PORT"; return 1; fi
  log "starting FerretDB (backend: $FERRETDB_HANDLER) on :$FERRETDB_PORT"
  rm -f "$RUN_DIR/ferretdb.backend"
  setsid "$TOOLS_DIR/wfw-ferretdb" \
    --listen-addr "127.0.0.1:$FERRETDB_PORT" --handler "$FERRETDB_HANDLER" --sqlite-dir "$DATA_DIR/ferretdb" \
    --postgresql-url "$FERRETDB_POSTGRESQL_URL" --backend-file "$RUN_DIR/ferretdb.backend" \
    >>"$LOG_DIR/ferretdb.log" 2>&1 < /dev/null &
  echo $! >"$RUN_DIR/ferretdb.pid"
  return 0
}

# Which backend the FerretDB we started chose (auto decides at start); "unknown" for one we did not start.
ferretdb_backend() { cat "$RUN_DIR/ferretdb.backend" 2>/dev/null || echo unknown; }

wait_temporal_ready() {
  wait_port temporal "$TEMPORAL_PORT" 120
  local i
  for ((i = 0; i < 240; i++)); do
    # Ready means ready for our workflows: their starts set our search attributes.
    if "$(temporal_bin)" operator namespace describe --address "127.0.0.1:$TEMPORAL_PORT" -n default >/dev/null 2>&1; then ensure_search_attributes; return 0; fi
    sleep 0.5
  done
  die "Temporal answers on :$TEMPORAL_PORT but the default namespace is not ready (log: $LOG_DIR/temporal.log)"
}

# Registers any of our search attributes the server lacks: a dev server started before they existed
# (or by someone else) gets them here. Additive and idempotent. One name per call: the v1.5.1 dev
# server added only the first of several --name flags given at once.
ensure_search_attributes() {
  local existing name out
  existing="$("$(temporal_bin)" operator search-attribute list --address "127.0.0.1:$TEMPORAL_PORT" 2>/dev/null || true)"
  for name in "${WFW_SEARCH_ATTRIBUTES[@]}"; do
    if grep -qw "$name" <<<"$existing"; then continue; fi
    if ! out="$("$(temporal_bin)" operator search-attribute create --address "127.0.0.1:$TEMPORAL_PORT" --name "$name" --type Keyword 2>&1)"; then
      grep -qi 'already exists' <<<"$out" || die "registering search attribute $name failed: $out"
    fi
    log "registered search attribute $name (Keyword)"
  done
}

stop_pidfile() { # name
  local f="$RUN_DIR/$1.pid" pid
  [[ -f "$f" ]] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $1 (pid $pid)"
    kill -TERM "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -KILL "-$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# Compiles to dist/ unless it is already up to date with every source (setup and test both ask).
build_typescript() {
  local stamp="$ROOT/dist/.build-stamp" newer
  if [[ -f "$stamp" ]]; then
    newer="$(cd "$ROOT" && find api core workflows activities worker cli test bench -name '*.ts' -newer "$stamp" 2>/dev/null | head -1)"
    if [[ -z "$newer" && ! "$ROOT/tsconfig.json" -nt "$stamp" && ! "$ROOT/package-lock.json" -nt "$stamp" ]]; then
      log "TypeScript build up to date"
      return
    fi
  fi
  log "compiling TypeScript (dist/)..."
  (cd "$ROOT" && npx tsc -p tsconfig.json)
  touch "$stamp"
}

export_env() {
  export MONGODB_URI="${MONGODB_URI:-mongodb://127.0.0.1:$FERRETDB_PORT/workforcewave}"
  export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:$TEMPORAL_PORT}"
}
