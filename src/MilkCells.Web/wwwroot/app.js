// The MilkCells dashboard: one page, five views, all data from the JSON API (docs/serve.md); charts by Chart.js
// (the copy MilkCells reports inline) with chartjs-plugin-zoom: wheel or drag to zoom, double-click to reset,
// hover for values, click a legend entry to hide or show its series.
'use strict';
const $ = (sel, root = document) => root.querySelector(sel);
const el = (tag, attrs = {}, ...children) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v); else if (v !== null && v !== undefined && v !== false) e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) if (c !== null && c !== undefined) e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return e;
};
let session = null;
const charts = new Set();
window.milkcells = { charts };

async function api(path, options = {}) {
  const headers = Object.assign({ 'X-MilkCells-Csrf': session ? session.csrf : '' }, options.headers || {});
  if (options.json !== undefined) { headers['Content-Type'] = 'application/json'; options.body = JSON.stringify(options.json); }
  const response = await fetch(path, Object.assign({}, options, { headers }));
  const type = response.headers.get('Content-Type') || '';
  const body = type.includes('json') ? await response.json() : await response.text();
  if (!response.ok) throw new Error(body && body.detail ? body.detail : `${response.status} ${response.statusText}`);
  return body;
}

function watch(jobId, onUpdate) {
  return new Promise(resolve => {
    const source = new EventSource(`/api/jobs/${jobId}/events`);
    source.addEventListener('job', e => {
      const job = JSON.parse(e.data);
      onUpdate(job);
      if (['succeeded', 'failed', 'cancelled', 'interrupted'].includes(job.state)) { source.close(); resolve(job); }
    });
    source.onerror = () => { source.close(); api(`/api/jobs/${jobId}`).then(job => { onUpdate(job); resolve(job); }); };
  });
}

function progress(job) {
  const pct = job.total > 0 ? Math.round(100 * job.done / job.total) : 0;
  const eta = job.etaSeconds != null ? `, ETA ${Math.round(job.etaSeconds)} s` : '';
  return el('div', { class: 'row', 'data-state': job.state },
    el('span', { class: 'bar' }, el('div', { style: `width:${pct}%` })),
    `${job.state}: ${job.done}/${job.total} ${job.unit} (${pct} %)${eta}`, job.error ? el('span', { class: 'err' }, ' ', job.error) : null);
}

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf'];
function lineChart(container, title, labels, series, { log = false, xTitle = 'lactation day', yTitle = '' } = {}) {
  const canvas = el('canvas');
  const box = el('div', { class: 'chart', 'data-title': title }, canvas);
  container.append(box);
  const chart = new Chart(canvas, {
    type: 'line',
    data: { labels, datasets: series.map((s, i) => Object.assign({ borderColor: s.color || palette[i % palette.length], backgroundColor: s.color || palette[i % palette.length],
      pointRadius: 0, borderWidth: 1.6, spanGaps: true, tension: 0 }, s)) },
    options: {
      animation: false, responsive: true, maintainAspectRatio: false, interaction: { mode: 'index', intersect: false },
      plugins: { title: { display: true, text: title }, legend: { position: 'bottom' },
        zoom: { zoom: { wheel: { enabled: true }, drag: { enabled: true }, mode: 'x' } } },
      scales: { x: { title: { display: true, text: xTitle }, ticks: { maxTicksLimit: 15 } }, y: { type: log ? 'logarithmic' : 'linear', title: { display: !!yTitle, text: yTitle } } },
    },
  });
  canvas.addEventListener('dblclick', () => chart.resetZoom());
  charts.add(chart);
  document.documentElement.setAttribute('data-charts', String(charts.size));
  return chart;
}

function clearCharts() { for (const c of charts) c.destroy(); charts.clear(); document.documentElement.removeAttribute('data-charts'); }

