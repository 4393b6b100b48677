// Draws every chart of a MilkCells report from its JSON island (figure.chart > script.chart-data) with Chart.js.
// Sets data-rendered="true" (or "error") on each figure and data-charts-rendered="N" on <html> when done.
// Readability rules, each checked in Chromium by tests/MilkCells.Reports.Tests/BrowserTests:
//  - log axes carry round ticks written as people read them (100, 1,000, 10⁴, 2×10⁴), at least three per axis;
//  - shaded bands are labelled in a strip above the plot, taking a new row instead of overlapping another label;
//  - marks (feeds) sit in a strip of their own under the plot, one row per kind, so they never cover data;
//  - percentile bands are nested shades behind the lines, each named once in the legend;
//  - a line drawn over another it mostly coincides with is dashed, so neither hides the other.
(function () {
  'use strict';

  var SUPERSCRIPT = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };
  var FONT = '12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  var ROW = 15; // px per row of band labels

  function alpha(color, a) {
    var m = /^#([0-9a-f]{6})$/i.exec(color);
    if (!m) { return color; }
    var n = parseInt(m[1], 16);
    return 'rgba(' + ((n >> 16) & 255) + ', ' + ((n >> 8) & 255) + ', ' + (n & 255) + ', ' + a + ')';
  }

  function grouped(digits) { return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ','); }

  function trimmed(value, significant) {
    var text = Number(value.toPrecision(significant)).toString();
    return text.indexOf('e') >= 0 ? value.toPrecision(significant) : text;
  }

  // A tick value as people read it: 0.01, 5, 200, 1,000, 10⁴, 2×10⁴, 10⁻⁴ (never 1e4 or 1.0E+04).
  function formatNumber(value) {
    if (value === 0 || !isFinite(value)) { return String(value); }
    var sign = value < 0 ? '−' : '', a = Math.abs(value);
    var exponent = Math.floor(Math.log10(a) + 1e-9);
    if (exponent >= 4 || exponent <= -4) {
      var mantissa = Number((a / Math.pow(10, exponent)).toPrecision(3));
      var power = '10' + String(exponent).split('').map(function (c) { return SUPERSCRIPT[c]; }).join('');
      return sign + (mantissa === 1 ? power : trimmed(mantissa, 3) + '×' + power);
    }
    if (a >= 1) {
      var parts = trimmed(a, 4).split('.');
      return sign + grouped(parts[0]) + (parts.length > 1 ? '.' + parts[1] : '');
    }
    return sign + trimmed(a, 3);
  }

  // Round ticks on a log axis over [min, max]: decades when at least three fit, else 1-2-5, else every 1…9 × 10ⁿ.
  function logTicks(min, max) {
    var lo = Math.floor(Math.log10(min) + 1e-9), hi = Math.ceil(Math.log10(max) - 1e-9);
    var sets = [[1], [1, 2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9]], ticks = [];
    for (var s = 0; s < sets.length; s++) {
      ticks = [];
      for (var e = lo; e <= hi; e++) {
        for (var k = 0; k < sets[s].length; k++) {
          var v = Number((sets[s][k] * Math.pow(10, e)).toPrecision(12));
          if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) { ticks.push(v); }
        }
      }
      if (ticks.length >= 3) { break; }
    }
    if (s === 0 && ticks.length > 9) { // many decades: every other one
      ticks = ticks.filter(function (v) { return Math.round(Math.log10(v)) % 2 === 0; });
    }
    return ticks;
  }

  function logAxis(axis) {
    // A little room beyond the data (4 % of the span in decades, at least 0.02): a line at the lowest or highest value
    // would otherwise run along the plot's border, half clipped and hidden under the axis line.
    axis.afterDataLimits = function (scale) {
      if (!(scale.min > 0) || !(scale.max > scale.min)) { return; }
      var pad = Math.max(0.04 * Math.log10(scale.max / scale.min), 0.02);
      scale.min = scale.min / Math.pow(10, pad);
      scale.max = scale.max * Math.pow(10, pad);
    };
    axis.afterBuildTicks = function (scale) {
      scale.ticks = logTicks(scale.min, scale.max).map(function (v) { return { value: v, major: false }; });
    };
    axis.ticks = { autoSkip: false, callback: function (value) { return formatNumber(value); } };
  }

  // A square-root axis (for lactation days): the first weeks get room, day 0 keeps its place. Ticks at round days.
  var SQRT_TICKS = [0, 3, 7, 14, 30, 60, 90, 120, 180, 240, 300, 365, 450, 545, 730, 912, 1095];
  class SqrtScale extends Chart.LinearScale {
    buildTicks() {
      var min = this.min, max = this.max;
      return SQRT_TICKS.filter(function (v) { return v >= min && v <= max; }).map(function (v) { return { value: v }; });
    }
    getPixelForValue(value) {
      var lo = Math.sqrt(Math.max(this.min, 0)), hi = Math.sqrt(Math.max(this.max, 0));
      return this.getPixelForDecimal(hi > lo ? (Math.sqrt(Math.max(value, 0)) - lo) / (hi - lo) : 0);
    }
    getValueForPixel(pixel) {
      var lo = Math.sqrt(Math.max(this.min, 0)), hi = Math.sqrt(Math.max(this.max, 0)), s = lo + this.getDecimalForPixel(pixel) * (hi - lo);
      return s * s;
    }
  }
  SqrtScale.id = 'sqrt';
  SqrtScale.defaults = Chart.LinearScale.defaults;
  Chart.register(SqrtScale);

  // The data's first and last x are not ticks unless round (a step of the others): "150, 151" would collide.
  function roundTicksOnly(scale) {
    var ticks = scale.ticks;
    if (scale.type !== 'linear' || ticks.length < 4) { return; }
    var step = ticks[2].value - ticks[1].value;
    var round = function (t) { var r = t.value / step; return Math.abs(r - Math.round(r)) < 1e-9; };
    scale.ticks = ticks.filter(function (t, i) { return (i > 0 && i < ticks.length - 1) || round(t); });
  }

  function points(x, y) {
    var data = new Array(x.length);
    for (var i = 0; i < x.length; i++) { data[i] = { x: x[i], y: y[i] === null ? NaN : y[i] }; }
    return data;
  }

  function percentages(series) {
    return series.map(function (s) {
      return s.y.map(function (v, i) {
        var total = 0;
        series.forEach(function (t) { total += t.y[i] || 0; });
        return total > 0 && v !== null ? 100 * v / total : null;
      });
    });
  }

  var DASHES = { dashed: [7, 4], dotted: [2, 3] };
  var AUTO_DASHES = [[7, 4], [2, 3], [10, 3, 2, 3]];

  // Lines drawn later lie on top. A line that runs on an earlier one for at least 30 % of its points (within 3 % of
  // the axis span; at least 0.03 decades on a log axis) gets dashes, and the earlier one is drawn wider,
  // so it shows on both sides of the dashes and through their gaps. Returns each line's dashes and width.
  function strokes(spec, values) {
    var lo = Infinity, hi = -Infinity;
    values.concat((spec.ranges || []).map(function (r) { return r.median || []; }))
      .forEach(function (ys) { ys.forEach(function (v) { if (v !== null) { lo = Math.min(lo, v); hi = Math.max(hi, v); } }); });
    var range = hi > lo ? hi - lo : 1;
    var span = spec.logY && hi > lo ? Math.log10(hi / lo) : 0;
    var close = spec.logY
      ? function (a, b) { return Math.abs(Math.log10(a / b)) <= Math.max(0.03 * span, 0.03); }
      : function (a, b) { return Math.abs(a - b) <= 0.03 * range; };
    var auto = 0;
    var result = spec.series.map(function (s) { return { dash: s.style ? DASHES[s.style] : [], width: s.style ? 2 : 1.5 }; });
    var covered = [];
    // Range medians are drawn under every series: a series on a median gets dashes and the median is widened.
    var medians = (spec.ranges || []).map(function (r) { return r.median ? r.median : null; });
    var medianWidth = medians.map(function () { return 2; });
    spec.series.forEach(function (s, i) {
      medians.forEach(function (m, j) {
        if (m === null) { return; }
        var both = 0, near = 0;
        for (var k = 0; k < values[i].length; k++) {
          var a = values[i][k], b = m[k];
          if (a === null || b === null) { continue; }
          both++;
          if (close(a, b)) { near++; }
        }
        if (both > 0 && near >= 0.3 * both) {
          if (result[i].dash.length === 0) { result[i].dash = AUTO_DASHES[auto++ % AUTO_DASHES.length]; result[i].width = 2; }
          medianWidth[j] = 5;
        }
      });
      for (var j = 0; j < i; j++) {
        var both = 0, near = 0;
        for (var k = 0; k < values[i].length; k++) {
          var a = values[i][k], b = values[j][k];
          if (a === null || b === null) { continue; }
          both++;
          if (close(a, b)) { near++; }
        }
        if (both > 0 && near >= 0.3 * both) {
          if (result[i].dash.length === 0) { result[i].dash = AUTO_DASHES[auto++ % AUTO_DASHES.length]; result[i].width = 2; }
          covered.push(j);
        }
      }
    });
    // A solid line under dashes is widened; a dashed one keeps its width and shows through the gaps above it.
    covered.forEach(function (j) { if (result[j].dash.length === 0) { result[j].width = 4; } });
    result.medianWidth = medianWidth;
    return result;
  }

  function axis(title, extra) {
    var a = { title: { display: title !== '', text: title } };
    for (var k in extra) { a[k] = extra[k]; }
    return a;
  }

  // an embedding: one dataset of points per group
  function scatterConfig(spec) {
    return {
      type: 'scatter',
      data: {
        datasets: spec.groups.map(function (g) {
          return { label: g.name, data: points(g.x, g.y), backgroundColor: g.color, borderColor: g.color, pointRadius: spec.radius, borderWidth: 0 };
        })
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, parsing: false, normalized: true,
        plugins: { title: { display: true, text: spec.title }, tooltip: { enabled: false } },
        scales: { x: axis(spec.xLabel, { type: 'linear' }), y: axis(spec.yLabel, { type: 'linear' }) }
      }
    };
  }

  // a dot plot: size = share expressing, colour = scaled mean expression (blue low, red high)
  function dotConfig(spec) {
    var lo = Infinity, hi = -Infinity;
    spec.dots.forEach(function (d) { lo = Math.min(lo, d.color); hi = Math.max(hi, d.color); });
    function colour(v) {
      var t = hi > lo ? (v - lo) / (hi - lo) : 0.5;
      return 'rgb(' + Math.round(40 + 200 * t) + ', ' + Math.round(80 + 40 * (1 - Math.abs(2 * t - 1))) + ', ' + Math.round(240 - 200 * t) + ')';
    }
    return {
      type: 'bubble',
      data: {
        datasets: [{
          label: spec.sizeLabel + ' (size), ' + spec.colorLabel + ' (colour)',
          data: spec.dots.map(function (d) { return { x: d.c, y: d.r, r: 1 + 9 * d.size, v: d.color, s: d.size }; }),
          backgroundColor: spec.dots.map(function (d) { return colour(d.color); })
        }]
      },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        plugins: {
          title: { display: true, text: spec.title },
          tooltip: { callbacks: { label: function (ctx) {
            var d = ctx.raw;
            return spec.rows[d.y] + ' / ' + spec.columns[d.x] + ': ' + (100 * d.s).toFixed(0) + '% expressing, ' + d.v.toFixed(2);
          } } }
        },
        scales: {
          x: axis(spec.xLabel, { type: 'linear', min: -0.5, max: spec.columns.length - 0.5, ticks: { stepSize: 1, autoSkip: false, maxRotation: 90, minRotation: 90, callback: function (v) { return spec.columns[v] || ''; } } }),
          y: axis(spec.yLabel, { type: 'linear', min: -0.5, max: spec.rows.length - 0.5, reverse: true, ticks: { stepSize: 1, autoSkip: false, callback: function (v) { return spec.rows[v] !== undefined ? spec.rows[v] : ''; } } })
        }
      }
    };
  }
  // Shaded x intervals, drawn behind the data by the annotation plugin; their labels are drawn by bandLabels below.
  function shades(spec) {
    var annotations = {};
    spec.bands.forEach(function (b, i) {
      annotations['band' + i] = {
        type: 'box', xMin: b.from, xMax: b.to, yScaleID: 'y', backgroundColor: b.color, borderWidth: 0, drawTime: 'beforeDatasetsDraw',
        adjustScaleRange: false // the data decide the axes
      };
    });
    return { annotations: annotations };
  }

  // Labels of the shaded bands in rows above the plot: each label centred on its band (kept inside the plot's width)
  // takes the first row where it overlaps no other label. The boxes are kept on the chart for the tests.
  var bandLabels = {
    id: 'milkcellsBandLabels',
    afterLayout: function (chart) {
      var state = chart.canvas.$milkcells, bands = state.spec.bands, x = chart.scales.x, area = chart.chartArea, ctx = chart.ctx;
      if (area.right - area.left < 50) { return; } // a transient layout (the page resizing): keep the last placement
      ctx.save();
      ctx.font = FONT;
      var rows = [], boxes = [];
      bands.forEach(function (b) {
        var from = Math.max(x.getPixelForValue(b.from), area.left), to = Math.min(x.getPixelForValue(b.to), area.right);
        var width = ctx.measureText(b.label).width + 6;
        var left = Math.min(Math.max((from + to) / 2 - width / 2, area.left), area.right - width);
        var row = 0;
        while (rows[row] && rows[row].some(function (r) { return left < r[1] && left + width > r[0]; })) { row++; }
        (rows[row] = rows[row] || []).push([left, left + width]);
        boxes.push({ text: b.label, row: row, left: left, right: left + width, from: from, to: to });
      });
      ctx.restore();
      state.labelRows = rows.length;
      state.labelBoxes = boxes;
      if (state.stripRows !== undefined && state.stripRows !== rows.length) {
        // The strip was sized for another number of rows (after a resize): lay out once more, outside this layout.
        requestAnimationFrame(function () { chart.update('none'); });
      }
    },
    afterDraw: function (chart) {
      var boxes = chart.canvas.$milkcells.labelBoxes || [], strip = chart.scales.bandStrip, ctx = chart.ctx;
      if (!strip || boxes.length === 0) { return; }
      ctx.save();
      ctx.font = FONT;
      ctx.textBaseline = 'middle';
      boxes.forEach(function (b) {
        var top = strip.top + b.row * ROW;
        b.top = top;
        b.bottom = top + ROW;
        ctx.fillStyle = 'rgba(0, 0, 0, 0.35)'; // a bracket from the band's start to its end under the label
        ctx.fillRect(b.from, b.bottom - 2, Math.max(b.to - b.from, 1), 1);
        ctx.fillStyle = '#333';
        ctx.fillText(b.text, b.left + 3, top + ROW / 2 - 1);
      });
      ctx.restore();
    }
  };

  function config(spec) {
    if (spec.kind === 'scatter') { return scatterConfig(spec); }
    if (spec.kind === 'dotplot') { return dotConfig(spec); }
    var y = axis(spec.yLabel, { type: spec.logY ? 'logarithmic' : 'linear' });
    if (spec.logY) { logAxis(y); }
    var options = {
      locale: 'en-US', animation: false, responsive: true, maintainAspectRatio: false, normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      plugins: {
        title: { display: true, text: spec.title, font: { size: 14 } },
        legend: {
          labels: {
            usePointStyle: true,
            filter: function (item, data) { return !data.datasets[item.datasetIndex].$hidden; },
            sort: function (a, b) { return a.datasetIndex - b.datasetIndex; } // as listed, whatever the drawing order
          }
        },
        annotation: shades(spec),
        decimation: { enabled: true, algorithm: 'lttb', samples: 800 }
      },
      scales: { y: y }
    };
    if (spec.kind === 'bar') {
      options.scales.x = axis(spec.xLabel, { stacked: spec.stacked });
      y.stacked = spec.stacked;
      return {
        type: 'bar', options: options,
        data: {
          labels: spec.categories,
          datasets: spec.series.map(function (s) { return { label: s.name, data: s.y, backgroundColor: s.color, borderColor: s.color }; })
        }
      };
    }
    var area = spec.kind === 'stacked-area';
    var values = area && spec.percent ? percentages(spec.series) : spec.series.map(function (s) { return s.y; });
    options.parsing = false;
    options.scales.x = axis(spec.xLabel, {
      type: spec.xScale === 'sqrt' ? 'sqrt' : 'linear', bounds: 'data', afterBuildTicks: roundTicksOnly,
      ticks: { maxRotation: 0, callback: function (value) { return formatNumber(value); } }
    });
    if (area) {
      y.stacked = true;
      if (spec.percent) { y.min = 0; y.max = 100; }
    }
    var stroke = area ? spec.series.map(function () { return { dash: [], width: 1.5 }; }) : strokes(spec, values);
    var datasets = [];
    (spec.ranges || []).forEach(function (range, r) {
      var shade = [0.14, 0.24, 0.36, 0.48];
      range.bands.forEach(function (band, k) {
        datasets.push({
          label: range.name + ' ' + band.lowerP + '–' + band.upperP, $hidden: true, data: points(spec.x, band.lower),
          borderWidth: 0, pointRadius: 0, fill: false, spanGaps: false, order: 10
        });
        datasets.push({
          label: range.name + ': ' + formatNumber(band.lowerP) + '–' + formatNumber(band.upperP) + 'th percentile',
          data: points(spec.x, band.upper), borderWidth: 0, pointRadius: 0, spanGaps: false, order: 10,
          backgroundColor: alpha(range.color, shade[Math.min(k, shade.length - 1)]), borderColor: alpha(range.color, shade[Math.min(k, shade.length - 1)]),
          fill: { target: datasets.length - 1 }, pointStyle: 'rect'
        });
      });
      if (range.median) {
        datasets.push({ label: range.name + ': median', data: points(spec.x, range.median), borderColor: range.color, backgroundColor: range.color,
          borderWidth: stroke.medianWidth ? stroke.medianWidth[r] : 2, pointRadius: 0, fill: false, spanGaps: false, order: 5, pointStyle: 'line' });
      }
    });
    spec.series.forEach(function (s, i) {
      datasets.push({
        label: s.name, data: points(spec.x, values[i]), borderColor: s.color,
        backgroundColor: area ? alpha(s.color, 0.55) : s.color, fill: area ? (i === 0 ? 'origin' : '-1') : false,
        borderWidth: stroke[i].width, borderDash: stroke[i].dash, pointRadius: spec.x.length > 120 ? 0 : 2, spanGaps: false,
        pointStyle: area ? 'rect' : 'line', order: -i // later series on top
      });
    });
    var marks = spec.marks || [];
    if (marks.length > 0) {
      // Marks get a strip of their own stacked under the plot (a second y axis sharing the x axis).
      y.stack = 'plot';
      y.stackWeight = 12;
      options.scales.marks = {
        type: 'linear', position: 'left', stack: 'plot', stackWeight: 1.2 * marks.length, offset: true, min: -0.5, max: marks.length - 0.5,
        reverse: true, grid: { display: false }, border: { display: true }, ticks: { display: false }, title: { display: false }
      };
      marks.forEach(function (m, k) {
        datasets.push({
          label: m.name, yAxisID: 'marks', data: m.x.map(function (v) { return { x: v, y: k }; }), showLine: false,
          pointStyle: 'triangle', rotation: 180, pointRadius: 5, pointHoverRadius: 7, borderColor: m.color, backgroundColor: m.color, order: -100
        });
      });
    }
    if (spec.bands.length > 0) {
      options.scales.bandStrip = {
        type: 'linear', position: 'top', display: true, grid: { display: false }, border: { display: false },
        ticks: { display: false }, title: { display: false },
        afterFit: function (scale) {
          var state = scale.chart.canvas.$milkcells;
          state.stripRows = Math.max(1, state.labelRows || 1);
          scale.height = state.stripRows * ROW + 2;
        }
      };
    }
    return { type: 'line', options: options, data: { datasets: datasets }, plugins: spec.bands.length > 0 ? [bandLabels] : [] };
  }

  var rendered = 0;
  document.querySelectorAll('figure.chart').forEach(function (figure) {
    try {
      var spec = JSON.parse(figure.querySelector('script.chart-data').textContent);
      var canvas = figure.querySelector('canvas');
      var state = canvas.$milkcells = { spec: spec }; // read by the band-label plugin and the tests
      var chart = new Chart(canvas, config(spec));
      // Label rows are known only after a layout; lay out again until the strip's height matches them.
      for (var pass = 0; pass < 3 && (spec.bands || []).length > 0; pass++) {
        var rows = state.labelRows;
        chart.update('none');
        if (state.labelRows === rows) { break; }
      }
      figure.setAttribute('data-rendered', 'true');
      rendered++;
    } catch (e) {
      figure.setAttribute('data-rendered', 'error');
      var message = document.createElement('p');
      message.className = 'chart-error';
      message.textContent = 'This chart could not be drawn: ' + e.message;
      figure.appendChild(message);
      console.error(e);
    }
  });
  document.documentElement.setAttribute('data-charts-rendered', String(rendered));
})();
