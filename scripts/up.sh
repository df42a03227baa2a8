#!/usr/bin/env bash
# One command from a fresh clone to a running API with demo data:
#   bash scripts/up.sh               install, prepare, then run the API (and worker) until Ctrl-C
#   bash scripts/up.sh --setup-only  stop after seeding (for a supervisor such as PM2 to take over)
# Safe to run again: .env is kept, the install is frozen, migrations and the seed are idempotent.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

setup_only=0
case "${1:-}" in
  "") ;;
  --setup-only) setup_only=1 ;;
  -h | --help)
    sed -n '2,5p' "$0"
    exit 0
    ;;
  *) die "unknown option '$1' (try --help)" ;;
esac

check_node
ensure_env_file
# The API reads .env itself; we load it too so this script probes the same database, Redis and port.
load_env_file "$REPO_ROOT/.env"
: "${DATABASE_URL:?DATABASE_URL is not set in .env}" "${REDIS_URL:?REDIS_URL is not set in .env}"
PORT="${PORT:-3002}"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# A second copy would die on EADDRINUSE only after the whole build; say so plainly, up front.
if ((!setup_only)) && port_in_use "$PORT"; then
  die "port $PORT is already in use (another scripts/up.sh or API running?). Stop it, or set PORT in .env."
fi
if ((!setup_only)) && port_in_use "${AI_PORT:-8000}"; then
  die "port ${AI_PORT:-8000} is already in use (another scripts/up.sh or AI service running?). Stop it, or set AI_PORT in .env."
fi
if ((!setup_only)) && port_in_use "${WEB_PORT:-3000}"; then
  die "port ${WEB_PORT:-3000} is already in use (another scripts/up.sh or web app running?). Stop it, or set WEB_PORT in .env."
fi

log "installing dependencies (frozen lockfile)"
pnpm_cmd install --frozen-lockfile

ensure_postgres "$DATABASE_URL"
ensure_redis "$REDIS_URL"
db_name="$(url_part "$DATABASE_URL" db)"
[[ -n $db_name ]] || die "DATABASE_URL in .env names no database (expected e.g. postgres://root@127.0.0.1:5432/orbitdesk)"
ensure_database "$db_name" "$DATABASE_URL"

log "building"
pnpm_cmd build

log "applying migrations"
pnpm_cmd --filter @orbitdesk/api db:migrate
log "seeding demo data"
seed_out="$(pnpm_cmd --filter @orbitdesk/api db:seed)"
grep -v '^WIDGET_TOKEN=' <<<"$seed_out"
widget_token="$(sed -n 's/^WIDGET_TOKEN=//p' <<<"$seed_out" | tail -1)"
widget_demo=""
if [[ -n $widget_token ]]; then
  # A page that embeds Acme's website chat, to try the widget end to end (answer from the API as an agent).
  widget_demo="$REPO_ROOT/.tmp/widget-demo.html"
  mkdir -p "$REPO_ROOT/.tmp"
  cat >"$widget_demo" <<EOF
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Acme — widget demo</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto">
  <h1>Acme Inc.</h1>
  <p>A page of the host site. The chat bubble in the corner is OrbitDesk's live-chat widget. The Acme assistant (an
  AI agent answering from Acme's help center) replies first: ask how long refunds take, or which payments are
  accepted. Say "human" and the conversation goes to a person; replies of Acme's agents (agent@acme.test) arrive
  here live.</p>
  <script src="http://localhost:$PORT/widget.js" data-website-token="$widget_token" async></script>
</body>
</html>
EOF
fi

