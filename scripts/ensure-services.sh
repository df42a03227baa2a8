#!/usr/bin/env bash
# Makes sure PostgreSQL and Redis answer before you run tests or the API by hand, starting the local servers
# if they are installed but stopped. Optional arguments name databases to create if missing:
#   bash scripts/ensure-services.sh            # just the services
#   bash scripts/ensure-services.sh orbitdesk  # and the development database
# Reads DATABASE_URL and REDIS_URL from the environment, then .env; defaults to the local servers.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

load_env_file "$REPO_ROOT/.env"
ensure_postgres "${DATABASE_URL:-$DEFAULT_PG_URL}"
ensure_redis "${REDIS_URL:-$DEFAULT_REDIS_URL}"
for db in "$@"; do
  ensure_database "$db" "${DATABASE_URL:-$DEFAULT_PG_URL}"
done
