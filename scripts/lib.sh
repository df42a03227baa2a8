#!/usr/bin/env bash
# Shared helpers for the scripts in this folder. Source it, don't run it:
#   source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# Every helper prints to stderr, so callers can still capture a function's stdout.

# Resolved from this file, so the scripts work from any working directory.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT

# These machines reach only package registries: telemetry and update checks would only add noise and waits.
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1 npm_config_update_notifier=false

# Polling budget for a service we just started, in seconds.
SERVICE_WAIT_SECONDS="${SERVICE_WAIT_SECONDS:-30}"

# Colour only on a terminal: CI logs would show the escape codes as text.
if [[ -t 2 && -z ${NO_COLOR:-} ]]; then
  _c_info=$'\033[1;34m' _c_warn=$'\033[1;33m' _c_err=$'\033[1;31m' _c_off=$'\033[0m'
else
  _c_info='' _c_warn='' _c_err='' _c_off=''
fi
log() { printf '%s[orbitdesk]%s %s\n' "$_c_info" "$_c_off" "$*" >&2; }
warn() { printf '%s[orbitdesk] warning:%s %s\n' "$_c_warn" "$_c_off" "$*" >&2; }
die() {
  printf '%s[orbitdesk] error:%s %s\n' "$_c_err" "$_c_off" "$*" >&2
  exit 1
}

# npx resolves pnpm once per call (~1 s and a screen of npm warnings about pnpm-only keys in .npmrc), so we
# resolve the binary once and call it directly. Its folder also goes on PATH, because turbo and package
# scripts spawn `pnpm` by name. corepack is not used: its signature check fails on these machines.
PNPM_SPEC="${PNPM_SPEC:-pnpm@10}"
PNPM_BIN="${PNPM_BIN:-}"
resolve_pnpm() {
  local found dir
  if [[ -z $PNPM_BIN ]]; then
    if found="$(command -v pnpm 2>/dev/null)" && [[ "$("$found" --version 2>/dev/null)" == 10.* ]]; then
      PNPM_BIN="$found"
    else
      # From / so npm does not read the project's .npmrc and warn about every pnpm-only key in it.
      found="$(cd / && npm_config_loglevel=error npx -y -p "$PNPM_SPEC" -c 'command -v pnpm')" ||
        die "could not fetch $PNPM_SPEC with npx (is the npm registry reachable?)"
      [[ -x $found ]] || die "npx did not provide a pnpm binary (got '$found')"
      PNPM_BIN="$found"
    fi
  fi
  dir="$(dirname "$PNPM_BIN")"
  [[ :$PATH: == *":$dir:"* ]] || PATH="$dir:$PATH"
  export PNPM_BIN PATH
}
pnpm_cmd() {
  resolve_pnpm
  "$PNPM_BIN" "$@"
}

