// Evaluated in a rendered MilkCells report: what each chart shows, read from its Chart.js instance, for the
// readability checks in ReportChecks.cs. Boxes are in canvas pixels (CSS pixels at device scale 1).
() => {
  function rgb(color) {
    let m = /^#([0-9a-f]{6})$/i.exec(color || '');
    if (m) { const n = parseInt(m[1], 16); return [(n >> 16) & 255, (n >> 8) & 255, n & 255]; }
    m = /^rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(color || '');
    return m ? [+m[1], +m[2], +m[3]] : null;
  }

  // Opaque pixels of one colour inside the plot area: a line's drawn pixels (fills are translucent, grid lines faint).
  function count(chart, color) {
    const area = chart.chartArea, c = rgb(color);
    const x0 = Math.ceil(area.left), y0 = Math.ceil(area.top), w = Math.floor(area.right) - x0, h = Math.floor(area.bottom) - y0;
    const data = chart.ctx.getImageData(x0, y0, w, h).data;
    let n = 0;
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] < 200) { continue; }
      const d = Math.abs(data[i] - c[0]) + Math.abs(data[i + 1] - c[1]) + Math.abs(data[i + 2] - c[2]);
      if (d < 40) { n++; }
    }
    return n;
  }

  // For each line drawn on the main y axis: its opaque pixels with every dataset shown over its pixels drawn alone
  // (the axes held still). Near 1: nothing covers it; near 0: another line hides it.
  function visibility(chart) {
    if (chart.config.type !== 'line') { return []; }
    const candidates = chart.data.datasets.map((d, i) => ({ d, i }))
      .filter(({ d }) => !d.$hidden && (d.borderWidth ?? 1) > 0 && !d.fill && (d.yAxisID || 'y') === 'y' && d.showLine !== false
        && d.data.some(p => Number.isFinite(p.y)) && rgb(d.borderColor));
    if (candidates.length < 2) { return []; }
    const saved = {};
    for (const id of ['x', 'y']) {
      saved[id] = { min: chart.options.scales[id].min, max: chart.options.scales[id].max };
      chart.options.scales[id].min = chart.scales[id].min;
      chart.options.scales[id].max = chart.scales[id].max;
    }
    const all = chart.data.datasets.map((_, i) => chart.isDatasetVisible(i));
    const result = [];
    for (const { d, i } of candidates) {
      all.forEach((_, j) => chart.setDatasetVisibility(j, j === i));
      chart.update('none');
      const alone = count(chart, d.borderColor);
      all.forEach((v, j) => chart.setDatasetVisibility(j, v));
      chart.update('none');
      const together = count(chart, d.borderColor);
      result.push({ label: d.label, alone, together, share: alone === 0 ? 1 : together / alone });
    }
    for (const id of ['x', 'y']) { chart.options.scales[id].min = saved[id].min; chart.options.scales[id].max = saved[id].max; }
    chart.update('none');
    return result;
  }

  function tickBoxes(chart, scale) {
    if (scale.options.display === false || scale.options.ticks.display === false) { return []; }
    const font = Chart.helpers.toFont(scale.options.ticks.font);
    const ctx = chart.ctx;
    ctx.save();
    ctx.font = font.string;
    const boxes = scale.ticks.map((t, i) => {
      const label = Array.isArray(t.label) ? t.label.join(' ') : String(t.label ?? '');
      const p = scale.getPixelForTick(i), w = ctx.measureText(label).width, h = font.lineHeight;
      return scale.isHorizontal()
        ? { label, value: t.value, left: p - w / 2, right: p + w / 2, top: scale.top, bottom: scale.top + h }
        : { label, value: t.value, left: scale.right - w, right: scale.right, top: p - h / 2, bottom: p + h / 2 };
    }).filter(b => b.label !== '');
    ctx.restore();
    return boxes;
  }

  return [...document.querySelectorAll('figure.chart')].map(figure => {
    const canvas = figure.querySelector('canvas');
    const chart = Chart.getChart(canvas);
    const state = canvas.$milkcells || { spec: { bands: [] } };
    const box = b => ({ left: b.left, top: b.top, right: b.right, bottom: b.bottom });
    return {
      id: figure.id,
      rendered: figure.getAttribute('data-rendered'),
      title: chart.options.plugins.title.text,
      type: chart.config.type,
      area: box(chart.chartArea),
      width: chart.width,
      height: chart.height,
      axes: Object.values(chart.scales).map(s => ({
        id: s.id, type: s.type, horizontal: s.isHorizontal(), display: s.options.display !== false, min: s.min, max: s.max,
        left: s.left, top: s.top, right: s.right, bottom: s.bottom,
        title: s.options.title && s.options.title.display ? s.options.title.text : '', ticks: tickBoxes(chart, s)
      })),
      bands: (state.spec.bands || []).length,
      bandLabels: (state.labelBoxes || []).map(b => ({ text: b.text, left: b.left, right: b.right, top: b.top, bottom: b.bottom })),
      legend: (chart.legend && chart.legend.legendHitBoxes || []).map((b, i) => ({
        text: chart.legend.legendItems[i].text, left: b.left, top: b.top, right: b.left + b.width, bottom: b.top + b.height })),
      datasets: chart.data.datasets.map(d => ({
        label: d.label, hidden: !!d.$hidden, axis: d.yAxisID || 'y', dashed: (d.borderDash || []).length > 0,
        points: d.data.filter(p => p !== null && (typeof p !== 'object' || Number.isFinite(p.y))).length
      })),
      coincide: (figure.querySelector('p.coincide') || { textContent: '' }).textContent,
      visibility: visibility(chart)
    };
  });
}