// ---- Simulate --------------------------------------------------------------------------------------------------
async function simulatePage(main) {
  const scenario = el('select', { id: 'scenario' }, session.scenarios.map(n => el('option', { value: n, selected: n === session.defaultScenario }, n)));
  const profile = el('select', { id: 'profile' }, session.profiles.map(p => el('option', { value: p }, p)));
  const seed = el('input', { id: 'seed', type: 'number', value: 1, min: 0, style: 'width:6em' });
  const days = el('input', { id: 'days', type: 'number', value: 30, min: 1, style: 'width:6em' });
  const yaml = el('textarea', { id: 'yaml', rows: 14, spellcheck: 'false' });
  const problems = el('div', { id: 'problems' });
  const run = el('button', { id: 'run' }, 'Run');
  const cancel = el('button', { id: 'cancel', disabled: true }, 'Cancel');
  const status = el('div', { id: 'status' });
  const result = el('div', { id: 'result' });
  main.append(el('h2', {}, 'Simulate'), el('div', { class: 'row' }, el('label', {}, 'scenario ', scenario), el('label', {}, 'profile ', profile),
    el('label', {}, 'seed ', seed), el('label', {}, 'days ', days), run, cancel),
    el('div', { class: 'muted' }, 'The scenario as YAML: edit it here; it is checked as you type by the loader `milkcells simulate` uses.'), yaml, problems, status, result);
  let timer = null;
  const validate = async () => {
    const check = await api('/api/scenarios/validate', { method: 'POST', json: { yaml: yaml.value } });
    problems.replaceChildren(check.valid
      ? el('span', { class: 'ok' }, `valid scenario '${check.name}', lactation days ${check.firstDay}–${check.lastDay}`)
      : el('div', { class: 'problems' }, check.problems.map(p => el('div', { class: 'problem', 'data-line': p.line ?? '' },
        `${p.line ? `line ${p.line}${p.column ? `:${p.column}` : ''}: ` : ''}${p.key ? p.key + ': ' : ''}${p.message}${p.hint ? ` (hint: ${p.hint})` : ''}`))));
    run.disabled = !check.valid;
  };
  yaml.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(validate, 250); });
  const load = async () => { yaml.value = await api(`/api/scenarios/${encodeURIComponent(scenario.value)}`); await validate(); };
  scenario.addEventListener('change', load);
  await load();
  let jobId = null;
  cancel.addEventListener('click', () => jobId && api(`/api/jobs/${jobId}`, { method: 'DELETE' }));
  run.addEventListener('click', async () => {
    result.replaceChildren(); clearCharts();
    try {
      const accepted = await api('/api/simulate', { method: 'POST', json: { yaml: yaml.value, seed: Number(seed.value), days: days.value ? Number(days.value) : null, profile: profile.value } });
      jobId = accepted.job; run.disabled = true; cancel.disabled = false;
      const job = await watch(jobId, j => status.replaceChildren(progress(j)));
      run.disabled = false; cancel.disabled = true;
      if (job.state === 'succeeded') await showRun(result, job.result.runId);
    } catch (e) { status.replaceChildren(el('div', { class: 'err' }, e.message)); run.disabled = false; cancel.disabled = true; }
  });
}

const defaultColumns = ['cells_per_ml_total', 'cells_per_ml_leucocyte', 'cells_per_ml_epithelial', 'cells_per_ml_stem'];
async function showRun(container, id) {
  const [detail, daily] = await Promise.all([api(`/api/runs/${id}`), api(`/api/runs/${id}/daily`)]);
  container.append(el('h3', {}, `Run ${id}: ${detail.run.scenario}, seed ${detail.run.seed} (${detail.run.profile})`),
    el('div', { class: 'row' }, detail.files.map(f => el('a', { href: `/api/runs/${id}/files/${f}`, target: f.endsWith('.html') ? '_blank' : null, download: f.endsWith('.html') ? null : f }, f))));
  const days = daily.values.day;
  lineChart(container, 'Cells per mL by class', days, defaultColumns.filter(c => daily.values[c]).map(c => ({ label: c, data: daily.values[c] })), { log: true, yTitle: 'cells/mL' });
  lineChart(container, 'Milk per day', days, ['milk_ml'].filter(c => daily.values[c]).map(c => ({ label: c, data: daily.values[c] })), { yTitle: 'mL' });
}

