#!/usr/bin/env bash
# `sample analyze` speed, whole processes (docs/sample.md, Speed): one 1,000,000-event milk-basic file, and FILES
# distinct files of 100,000 events (synthesized once: 4 cohort mothers × FILES/4 days), each `--no-states --plots 0`,
# plus the 1,000,000-event file with its gate plots. Prints one TSV line per step: what, wall s, user s, sys s,
# peak RSS MB, load. Synthesis is timed too (the first run writes ~3.2 MB a 100,000-event file; later runs reuse DIR).
# Usage: bench/scripts/sample-speed.sh [FILES=1000] [DIR=/tmp/milkcells-sample-speed]
# Needs a Release build: dotnet build src/MilkCells.Cli -c Release (or MC=path/to/milkcells). On a shared machine, run
# it at a higher priority than the rest (docs/sample.md used a wrapper that renices every other process) or trust the
# CPU columns, which do not depend on the load.
set -euo pipefail
cd "$(dirname "$0")/../.."
files=${1:-1000}
dir=${2:-/tmp/milkcells-sample-speed}
mc=${MC:-$(pwd)/src/MilkCells.Cli/bin/Release/net10.0/milkcells}
[ -x "$mc" ] || { echo "build first: dotnet build src/MilkCells.Cli -c Release" >&2; exit 2; }
(( files % 4 == 0 && files >= 4 && files <= 1336 )) || { echo "FILES must be a multiple of 4 from 4 to 1336 (days 30-363 of 4 mothers)" >&2; exit 2; }
mkdir -p "$dir"
printf 'what\twall_s\tuser_s\tsys_s\tpeak_rss_mb\tload\n'

step() { # step LABEL -- command...
  local label=$1; shift 2
  local t; t=$(mktemp)
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f '%e\t%U\t%S\t%M' -o "$t" "$@" >/dev/null 2>>"$dir/log"
  printf '%s\t%s\t%s\n' "$label" "$(awk -F'\t' '{printf "%s\t%s\t%s\t%.0f", $1, $2, $3, $4/1024}' "$t")" "$load"
  rm -f "$t"
}

days=$((files / 4))
if [ ! -f "$dir/million/manifest.csv" ]; then
  step "synthesize 1 file x 1,000,000 events" -- "$mc" sample synthesize -s mastitis --seed 1 --days 41 --events 1000000 -o "$dir/million"
fi
if [ ! -f "$dir/files-$files.csv" ]; then
  for m in 0 1 2 3; do
    step "synthesize $days files x 100,000 events (mother $m)" -- "$mc" sample synthesize -s healthy --mother-id "$m" --seed 7 \
      --days "30-$((29 + days))" --events 100000 -o "$dir/m$m-$days"
  done
  { head -1 "$dir/m0-$days/manifest.csv"; for m in 0 1 2 3; do tail -n +2 "$dir/m$m-$days/manifest.csv" | sed "s#^#m$m-$days/#"; done; } > "$dir/files-$files.csv"
  echo "disk: $(du -sh "$dir" | cut -f1) in $dir" >&2
fi
for r in 1 2 3; do
  step "analyze 1 file x 1,000,000 events (run $r)" -- "$mc" sample analyze --manifest "$dir/million/manifest.csv" --no-states --plots 0 -o "$dir/out-million"
done
step "analyze 1 file x 1,000,000 events with gate plots" -- "$mc" sample analyze --manifest "$dir/million/manifest.csv" --no-states -o "$dir/out-million-plots"
step "analyze $files files x 100,000 events" -- "$mc" sample analyze --manifest "$dir/files-$files.csv" --no-states --plots 0 -o "$dir/out-files"
