#!/usr/bin/env bash
# MilkCells `scrna annotate` side by side with Seurat 4.3 (Debian r-cran-seurat) on the same synthesized 10x folder:
# cluster agreement (adjusted Rand index between the two, and of each against the cells' true types) and speed
# (whole process, wall and CPU time, peak memory; runs interleaved, the load average printed beside each).
#   [MILKCELLS=…] bench/scrna/compare.sh [CELLS] [REPEATS] [full]     e.g. bench/scrna/compare.sh 50000 2
# Installs r-cran-seurat and python3-sklearn with apt if missing (root or sudo). Results: bench/scrna/results-CELLS/.
set -euo pipefail
cd "$(dirname "$0")/../.."
cells=${1:-5000}; repeats=${2:-2}; full=${3:-}
out="bench/scrna/results-$cells"
mkdir -p "$out"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
missing=()
Rscript -e 'suppressPackageStartupMessages(library(Seurat))' >/dev/null 2>&1 || missing+=(r-cran-seurat)
/usr/bin/python3 -c 'import sklearn' 2>/dev/null || missing+=(python3-sklearn)
if [ ${#missing[@]} -gt 0 ]; then
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# MILKCELLS=path/to/milkcells uses a build of your own (e.g. a copy, while the tree is rebuilt); otherwise build here
if [ -z "${MILKCELLS:-}" ]; then
  dotnet build src/MilkCells.Cli -c Release -v q -nologo >/dev/null
fi
milkcells=${MILKCELLS:-src/MilkCells.Cli/bin/Release/net10.0/milkcells}
sample="$out/sample"
[ -d "$sample" ] || "$milkcells" scrna synthesize -s healthy --lactation-day 30 --cells "$cells" --seed 1 -o "$sample"
R -q -e 'cat(as.character(packageVersion("Seurat")), "\n")' 2>/dev/null | sed -n 's/^\[1\] //p;s/^\([0-9.]*\) $/Seurat \1/p' | head -1
echo "run,tool,wall_s,cpu_s,max_rss_mb,load_1min" > "$out/times.csv"
measure() { # name, command...
  local name=$1; shift
  local load; load=$(cut -d' ' -f1 /proc/loadavg)
  /usr/bin/time -f "%e %U %S %M" -o "$out/time.txt" "$@" > "$out/$name.log" 2>&1
  read -r wall user sys rss < "$out/time.txt"
  echo "$name,$(echo "$name" | cut -d- -f1),$wall,$(echo "$user + $sys" | bc),$((rss / 1024)),$load" >> "$out/times.csv"
  echo "$name: ${wall} s wall, $(echo "$user + $sys" | bc) s CPU, $((rss / 1024)) MB, load $load"
}
for r in $(seq 1 "$repeats"); do
  rm -rf "$out/milkcells-annotated"
  measure "milkcells-$r" "$milkcells" scrna annotate "$sample/filtered_feature_bc_matrix" --seed 1 --threads 2 -o "$out/milkcells-annotated"
  measure "seurat-$r" Rscript bench/scrna/seurat.R "$sample/filtered_feature_bc_matrix" "$out/seurat" $full
done
/usr/bin/python3 - "$out" <<'PY'
import csv, sys
from sklearn.metrics import adjusted_rand_score as ari
out = sys.argv[1]
truth = {r['barcode']: r['cell_type'] for r in csv.DictReader(open(f'{out}/sample/truth.csv')) if r['doublet'] == 'false'}
mc = {r['barcode']: r['cluster'] for r in csv.DictReader(open(f'{out}/milkcells-annotated/cells.csv')) if r['qc_pass'] == 'true'}
se = {r['barcode']: r['cluster'] for r in csv.DictReader(open(f'{out}/seurat.clusters.csv'))}
both = [b for b in mc if b in se]
sing = [b for b in both if b in truth]
print(f'cells compared: {len(both)} (singlets {len(sing)})')
print(f'ARI milkcells vs Seurat clusters: {ari([mc[b] for b in both], [se[b] for b in both]):.3f}')
print(f'ARI milkcells clusters vs true types: {ari([mc[b] for b in sing], [truth[b] for b in sing]):.3f}')
print(f'ARI Seurat clusters vs true types: {ari([se[b] for b in sing], [truth[b] for b in sing]):.3f}')
print(f'clusters: milkcells {len(set(mc.values()))}, Seurat {len(set(se.values()))}')
PY
echo "times: $out/times.csv; Seurat steps: $out/seurat.times.csv"