// ---- Runs --------------------------------------------------------------------------------------------------------
async function runsPage(main) {
  const q = el('input', { id: 'filter', placeholder: 'filter: scenario, profile, reason, seed or id' });
  const status = el('select', { id: 'status-filter' }, ['', 'succeeded', 'failed', 'interrupted', 'running'].map(s => el('option', { value: s }, s || 'any status')));
  const compare = el('button', { id: 'compare', disabled: true }, 'Compare the two selected');
  const table = el('table', { id: 'runs' });
  const info = el('div', { class: 'muted', id: 'runs-info' });
  const view = el('div', { id: 'run-view' });
  main.append(el('h2', {}, 'Runs'), el('div', { class: 'row' }, q, status, compare), info, table, view);
  let sort = 'id', desc = true;
  const selected = new Set();
  const cols = [['id', 'id'], ['scenario', 'scenario'], ['seed', 'seed'], ['profile', 'profile'], ['status', 'status'], ['started', 'started (UTC)'], ['finished', 'finished (UTC)']];
  const load = async () => {
    const t0 = performance.now();
    const page = await api(`/api/runs?q=${encodeURIComponent(q.value)}&status=${status.value}&sort=${sort}&desc=${desc}&limit=200`);
    table.replaceChildren(el('tr', {}, el('th', {}, ''), cols.map(([k, label]) => el('th', { class: 'sortable', 'data-sort': k, onclick: () => { desc = sort === k ? !desc : k === 'id'; sort = k; load(); } },
      label + (sort === k ? (desc ? ' ▼' : ' ▲') : ''))), el('th', {}, '')),
      ...page.runs.map(r => el('tr', { 'data-run': r.id },
        el('td', {}, el('input', { type: 'checkbox', checked: selected.has(r.id), onchange: e => { e.target.checked ? selected.add(r.id) : selected.delete(r.id); compare.disabled = selected.size !== 2; } })),
        el('td', {}, el('a', { href: '#', onclick: e => { e.preventDefault(); view.replaceChildren(); clearCharts(); showRun(view, r.id); } }, r.id)),
        el('td', {}, r.scenario), el('td', {}, r.seed), el('td', {}, r.profile), el('td', { title: r.reason || '' }, r.status, r.reason ? el('div', { class: 'muted' }, r.reason) : null),
        el('td', {}, r.started.replace('T', ' ').slice(0, 19)), el('td', {}, r.finished ? r.finished.replace('T', ' ').slice(0, 19) : '–'),
        el('td', {}, el('button', { class: 'delete', onclick: async () => {
          if (!confirm(`Delete run ${r.id} and the files it wrote?`)) return;
          try { await api(`/api/runs/${r.id}`, { method: 'DELETE' }); selected.delete(r.id); load(); } catch (e) { info.textContent = e.message; }
        } }, 'delete')))));
    info.textContent = `${page.matching} of ${page.total} runs${page.matching > page.runs.length ? `, first ${page.runs.length} shown` : ''} (${Math.round(performance.now() - t0)} ms)`;
    document.documentElement.setAttribute('data-runs-loaded', String(page.total));
  };
  let timer = null;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 200); });
  status.addEventListener('change', load);
  compare.addEventListener('click', async () => {
    const [a, b] = [...selected];
    const [da, db] = await Promise.all([api(`/api/runs/${a}/daily`), api(`/api/runs/${b}/daily`)]);
    view.replaceChildren(el('h3', {}, `Runs ${a} and ${b}`)); clearCharts();
    const n = Math.max(da.values.day.length, db.values.day.length);
    const days = (da.values.day.length >= db.values.day.length ? da : db).values.day;
    const pad = v => v.concat(Array(n - v.length).fill(null));
    for (const [col, log, unit] of [['cells_per_ml_total', true, 'cells/mL'], ['milk_ml', false, 'mL']]) {
      lineChart(view, `${col}: run ${a} and run ${b}`, days, [{ label: `run ${a}`, data: pad(da.values[col]) }, { label: `run ${b}`, data: pad(db.values[col]) }], { log, yTitle: unit });
    }
  });
  await load();
}