# Prints one part of a URL (host, port, user, db, password) using Node's WHATWG parser, because
# passwords may hold characters that sed-based parsing gets wrong.
url_part() {
  node -e '
    const [raw, part] = process.argv.slice(1);
    const u = new URL(raw);
    const defaults = { "postgres:": "5432", "postgresql:": "5432", "redis:": "6379", "rediss:": "6379" };
    const v = {
      host: u.hostname.replace(/^\[|\]$/g, ""),
      port: u.port || defaults[u.protocol] || "",
      user: decodeURIComponent(u.username),
      password: decodeURIComponent(u.password),
      db: decodeURIComponent(u.pathname.replace(/^\//, "")),
    }[part];
    if (v === undefined) { console.error("unknown url part " + part); process.exit(2); }
    process.stdout.write(v);
  ' "$1" "$2"
}

# Same URL, pointing at another database (used to reach the maintenance db `postgres`).
url_with_db() {
  node -e '
    const u = new URL(process.argv[1]);
    u.pathname = "/" + encodeURIComponent(process.argv[2]);
    process.stdout.write(u.toString());
  ' "$1" "$2"
}

# We only start services that live on this machine; a remote host is someone else's to run.
is_local_host() {
  case "$1" in
    "" | localhost | 127.* | ::1 | /*) return 0 ;;
    *) return 1 ;;
  esac
}

# Set ORBITDESK_NO_SERVICE_START=1 where the services belong to someone else (CI service containers):
# starting a local server there would fight the container for the port.
may_start_services() { [[ ${ORBITDESK_NO_SERVICE_START:-0} != 1 ]]; }

DEFAULT_PG_URL="postgres://$(id -un)@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL="redis://127.0.0.1:6379"

# ensure_postgres [URL]: succeeds once PostgreSQL at URL accepts connections; starts the local cluster if needed.
ensure_postgres() {
  local url="${1:-${DATABASE_URL:-$DEFAULT_PG_URL}}"
  local host port
  host="$(url_part "$url" host)" port="$(url_part "$url" port)"

  if ! command -v pg_isready >/dev/null || ! command -v psql >/dev/null; then
    die "PostgreSQL client tools (pg_isready, psql) are missing. Install them with:
    apt-get update && apt-get install -y postgresql-client"
  fi
  if pg_isready -q -h "$host" -p "$port" -t 3; then
    log "PostgreSQL is up at $host:$port"
    return 0
  fi

  is_local_host "$host" || die "PostgreSQL at $host:$port is not reachable (not a local host, so not starting it)"
  may_start_services || die "PostgreSQL at $host:$port is not reachable (ORBITDESK_NO_SERVICE_START=1, so not starting it)"

  local clusters=(/etc/postgresql/*/main)
  if ! command -v pg_ctlcluster >/dev/null || [[ ! -d ${clusters[0]} ]]; then
    die "PostgreSQL is not reachable at $host:$port and no local server is installed. Install one with:
    apt-get update && apt-get install -y postgresql
  then allow this user in without a password, e.g.:
    su postgres -c \"createuser --superuser $(id -un)\"  (and 'trust' for 127.0.0.1 in pg_hba.conf)"
  fi

  # The newest installed version wins if several are present.
  local version
  version="$(basename "$(dirname "${clusters[${#clusters[@]} - 1]}")")"
  log "PostgreSQL is not reachable at $host:$port; starting local cluster $version/main"
  if ! pg_ctlcluster --skip-systemctl-redirect "$version" main start >&2; then
    # "already running" is also a non-zero exit; only the readiness check below decides.
    warn "pg_ctlcluster $version main start exited non-zero"
  fi
  local i
  for ((i = 0; i < SERVICE_WAIT_SECONDS; i++)); do
    if pg_isready -q -h "$host" -p "$port" -t 1; then
      log "PostgreSQL is up at $host:$port"
      return 0
    fi
    sleep 1
  done
  die "PostgreSQL did not accept connections at $host:$port within ${SERVICE_WAIT_SECONDS}s (see /var/log/postgresql/)"
}

# Sends PING over a raw socket: CI runners have no redis-cli, and any RESP reply (even -NOAUTH) means "up".
# A child bash under `timeout`, so a host that drops packets cannot hang us.
redis_ping_tcp() {
  local reply
  # shellcheck disable=SC2016 # expanded by the child bash
  reply="$(timeout 3 bash -c 'exec 3<>"/dev/tcp/$0/$1" && printf "PING\r\n" >&3 && IFS= read -r line <&3 && printf %s "$line"' "$1" "$2" 2>/dev/null)" || true
  [[ $reply == +PONG* || $reply == -* ]]
}

redis_ping() {
  local url="$1" host="$2" port="$3"
  if command -v redis-cli >/dev/null; then
    [[ "$(timeout 5 redis-cli -u "$url" ping 2>/dev/null)" == PONG ]] && return 0
  fi
  redis_ping_tcp "$host" "$port"
}

# ensure_redis [URL]: succeeds once Redis at URL answers PING; starts a local, non-persistent server if needed.
ensure_redis() {
  local url="${1:-${REDIS_URL:-$DEFAULT_REDIS_URL}}"
  local host port
  host="$(url_part "$url" host)" port="$(url_part "$url" port)"

  if redis_ping "$url" "$host" "$port"; then
    log "Redis is up at $host:$port"
    return 0
  fi

  is_local_host "$host" || die "Redis at $host:$port is not reachable (not a local host, so not starting it)"
  may_start_services || die "Redis at $host:$port is not reachable (ORBITDESK_NO_SERVICE_START=1, so not starting it)"
  command -v redis-server >/dev/null || die "Redis is not reachable at $host:$port and redis-server is not installed. Install it with:
    apt-get update && apt-get install -y redis-server"

  # No persistence: this is a development/test server; queues are rebuilt by the app.
  log "Redis is not reachable at $host:$port; starting redis-server"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --save "" --appendonly no >&2 ||
    warn "redis-server exited non-zero"
  local i
  for ((i = 0; i < SERVICE_WAIT_SECONDS; i++)); do
    if redis_ping "$url" "$host" "$port"; then
      log "Redis is up at $host:$port"
      return 0
    fi
    sleep 1
  done
  die "Redis did not answer PING at $host:$port within ${SERVICE_WAIT_SECONDS}s"
}

# ensure_database NAME [URL]: creates database NAME if missing. URL is any connection string for the server
# (its database part is ignored); we connect to the maintenance database `postgres` to do it.
ensure_database() {
  local name="${1:?ensure_database needs a database name}"
  local admin_url out
  admin_url="$(url_with_db "${2:-${DATABASE_URL:-$DEFAULT_PG_URL}}" postgres)"

  # psql variables (:'name', :"name") quote the name for us; they only work on stdin, not with -c.
  if ! out="$(psql "$admin_url" -X -q -tA -v ON_ERROR_STOP=1 -v name="$name" 2>&1 <<<"SELECT 1 FROM pg_database WHERE datname = :'name'")"; then
    die "cannot query PostgreSQL as $(url_part "$admin_url" user)@$(url_part "$admin_url" host): $out
  (the role must exist and be allowed to log in; with Debian's packages: su postgres -c \"createuser --superuser $(url_part "$admin_url" user)\")"
  fi
  if [[ $out == 1 ]]; then
    log "database '$name' exists"
    return 0
  fi
  if ! out="$(psql "$admin_url" -X -q -v ON_ERROR_STOP=1 -v name="$name" 2>&1 <<<'CREATE DATABASE :"name"')"; then
    # Another process may have created it between our check and our CREATE.
    [[ $out == *"already exists"* ]] || die "could not create database '$name': $out"
  fi
  log "database '$name' created"
}

# Loads KEY=VALUE lines from a .env file into the environment without overriding variables already set,
# the same precedence the API's dotenv loader uses. Parsed, not sourced: a .env is data, not a script.
load_env_file() {
  local file="$1" line key value
  [[ -f $file ]] || return 0
  while IFS= read -r line || [[ -n $line ]]; do
    line="${line%$'\r'}"
    [[ $line =~ ^[[:space:]]*(export[[:space:]]+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$ ]] || continue
    key="${BASH_REMATCH[2]}" value="${BASH_REMATCH[3]}"
    if [[ $value =~ ^\"(.*)\"[[:space:]]*$ || $value =~ ^\'(.*)\'[[:space:]]*$ ]]; then
      value="${BASH_REMATCH[1]}"
    else
      value="${value%%[[:space:]]#*}"                    # trailing comment
      value="${value%"${value##*[![:space:]]}"}"         # trailing spaces
    fi
    [[ -n ${!key+set} ]] && continue
    export "$key=$value"
  done <"$file"
}

random_secret() { openssl rand -hex 32; } # 64 characters, above the API's 32-character minimum

# Writes $REPO_ROOT/.env on first run: .env.example (so every documented variable and its comment carry over)
# with the secrets filled in. Never overwrites: an existing .env may hold the only copy of ENCRYPTION_KEY, and
# losing it makes every stored channel credential unreadable.
ensure_env_file() {
  local file="$REPO_ROOT/.env" example="$REPO_ROOT/.env.example"
  if [[ -e $file ]]; then
    log "using existing .env"
    # A .env written before the AI service existed lacks its shared secret; add one rather than refuse to start.
    if ! grep -Eq '^INTERNAL_JWT_SECRET=.+' "$file"; then
      command -v openssl >/dev/null || die "openssl is needed to generate secrets: apt-get install -y openssl"
      log "adding INTERNAL_JWT_SECRET (API ↔ AI service) to .env"
      printf '\n# Added by scripts/up.sh: shared by the API, worker and AI service for internal calls.\nINTERNAL_JWT_SECRET=%s\n' \
        "$(random_secret)" >>"$file"
    fi
    return 0
  fi
  [[ -f $example ]] || die "$example is missing; it is the template for .env"
  command -v openssl >/dev/null || die "openssl is needed to generate secrets: apt-get install -y openssl"

  local -A values=(
    [JWT_SECRET]="$(random_secret)"
    [JWT_REFRESH_SECRET]="$(random_secret)"
    [INTERNAL_JWT_SECRET]="$(random_secret)"
    [ENCRYPTION_KEY]="$(openssl rand -base64 32)"
    [SUPERADMIN_EMAIL]="superadmin@orbitdesk.test"
    # Letters and digits only, so it can be typed and pasted without quoting.
    [SUPERADMIN_PASSWORD]="$(openssl rand -base64 24 | tr -dc 'A-Za-z0-9' | head -c 20)"
    [POSTGRES_PASSWORD]="$(openssl rand -hex 24)"
    [DATABASE_URL]="${DATABASE_URL:-postgres://$(id -un)@127.0.0.1:5432/orbitdesk}"
    [REDIS_URL]="${REDIS_URL:-$DEFAULT_REDIS_URL}"
  )
  [[ ${values[JWT_SECRET]} != "${values[JWT_REFRESH_SECRET]}" ]] || die "openssl produced the same secret twice"

  local tmp line key
  tmp="$(mktemp "$REPO_ROOT/.env.XXXXXX")"
  chmod 600 "$tmp"
  {
    echo "# Written by scripts/up.sh on $(date -u +%Y-%m-%dT%H:%M:%SZ) from .env.example, with fresh secrets."
    echo "# Keep ENCRYPTION_KEY safe: it decrypts stored credentials."
    while IFS= read -r line || [[ -n $line ]]; do
      if [[ $line =~ ^([A-Za-z_][A-Za-z0-9_]*)= ]] && [[ -n ${values[${BASH_REMATCH[1]}]+set} ]]; then
        key="${BASH_REMATCH[1]}"
        line="$key=${values[$key]}"
      fi
      printf '%s\n' "$line"
    done <"$example"
  } >"$tmp"
  # mv -n: if another run wrote .env meanwhile, theirs stays and ours is dropped.
  mv -n "$tmp" "$file"
  if [[ -e $tmp ]]; then
    rm -f "$tmp"
    log "another run wrote .env first; using it"
  else
    log "wrote .env with freshly generated secrets"
  fi
}

# The root package.json's engines field asks for Node 20.18.1+ (undici 7).
check_node() {
  command -v node >/dev/null || die "Node.js 20.18.1 or newer is required and 'node' is not on PATH"
  local v
  v="$(node -p 'process.versions.node')"
  node -e '
    const [maj, min, patch] = process.versions.node.split(".").map(Number);
    process.exit(maj > 20 || (maj === 20 && (min > 18 || (min === 18 && patch >= 1))) ? 0 : 1);
  ' || die "Node.js 20.18.1 or newer is required (found $v)"
  log "node $v"
}
