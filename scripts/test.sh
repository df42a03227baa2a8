#!/usr/bin/env bash
# Everything CI checks, in the order CI checks it, from a fresh machine:
#   bash scripts/test.sh
# Installs what the tests need, makes sure PostgreSQL and Redis answer, then runs
# build → db:check → typecheck → lint → format:check → test, stopping at the first failure.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
cd "$REPO_ROOT"

# Never wait for a prompt: CI runs us with no stdin.
export CI="${CI:-true}"
exec </dev/null

# The tests create one database per test file, so they need a URL for a role that may CREATE DATABASE,
# not the application database. Any database on the server will do; `postgres` always exists.
export TEST_DATABASE_ADMIN_URL="${TEST_DATABASE_ADMIN_URL:-${DATABASE_URL:-$DEFAULT_PG_URL}}"
export DATABASE_URL="$TEST_DATABASE_ADMIN_URL"
export REDIS_URL="${REDIS_URL:-$DEFAULT_REDIS_URL}"

check_node

log "installing dependencies (frozen lockfile)"
pnpm_cmd install --frozen-lockfile

# The widget's browser test drives Debian's Chromium (Playwright's own browser download cannot work here), and
# the email channel's tests read mail from a real IMAP server: Dovecot, started by the tests themselves.
need_pkgs=()
command -v chromium >/dev/null || need_pkgs+=(chromium)
[[ -x /usr/sbin/dovecot ]] || need_pkgs+=(dovecot-imapd)
if ((${#need_pkgs[@]})); then
  log "installing ${need_pkgs[*]} from Debian's packages"
  sudo_cmd=()
  ((EUID == 0)) || sudo_cmd=(sudo -n)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

ensure_postgres "$TEST_DATABASE_ADMIN_URL"
ensure_redis "$REDIS_URL"

summary=()
step() {
  local name="$1" started status=0
  shift
  log "── $name: $*"
  started=$SECONDS
  "$@" || status=$?
  if ((status != 0)); then
    ((${#summary[@]} == 0)) || printf '%s\n' "${summary[@]}" >&2
    die "step '$name' failed (exit $status) after $((SECONDS - started))s: $*"
  fi
  summary+=("  ✓ $name ($((SECONDS - started))s)")
}

# Vitest prints one "Tests  3 failed | 40 passed (43)" line per package; we add them up into the plain
# "N passed, N failed" line that CI reads, so a run that executed no test cannot pass for a green one.
test_log="$(mktemp)"
trap 'rm -f "$test_log"' EXIT
run_tests() {
  local status=0
  pnpm_cmd test 2>&1 | tee "$test_log" || status=$?
  local counts summaries passed failed skipped errors
  counts="$(sed 's/\x1b\[[0-9;]*m//g' "$test_log" | awk '
    /Tests[[:space:]]+[0-9].*\([0-9]+\)[[:space:]]*$/ {
      m++
      for (i = 1; i < NF; i++) {
        n = $i; k = $(i + 1); sub(/[^a-z].*$/, "", k)
        if (n ~ /^[0-9]+$/ && k == "passed") p += n
        if (n ~ /^[0-9]+$/ && k == "failed") f += n
        if (n ~ /^[0-9]+$/ && k == "skipped") s += n
      }
    }
    /Errors[[:space:]]+[0-9]+ errors?[[:space:]]*$/ { for (i = 1; i < NF; i++) if ($i ~ /^[0-9]+$/) e += $i }
    END { printf "%d %d %d %d %d", m, p, f, s, e }')"
  read -r summaries passed failed skipped errors <<<"$counts"
  echo
  if ((summaries == 0)); then
    echo "tests: found no vitest summary in the output" >&2
    ((status != 0)) || status=1
  else
    echo "tests: $passed passed, $failed failed, $skipped skipped"
    # Vitest fails the run on an error thrown outside any test (a stray rejection, a dropped connection).
    ((errors == 0)) || echo "vitest also reported $errors unhandled error(s) outside the tests; see 'Unhandled Errors' above" >&2
    if ((status == 0 && passed == 0)); then
      echo "no test ran: vitest reported no passed tests" >&2
      status=1
    fi
  fi
  return "$status"
}

step build pnpm_cmd build
step db:check pnpm_cmd --filter @orbitdesk/api db:check
step typecheck pnpm_cmd typecheck
step lint pnpm_cmd lint
step format:check pnpm_cmd format:check
step test run_tests

printf '%s\n' "${summary[@]}" >&2
log "all checks passed"