print_summary() {
  local base="http://localhost:$PORT"
  cat <<EOF

OrbitDesk is running.
  Web app      http://localhost:${WEB_PORT:-3000}
  API          $base/api/v1   (health: $base/api/v1/health)
  Widget       $base/widget.js
  AI service   http://localhost:${AI_PORT:-8000}/health   (provider: Settings → AI; 'local' works offline)
EOF
  if [[ -n $widget_demo ]]; then
    echo "  Widget demo  file://$widget_demo   (open it in a browser and start a chat)"
  fi
  if [[ ${API_DOCS:-true} =~ ^(true|1)$ ]]; then
    cat <<EOF
  Swagger UI   $base/api/docs
  OpenAPI JSON $base/api/docs-json
EOF
  fi
  echo
  echo "Logins:"
  if [[ -n ${SUPERADMIN_EMAIL:-} ]]; then
    # Created only when none exists, so a password edited in .env afterwards is not the live one.
    echo "  superadmin   $SUPERADMIN_EMAIL / ${SUPERADMIN_PASSWORD:-} (from .env, as of the first run)"
  else
    echo "  superadmin   none: set SUPERADMIN_EMAIL and SUPERADMIN_PASSWORD in .env and run this again"
  fi
  # Created by the seed (apps/api/src/db/seed.ts), whose own output above lists every demo account.
  cat <<EOF
  Acme Support admin@acme.test / OrbitDesk!demo1
               manager@acme.test / OrbitDesk!demo1
               agent@acme.test / OrbitDesk!demo1

Ctrl-C stops everything.
EOF
}

if ((setup_only)); then
  log "setup done; start the API with: pnpm --filter @orbitdesk/api start"
  exit 0
fi

# Runs an apps/api package script the way pnpm would (its folder as cwd, node_modules/.bin on PATH) but
# without pnpm in between, so Ctrl-C reaches node directly and pnpm does not report the stop as a failure.
# Each child gets its own session (setsid), so stopping it stops everything it started.
pids=()
start_child() {
  # The package folder: `api` means apps/api; a path with a slash (services/ai) is taken as it is.
  local name="$1" script="$2" app="${3:-api}" cmd
  [[ $app == */* ]] || app="apps/$app"
  cmd="$(node -p "require('./$app/package.json').scripts['$script'] ?? ''")"
  [[ -n $cmd ]] || die "$app/package.json has no '$script' script"
  log "starting $name: $cmd"
  local dir="$REPO_ROOT/$app"
  local path="$dir/node_modules/.bin:$REPO_ROOT/node_modules/.bin:$PATH"
  if command -v setsid >/dev/null; then
    (cd "$dir" && PATH="$path" exec setsid sh -c "exec $cmd") &
  else
    (cd "$dir" && PATH="$path" exec sh -c "exec $cmd") &
  fi
  pids+=("$!")
}

stopping=0
# shellcheck disable=SC2317 # called from the EXIT trap
stop_children() {
  ((stopping)) && return
  stopping=1
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  done
  # Give graceful shutdown (closing sockets, finishing jobs) a moment before insisting.
  for _ in {1..10}; do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || return 0
    sleep 1
  done
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
}
trap stop_children EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

start_child api start
api_pid="${pids[0]}"
# The AI service (completions, RAG, agents, message understanding); offline `local` provider unless configured.
AI_PORT="${AI_PORT:-8000}" start_child ai start services/ai
# Outbound sends, snooze wake-ups, webhooks out, flows, IMAP polling and linked WhatsApp devices run in the worker.
start_child worker start:worker
# The web app on WEB_PORT, passing /api and /socket.io to the API: one origin for the browser.
WEB_PORT="${WEB_PORT:-3000}" API_URL="${API_URL:-http://127.0.0.1:$PORT}" start_child web start web

# Node's fetch rather than curl: node is the one tool this script can count on.
http_ok() {
  node -e 'fetch(process.argv[1], { signal: AbortSignal.timeout(2000) }).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "$1"
}
health_url="http://127.0.0.1:$PORT/api/v1/health"
log "waiting for $health_url"
for ((i = 0; i < 60; i++)); do
  kill -0 "$api_pid" 2>/dev/null || die "the API exited during startup (its output is above)"
  if http_ok "$health_url"; then
    # Through the public API, so it needs the running API: a knowledge base and a chat agent for Acme, and a
    # published flow on its api inbox.
    node scripts/demo-ai.mjs "http://127.0.0.1:$PORT" || log "the AI demo data could not be added (see above)"
    node scripts/demo-flows.mjs "http://127.0.0.1:$PORT" || log "the flow demo could not be added (see above)"
    print_summary
    break
  fi
  sleep 1
done
((i < 60)) || die "the API did not answer $health_url within 60s"

# Run until Ctrl-C, or until any child exits: a half-running stack is worse than a stopped one.
set +e
wait -n "${pids[@]}"
status=$?
set -e
log "a process exited (status $status); stopping the rest"
exit "$status"
