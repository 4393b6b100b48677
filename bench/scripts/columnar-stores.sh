#!/usr/bin/env bash
# Cohort stores side by side, whole processes: `cohort run` into SQLite, a Parquet folder and DuckDB, `cohort export`
# to Parquet/CSV/Arrow, and `reference build` from each store, interleaved ROUNDS times so that a busy machine loads
# every store alike. Prints one TSV line per step: what, round, wall s, user s, sys s, peak RSS MB, output MB, load.
# Usage: bench/scripts/columnar-stores.sh [MOTHERS=10000] [DAYS=365] [ROUNDS=2] [DIR=a new temp folder]
# Needs a Release build: dotnet build src/MilkCells.Cli -c Release (or MC=path/to/milkcells, e.g. a copy of the build)
set -euo pipefail
cd "$(dirname "$0")/../.."
mothers=${1:-10000} days=${2:-365} rounds=${3:-2}
dir=${4:-$(mktemp -d /tmp/milkcells-columnar.XXXXXX)}
mc=${MC:-$(pwd)/src/MilkCells.Cli/bin/Release/net10.0/milkcells}
[ -x "$mc" ] || { echo "build first: dotnet build src/MilkCells.Cli -c Release" >&2; exit 2; }
mkdir -p "$dir"
printf 'what\tround\twall_s\tuser_s\tsys_s\tpeak_rss_mb\toutput_mb\tload\n'

step() { # step LABEL ROUND OUTPUT -- command...
  local label=$1 round=$2 output=$3; shift 4
  local t; t=$(mktemp)
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e\t%U\t%S\t%M' -o "$t" "$@" >/dev/null 2>>"$dir/log"
  local size=0
  [ -e "$output" ] && size=$(du -sb "$output" | cut -f1)
  printf '%s\t%s\t%s\t%s\n' "$label" "$round" "$(awk -F'\t' -v s="$size" '{printf "%s\t%s\t%s\t%.0f\t%.1f", $1, $2, $3, $4/1024, s/1e6}' "$t")" "$load"
  rm -f "$t"
}

for r in $(seq 1 "$rounds"); do
  rm -rf "$dir/c.db"* "$dir/c.parquet" "$dir/c.duckdb"* "$dir"/out.* "$dir"/ref-*
  run=(cohort run --scenario healthy --mothers "$mothers" --days "$days" --seed 1 --threads 2)
  step "cohort run -> sqlite" "$r" "$dir/c.db" -- "$mc" "${run[@]}" --store "sqlite:$dir/c.db"
  step "cohort run -> parquet" "$r" "$dir/c.parquet" -- "$mc" "${run[@]}" --store "parquet:$dir/c.parquet"
  step "cohort run -> duckdb" "$r" "$dir/c.duckdb" -- "$mc" "${run[@]}" --store "duckdb:$dir/c.duckdb"
  for s in "sqlite:$dir/c.db" "parquet:$dir/c.parquet" "duckdb:$dir/c.duckdb"; do
    kind=${s%%:*}
    step "export $kind -> parquet" "$r" "$dir/out.$kind.parquet" -- "$mc" cohort export --store "$s" -o "$dir/out.$kind.parquet"
  done
  step "export sqlite -> csv" "$r" "$dir/out.csv" -- "$mc" cohort export --store "sqlite:$dir/c.db" -o "$dir/out.csv"
  step "export sqlite -> arrow" "$r" "$dir/out.arrow" -- "$mc" cohort export --store "sqlite:$dir/c.db" -o "$dir/out.arrow"
  for s in "sqlite:$dir/c.db" "duckdb:$dir/c.duckdb" "parquet:$dir/c.parquet"; do
    kind=${s%%:*}
    step "reference build from $kind" "$r" "$dir/ref-$kind" -- "$mc" reference build --store "$s" -o "$dir/ref-$kind"
  done
  cmp -s "$dir/out.sqlite.parquet" "$dir/out.parquet.parquet" && cmp -s "$dir/out.sqlite.parquet" "$dir/out.duckdb.parquet" \
    || echo "warning: the three Parquet exports differ" >&2
  for k in duckdb parquet; do
    diff <(grep -v '^# \(versions\|rebuild\)' "$dir/ref-sqlite/reference.csv") <(grep -v '^# \(versions\|rebuild\)' "$dir/ref-$k/reference.csv") >/dev/null \
      || echo "warning: reference.csv from $k differs from SQLite's" >&2
  done
done
echo "outputs in $dir" >&2