// ---- Cohorts and reference ranges ---------------------------------------------------------------------------------
async function cohortsPage(main) {
  const scenario = el('select', { id: 'cohort-scenario' }, session.scenarios.map(n => el('option', { value: n, selected: n === 'healthy' }, n)));
  const mothers = el('input', { id: 'mothers', type: 'number', value: 20, min: 1, style: 'width:6em' });
  const days = el('input', { id: 'cohort-days', type: 'number', value: 30, min: 1, style: 'width:6em' });
  const threads = el('input', { id: 'threads', type: 'number', value: session.threads, min: 1, max: session.threads, style: 'width:4em' });
  const seed = el('input', { id: 'cohort-seed', type: 'number', value: 1, min: 0, style: 'width:6em' });
  const start = el('button', { id: 'start' }, 'Start cohort');
  const cancel = el('button', { id: 'cancel-cohort', disabled: true }, 'Cancel');
  const status = el('div', { id: 'cohort-status' });
  const sets = el('select', { id: 'reference' });
  const measure = el('select', { id: 'measure' });
  const bands = el('div', { id: 'bands' });
  main.append(el('h2', {}, 'Cohorts'), el('div', { class: 'row' }, el('label', {}, 'scenario ', scenario), el('label', {}, 'mothers ', mothers), el('label', {}, 'days ', days),
    el('label', {}, 'threads ', threads), el('label', {}, 'seed ', seed), start, cancel), status,
    el('h2', {}, 'Reference ranges'), el('div', { class: 'row' }, el('label', {}, 'set ', sets), el('label', {}, 'measure ', measure)), bands);
  let current = null;
  const loadSets = async (pick) => {
    const list = await api('/api/references');
    sets.replaceChildren(...list.map(r => el('option', { value: r.id, selected: r.id === pick }, `${r.id}: ${r.title}`)));
    await loadSet();
  };
  const loadSet = async () => {
    current = await api(`/api/references/${sets.value}`);
    const keep = measure.value;
    measure.replaceChildren(...current.measures.map(m => el('option', { value: m, selected: m === keep }, m)));
    draw();
  };
  const draw = () => {
    bands.replaceChildren(); clearCharts();
    const rows = current.rows.filter(r => r.measure === measure.value).sort((a, b) => a.firstDay - b.firstDay);
    const labels = rows.map(r => r.firstDay === r.lastDay ? `${r.firstDay}` : `${r.firstDay}–${r.lastDay}`);
    const p = current.percentiles;
    const fills = { 0: '+6', 1: '+4', 2: '+2' };
    const series = p.map((q, i) => ({ label: `p${q}`, data: rows.map(r => r.values[i]), fill: fills[i] ?? false, borderWidth: q === 50 ? 2.2 : 1,
      color: q === 50 ? '#1f4e79' : '#7aa6d6', backgroundColor: 'rgba(59,125,216,0.12)', stepped: 'middle' }));
    const unit = rows.length ? rows[0].unit : '';
    lineChart(bands, `${measure.value}: percentile bands (${sets.value})`, labels, series, { log: /per_ml/.test(measure.value), xTitle: 'lactation days', yTitle: unit });
  };
  sets.addEventListener('change', loadSet);
  measure.addEventListener('change', draw);
  let jobId = null;
  cancel.addEventListener('click', () => jobId && api(`/api/jobs/${jobId}`, { method: 'DELETE' }));
  start.addEventListener('click', async () => {
    try {
      const accepted = await api('/api/cohorts', { method: 'POST', json: { scenario: scenario.value, mothers: Number(mothers.value), days: Number(days.value), threads: Number(threads.value), seed: Number(seed.value) } });
      jobId = accepted.job; start.disabled = true; cancel.disabled = false;
      const job = await watch(jobId, j => status.replaceChildren(progress(j)));
      start.disabled = false; cancel.disabled = true;
      if (job.state === 'succeeded') await loadSets(job.result.reference);
    } catch (e) { status.replaceChildren(el('div', { class: 'err' }, e.message)); start.disabled = false; }
  });
  await loadSets('default');
}

