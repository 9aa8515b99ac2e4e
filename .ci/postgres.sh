#!/usr/bin/env bash
# Install (Debian package), start and prepare a real PostgreSQL server for the test suite.
#
# Usage (as root, or with sudo available):
#     export THIDUA_TEST_PG_URL="$(.ci/postgres.sh)"
#     python -m pytest -q
# Everything but the URL goes to stderr, so the command substitution above captures only the URL.
# Re-running it is harmless: an installed package, a running cluster and an existing role are kept.
# Tests create and drop their own throw-away databases through this URL (the role may CREATEDB).
set -euo pipefail

PG_ROLE="${THIDUA_PG_ROLE:-thidua}"
PG_PASSWORD="${THIDUA_PG_PASSWORD:-thidua}"
PG_PORT="${THIDUA_PG_PORT:-5432}"

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
log() { echo "postgres.sh: $*" >&2; }

if ! command -v pg_lsclusters >/dev/null 2>&1; then
    log "cài gói postgresql (Debian)…"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
fi

# The first cluster Debian created (e.g. "15 main"); create one if the package made none.
read -r PG_VERSION PG_CLUSTER _ < <(pg_lsclusters --no-header | head -n 1) || true
if [ -z "${PG_VERSION:-}" ]; then
    PG_VERSION="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
    PG_CLUSTER=main
    as_root pg_createcluster "$PG_VERSION" "$PG_CLUSTER" --port "$PG_PORT" >&2
fi
PG_PORT="$(pg_lsclusters --no-header | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $3}')"

if ! pg_lsclusters --no-header | awk -v v="$PG_VERSION" -v c="$PG_CLUSTER" '$1==v && $2==c {print $4}' | grep -q online; then
    log "khởi động cụm $PG_VERSION/$PG_CLUSTER…"
    as_root pg_ctlcluster "$PG_VERSION" "$PG_CLUSTER" start >&2
fi

for _ in $(seq 1 30); do
    if pg_isready -q -h 127.0.0.1 -p "$PG_PORT"; then break; fi
    sleep 1
done
pg_isready -h 127.0.0.1 -p "$PG_PORT" >&2

psql_admin() { as_root runuser -u postgres -- psql -p "$PG_PORT" -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_admin -c "SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE'")" != "1" ]; then
    log "tạo vai trò $PG_ROLE…"
    psql_admin -c "CREATE ROLE \"$PG_ROLE\" LOGIN CREATEDB PASSWORD '$PG_PASSWORD'" >&2
else
    psql_admin -c "ALTER ROLE \"$PG_ROLE\" LOGIN CREATEDB PASSWORD '$PG_PASSWORD'" >&2
fi

echo "postgresql+psycopg://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$PG_PORT/postgres"
