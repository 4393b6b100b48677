#!/usr/bin/env bash
# Measures milkcells serve (docs/performance.md#serve): cold start to the first page, the runs page and API with
# 10,000 runs, and a 1 GB FCS upload's effect on the server's memory. Needs a Release build of the CLI and of
# tests/MilkCells.Web.Tests (its bin holds Playwright's driver, used here with Debian's /usr/bin/chromium), curl and
# python3.
#   bench/serve-speed.sh [PATH/TO/milkcells.dll]
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
dll=${1:-src/MilkCells.Cli/bin/Release/net10.0/milkcells.dll}
playwright=$repo/tests/MilkCells.Web.Tests/bin/Release/net10.0/.playwright
work=$(mktemp -d /tmp/milkcells-serve-speed.XXXXXX)
pid=
trap 'if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; fi; rm -rf "$work"' EXIT
port=$((20000 + RANDOM % 20000))
url=http://127.0.0.1:$port
ms() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }
range() { sort -n | awk '{a[NR]=$1} END {printf "%s ms median, %s–%s ms (%d runs)", a[int((NR+1)/2)], a[1], a[NR], NR}'; }
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"

serve() {
  dotnet "$dll" serve --urls "$url" --data "$work/data" --store "$work/runs.db" --threads 2 2>"$work/err" &
  pid=$!
}
stop() { kill -TERM "$pid"; wait "$pid" || true; pid=; }  # SIGTERM: a background job of a script ignores SIGINT

# 1. Cold start: process start to the first page (GET /), then to everything the page loads on opening (its four
#    scripts, style sheet and /api/session). The page cache is warm: the .NET runtime and our assemblies are read
#    from memory, as on any second start.
for _ in 1 2 3 4 5; do
  start=$(date +%s%N)
  serve
  until curl -sf -o /dev/null "$url/"; do sleep 0.01; done
  echo "$(ms "$start")" >>"$work/first"
  for asset in app.css chart.js hammer.js chartjs-plugin-zoom.js app.js; do curl -sf -o /dev/null "$url/assets/$asset"; done
  curl -sf -o /dev/null "$url/api/session"
  echo "$(ms "$start")" >>"$work/complete"
  stop
done
echo "cold start to first page (GET /): $(range <"$work/first")"
echo "cold start to the page and all it loads: $(range <"$work/complete")"

# 2. 10,000 recorded runs (the store's own schema, created by the server's first use of it)
serve
until curl -sf -o /dev/null "$url/api/runs"; do sleep 0.01; done
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
  for _ in $(seq 10); do curl -sf -o /dev/null "$url/api/runs?$query"; done  # warm: the JIT's tiers settle
  times=$(for _ in $(seq 10); do curl -sf -o /dev/null -w '%{time_total}\n' "$url/api/runs?$query"; done | awk '{printf "%.0f\n", $1*1000}' | range)
  echo "GET /api/runs?$query with 10,000 runs: $times"
done

# The server's CPU time per request (user + system, from /proc; counts what the server does, not the wait for a core)
cpu() { awk '{print $14 + $15}' /proc/$pid/stat; }
ticks=$(getconf CLK_TCK)
before=$(cpu)
for _ in $(seq 50); do curl -sf -o /dev/null "$url/api/runs"; done
echo "GET /api/runs with 10,000 runs: $(( ($(cpu) - before) * 1000 / ticks / 50 )) ms of server CPU per request (50 requests)"

# The runs page in Chromium (headless, Playwright's driver from the test build): a fresh page each time, from
# navigation to the table drawn (its first 200 of 10,000 rows), and the page's own fetch-and-draw time; then a sort by
# seed clicked (fetch and redraw).
if [ -x /usr/bin/chromium ] && [ -d "$playwright/package" ]; then
  "$playwright/node/linux-x64/node" - "$playwright/package" "$url" <<'JS'
const [pkg, url] = process.argv.slice(2);
const { chromium } = require(pkg);
(async () => {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  const open = [], draw = [], sort = [];
  for (let i = 0; i < 6; i++) {
    const page = await browser.newPage();
    await page.goto(`${url}/#/runs`);
    await page.waitForSelector('html[data-runs-loaded="10000"]');
    const t = await page.evaluate(() => performance.now());
    const info = await page.innerText('#runs-info');
    await page.evaluate(() => document.documentElement.removeAttribute('data-runs-loaded'));
    await page.click('th[data-sort="seed"]');
    await page.waitForSelector('html[data-runs-loaded="10000"]');
    const sorted = await page.innerText('#runs-info');
    if (i > 0) { // the first page warms the browser's cache and the server's JIT
      open.push(Math.round(t)); draw.push(+/\((\d+) ms\)/.exec(info)[1]); sort.push(+/\((\d+) ms\)/.exec(sorted)[1]);
    }
    await page.close();
  }
  const r = a => { a.sort((x, y) => x - y); return `${a[Math.floor(a.length / 2)]} ms median, ${a[0]}–${a[a.length - 1]} ms (${a.length} runs)`; };
  console.log(`runs page with 10,000 runs, navigation to table drawn: ${r(open)}`);
  console.log(`runs page with 10,000 runs, its fetch and draw: ${r(draw)}`);
  console.log(`runs page with 10,000 runs, a sort clicked to redrawn: ${r(sort)}`);
  await browser.close();
})().catch(e => { console.error(e); process.exit(1); });
JS
else
  echo "runs page in a browser: skipped (needs /usr/bin/chromium and a Release build of tests/MilkCells.Web.Tests)"
fi

# 3. A 1 GB FCS upload (FCS3.1 header then zeros, sparse on disk) streamed to the server: its resident memory sampled
#    every 50 ms while the upload runs, against the resident memory just before.
printf 'FCS3.1' >"$work/big.fcs"
truncate -s 1000000000 "$work/big.fcs"
csrf=$(curl -sf "$url/api/session" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
before=$(awk '/VmRSS/ {print $2}' /proc/$pid/status)
hwm_before=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
(while kill -0 "$pid" 2>/dev/null; do awk '/VmRSS/ {print $2}' /proc/$pid/status; sleep 0.05; done) >"$work/rss" &
sampler=$!
upload=$(curl -sf -H "X-MilkCells-Csrf: $csrf" -H 'Content-Type: application/octet-stream' -X POST -T "$work/big.fcs" \
  -w ' %{time_total} %{speed_upload}' "$url/api/uploads?kind=fcs&name=big.fcs")
kill "$sampler"; wait "$sampler" 2>/dev/null || true
peak=$(sort -n "$work/rss" | tail -n 1)
hwm_after=$(awk '/VmHWM/ {print $2}' /proc/$pid/status)
stored=$(find "$work/data" -type f -size +900M -printf '%s\n' | head -n 1)
echo "1 GB upload: $(echo "$upload" | awk '{printf "%.1f s, %.0f MB/s", $(NF-1), $NF/1e6}'), ${stored:-?} bytes stored;" \
  "server RSS ${before} kB before, at most ${peak} kB during ($(wc -l <"$work/rss") samples); peak RSS (VmHWM) ${hwm_before} kB before, ${hwm_after} kB after"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg)"
stop
