#!/usr/bin/env bash
# Installs what the tests need, then runs every test: ./test.sh [extra dotnet test arguments]
#   - Debian packages: libsbml5-cil (SBML), chromium (browser tests), postgresql (the shared-store tests),
#     python3-anndata (the .h5ad files MilkCells writes must read back in anndata)
#   - npm packages for the report charts (package-lock.json), installed by the build as well
#   - a throw-away PostgreSQL server on 127.0.0.1, stopped on exit
# Environment: MILKCELLS_REQUIRE_SHARED=1 makes tests that need ../shared fail instead of skip (.ci/run sets it).
set -euo pipefail
cd "$(dirname "$0")"
repo=$(pwd)

log() { printf '\033[1m== %s\033[0m\n' "$*"; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "test.sh: need root (or sudo) to install: $*" >&2; return 1; fi
}

# 1. System packages -----------------------------------------------------------------------------------------------
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
missing=()
[ -f /usr/lib/x86_64-linux-gnu/mono/libsbmlcsP/libsbmlcsP.dll ] || missing+=(libsbml5-cil)
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || missing+=(postgresql)
/usr/bin/python3 -c 'import anndata' 2>/dev/null || missing+=(python3-anndata)
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
fi

# 2. npm packages (the chart library inlined into reports) ----------------------------------------------------------
for lock in $(git ls-files '*package-lock.json' 2>/dev/null || find . -name package-lock.json -not -path '*/node_modules/*'); do
  dir=$(dirname "$lock")
  if [ ! -d "$dir/node_modules" ] || [ "$lock" -nt "$dir/node_modules/.package-lock.json" ]; then
    log "npm ci in $dir"
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  fi
done

# 3. A private PostgreSQL server on 127.0.0.1 -----------------------------------------------------------------------
pg_dir=$(mktemp -d /tmp/milkcells-pg.XXXXXX)
pg_port=${MILKCELLS_PG_PORT:-54329}
as_pg() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
stop_pg() {
  as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$pg_dir"
}
trap stop_pg EXIT
[ "$(id -u)" -eq 0 ] && chown postgres:postgres "$pg_dir"
log "starting PostgreSQL on 127.0.0.1:$pg_port"
as_pg "$pg_bin/initdb" -D "$pg_dir/data" -U milkcells --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
  -o "-c listen_addresses=127.0.0.1 -c port=$pg_port -c unix_socket_directories=$pg_dir -c fsync=off" start >/dev/null
export MILKCELLS_PG_URI="postgres://milkcells@127.0.0.1:$pg_port/postgres"

# 4. The tests ------------------------------------------------------------------------------------------------------
log "dotnet test (Release)"
dotnet test "$repo/MilkCells.slnx" -c Release "$@"
