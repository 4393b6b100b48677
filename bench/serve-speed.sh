#!/usr/bin/env bash
# Measures milkcells serve (docs/performance.md#serve): cold start to the first page, the runs API with 10,000 runs,
# and a 1 GB FCS upload's effect on the server's peak memory. Needs a Release build, curl and python3.
#   bench/serve-speed.sh [PATH/TO/milkcells.dll]
set -euo pipefail
cd "$(dirname "$0")/.."
dll=${1:-src/MilkCells.Cli/bin/Release/net10.0/milkcells.dll}
work=$(mktemp -d /tmp/milkcells-serve-speed.XXXXXX)
trap 'kill "$pid" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
url=http://127.0.0.1:$port
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

start=$(date +%s%N)
dotnet "$dll" serve --urls "$url" --data "$work/data" --store "$work/runs.db" --threads 2 2>"$work/err" &
pid=$!
until curl -sf -o /dev/null "$url/"; do sleep 0.02; done
echo "cold start to first page: $(( ($(date +%s%N) - start) / 1000000 )) ms"

# 10,000 recorded runs (the store's own schema, created by the server's first use of it)
curl -sf -o /dev/null "$url/api/runs"
python3 - "$work/runs.db" <<'PY'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
rows = [(f"builtin:{['healthy','mastitis','donor-milk'][i % 3]}", "h", str(i), "default", "m", "c", f"/tmp/run-{i}",
         "2026-12-01T10:00:00.000Z", "2026-12-01T10:00:05.000Z", ["succeeded", "failed", "interrupted"][i % 3],
         "[]" if i % 3 == 0 else "reason", 1, "elsewhere") for i in range(10000)]
db.executemany("INSERT INTO runs (scenario, scenario_hash, seed, profile, model_version, code_version, output_folder, started_at, finished_at, status, summary, process_id, host) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()
PY
for query in "" "sort=scenario&desc=false" "q=mastitis&status=failed" "sort=started&offset=9800"; do
  curl -sf -o /dev/null "$url/api/runs?$query"  # warm
  times=$(for _ in 1 2 3 4 5; do curl -sf -o /dev/null -w '%{time_total}\n' "$url/api/runs?$query"; done | sort -n | awk '{a[NR]=$1} END {printf "%.0f ms median, %.0f–%.0f ms", a[3]*1000, a[1]*1000, a[5]*1000}')
  echo "GET /api/runs?$query with 10,000 runs: $times"
done

# a 1 GB FCS upload (FCS3.1 header then zeros, sparse on disk) streamed to the server
printf 'FCS3.1' > "$work/big.fcs"
truncate -s 1000000000 "$work/big.fcs"
before=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
csrf=$(curl -sf "$url/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
upload=$(curl -sf -H "X-MilkCells-Csrf: $csrf" -H 'Content-Type: application/octet-stream' -X POST -T "$work/big.fcs" \
  -w ' %{time_total} %{speed_upload}' "$url/api/uploads?kind=fcs&name=big.fcs")
after=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
echo "1 GB upload: $(echo "$upload" | awk '{printf "%.1f s, %.0f MB/s", $(NF-1), $NF/1e6}'); server peak RSS ${before} kB before, ${after} kB after"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
kill -INT "$pid"; wait "$pid" || true
