#!/usr/bin/env bash
# Whole-process timings of two builds of the milkcells CLI, interleaved (A B, B A, …) so machine load hits both alike:
#   bench/compare-cli.sh BEFORE/milkcells.dll AFTER/milkcells.dll [rounds]
# Measures startup (--version, 5 runs per round), a 365-day simulate and a 10,000 × 365 cohort run (2 threads, SQLite).
# Prints one line per run: workload, build, wall s, user+sys s, peak RSS MB; then the median ratio AFTER/BEFORE per
# workload. Wall times on a shared machine are noisy: report the load (uptime) beside them and prefer the ratios.
set -euo pipefail
before=$1 after=$2 rounds=${3:-3}
work=$(mktemp -d /tmp/milkcells-compare.XXXXXX)
trap 'rm -rf "$work"' EXIT
export MILKCELLS_HOME=$work/home
mkdir -p "$MILKCELLS_HOME"
results=$work/results.tsv

run() { # workload build dll args...
  local workload=$1 build=$2 dll=$3
  shift 3
  # /usr/bin/time writes its line last on the same standard error as the program
  /usr/bin/time -f '%e %U %S %M' dotnet "$dll" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r wall user sys rss <<<"$(tail -n 1 "$work/err")"
  printf '%s\t%s\t%s\t%s\t%s\n' "$workload" "$build" "$wall" "$(echo "$user + $sys" | bc)" "$((rss / 1024))" | tee -a "$results"
}

one() { # build dll round
  local build=$1 dll=$2 r=$3
  for i in 1 2 3 4 5; do run startup "$build" "$dll" --version; done
  # The older CLI spells the output --out too; both accept it.
  run simulate-365 "$build" "$dll" simulate --days 365 --out "$work/sim-$build-$r" --store "$work/runs-$build.db"
  run cohort-10000x365 "$build" "$dll" cohort run --mothers 10000 --days 365 --threads 2 --store "sqlite:$work/cohort-$build-$r.db"
  rm -f "$work/cohort-$build-$r.db"*
}

uptime
for r in $(seq 1 "$rounds"); do
  if [ $((r % 2)) -eq 1 ]; then one before "$before" "$r"; one after "$after" "$r"; else one after "$after" "$r"; one before "$before" "$r"; fi
  uptime
done
echo "median after/before (wall; cpu):"
for w in startup simulate-365 cohort-10000x365; do
  awk -F'\t' -v w="$w" '$1 == w { if ($2 == "before") { b[++nb] = $3; bc[nb] = $4 } else { a[++na] = $3; ac[na] = $4 } }
    function med(x, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (x[j] < x[i]) { t = x[i]; x[i] = x[j]; x[j] = t }
      return n % 2 ? x[(n + 1) / 2] : (x[n / 2] + x[n / 2 + 1]) / 2 }
    END { printf "  %s: wall %.3f s -> %.3f s (x%.3f); cpu %.3f s -> %.3f s (x%.3f)\n", w, med(b, nb), med(a, na), med(a, na) / med(b, nb), med(bc, nb), med(ac, na), med(ac, na) / med(bc, nb) }' "$results"
done