// ---- Samples -------------------------------------------------------------------------------------------------------
async function samplesPage(main) {
  const fcs = el('input', { id: 'fcs', type: 'file', multiple: true, accept: '.fcs' });
  const manifest = el('input', { id: 'manifest', type: 'file', accept: '.csv' });
  const counts = el('input', { id: 'counts', type: 'file', accept: '.csv' });
  const panel = el('select', { id: 'panel' }, session.panels.map(p => el('option', { value: p }, p)));
  const analyze = el('button', { id: 'analyze' }, 'Analyse');
  const status = el('div', { id: 'sample-status' });
  const result = el('div', { id: 'sample-result' });
  main.append(el('h2', {}, 'Samples'), el('div', { class: 'muted' }, 'FCS files with their manifest (the manifest names each file), or a counts CSV — as `milkcells sample analyze` takes them.'),
    el('div', { class: 'row' }, el('label', {}, 'FCS files ', fcs), el('label', {}, 'manifest ', manifest)), el('div', { class: 'row' }, el('label', {}, 'or counts CSV ', counts)),
    el('div', { class: 'row' }, el('label', {}, 'panel ', panel), analyze), status, result);
  const upload = async (file, kind) => (await api(`/api/uploads?kind=${kind}&name=${encodeURIComponent(file.name)}`, { method: 'POST', body: file })).id;
  analyze.addEventListener('click', async () => {
    result.replaceChildren(); status.replaceChildren('uploading…');
    try {
      const body = { panel: panel.value };
      if (counts.files.length) body.counts = await upload(counts.files[0], 'csv');
      else {
        body.fcs = []; for (const f of fcs.files) body.fcs.push(await upload(f, 'fcs'));
        if (manifest.files.length) body.manifest = await upload(manifest.files[0], 'csv');
      }
      const accepted = await api('/api/samples', { method: 'POST', json: body });
      const job = await watch(accepted.job, j => status.replaceChildren(progress(j)));
      if (job.state === 'succeeded') await showAnalysis(result, job.result.analysis);
    } catch (e) { status.replaceChildren(el('div', { class: 'err' }, e.message)); }
  });
}

async function showAnalysis(container, id) {
  const a = await api(`/api/samples/${id}`);
  const table = (rows, columns, attrs = {}) => el('table', attrs, el('tr', {}, columns.map(c => el('th', {}, c))), rows.map(r => el('tr', {}, columns.map(c => el('td', { 'data-col': c }, r[c])))));
  container.append(el('div', { class: 'row' }, ['report.html', 'samples.csv', 'findings.json', 'states.csv'].map(f => el('a', { href: `/api/samples/${id}/files/${f}`, target: '_blank' }, f))),
    el('h3', {}, 'Samples (gate counts, cells per mL)'), table(a.samples, a.sampleColumns, { id: 'samples-table' }));
  container.append(el('h3', {}, 'Percentiles and findings'));
  for (const s of a.findings.samples) {
    container.append(el('h4', {}, `${s.sample_id}${s.lactation_day !== undefined ? `, day ${s.lactation_day}` : ''}`),
      el('table', { class: 'percentiles' }, el('tr', {}, ['measure', 'percentile', 'flag', 'window', 'p2.5', 'p50', 'p97.5'].map(h => el('th', {}, h))),
        Object.entries(s.percentiles || {}).map(([m, p]) => el('tr', {}, el('td', {}, m), el('td', {}, p.percentile), el('td', {}, p.flag), el('td', {}, p.window), el('td', {}, p['p2.5']), el('td', {}, p.p50), el('td', {}, p['p97.5'])))),
      el('ul', {}, (s.findings || []).map(f => el('li', {}, `${f.status}: ${f.text} (${f.citation})`))));
  }
  if (a.states.length) container.append(el('h3', {}, 'State probabilities'), table(a.states, Object.keys(a.states[0]), { id: 'states-table' }));
}

// ---- Model ---------------------------------------------------------------------------------------------------------
async function modelPage(main) {
  const q = el('input', { id: 'search', placeholder: 'search: nestin, CD45, macrophage, storage…', style: 'width:24em' });
  const profile = el('select', { id: 'model-profile' }, session.profiles.map(p => el('option', { value: p }, p)));
  const out = el('div', { id: 'model' });
  main.append(el('h2', {}, 'Model'), el('div', { class: 'row' }, q, profile), out);
  const load = async () => {
    const m = await api(`/api/model?q=${encodeURIComponent(q.value)}&profile=${profile.value}`);
    out.replaceChildren(el('div', { class: 'muted' }, `model ${m.version}; profile '${m.profile}': ${m.profileMarking}`),
      el('h3', {}, `Cell types (${m.cellTypes.length})`),
      el('table', { id: 'cell-types' }, el('tr', {}, ['id', 'name', 'class', 'origin', 'Cell Ontology', 'protein markers', 'gene markers'].map(h => el('th', {}, h))),
        m.cellTypes.map(t => el('tr', {}, el('td', {}, t.id), el('td', {}, t.name), el('td', {}, t.class), el('td', {}, t.origin),
          el('td', {}, t.cellOntologyUrl ? el('a', { href: t.cellOntologyUrl, target: '_blank', rel: 'noopener' }, `${t.cellOntology} ${t.cellOntologyLabel}`) : '—', t.cellOntologyMatch ? el('span', { class: 'muted' }, ` (${t.cellOntologyMatch})`) : null),
          el('td', {}, t.proteinMarkers.join(', ')), el('td', {}, t.geneMarkers.join(', '))))),
      el('h3', {}, `Parameters (${m.parameters.length} of ${m.parameterTotal})`),
      el('table', { id: 'parameters' }, el('tr', {}, ['id', 'value', 'unit', 'condition', 'source', 'confidence', 'profile overrides'].map(h => el('th', {}, h))),
        m.parameters.map(p => el('tr', {}, el('td', {}, p.id), el('td', {}, p.value), el('td', {}, p.unit), el('td', {}, p.condition), el('td', {}, p.source, p.where ? el('div', { class: 'muted' }, p.where) : null),
          el('td', {}, p.confidence), el('td', {}, p.overrides.map(o => el('div', {}, `${o.profile}: ${o.value}`)))))));
  };
  let timer = null;
  q.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(load, 200); });
  profile.addEventListener('change', load);
  await load();
}

const pages = { simulate: simulatePage, runs: runsPage, cohorts: cohortsPage, samples: samplesPage, model: modelPage };
async function route() {
  const name = (location.hash.replace(/^#\//, '') || 'simulate').split('?')[0];
  const page = pages[name] || simulatePage;
  clearCharts();
  document.documentElement.removeAttribute('data-page-ready');
  for (const a of document.querySelectorAll('nav a')) a.classList.toggle('active', a.dataset.page === name);
  const main = $('#main');
  main.replaceChildren();
  try { await page(main); } catch (e) { main.append(el('div', { class: 'err' }, e.message)); }
  document.documentElement.setAttribute('data-page-ready', name);
}

(async () => {
  session = await api('/api/session');
  $('#version').textContent = `milkcells ${session.version}`;
  window.addEventListener('hashchange', route);
  await route();
})();
