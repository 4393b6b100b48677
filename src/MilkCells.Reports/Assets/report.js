// Draws every chart of a MilkCells report from its JSON island (figure.chart > script.chart-data) with Chart.js.
// Sets data-rendered="true" (or "error") on each figure and data-charts-rendered="N" on <html> when done.
// Readability rules, each checked in Chromium by tests/MilkCells.Reports.Tests/BrowserTests:
//  - log axes carry round ticks written as people read them (100, 1,000, 10⁴, 2×10⁴), at least three per axis;
//  - shaded bands are labelled in a strip above the plot, taking a new row instead of overlapping another label;
//  - marks (feeds) sit in a strip of their own under the plot, one row per kind, so they never cover data;
//  - percentile bands are nested shades behind the lines, each named once in the legend;
//  - lines that cover each other on screen, wholly or in part, are layered: the top one thin and dashed, each one
//    beneath wider, so every line shows; lines equal nearly everywhere are named under the chart ("left and right coincide").
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
  var NEAR_PX = 3;      // two lines whose centres are this close on screen cover each other
  var PARTLY = 0.15;    // lines that cover each other over this share of either one's drawn length: the upper is dashed
  var MOSTLY = 0.5;     // …over half of it (or a line half covered by those above it): drawn in layers
  var SAME = 0.9;       // …over this share of both: the chart says they coincide
  var RIM = 3.5;        // each layer down is this much wider, so it shows on both sides of the lines above

  // Each line's drawn pixels, as [x, y] per point (null where there is no value), on the chart's current scales.
  function screenPoints(chart, xs, ys) {
    var sx = chart.scales.x, sy = chart.scales.y;
    return ys.map(function (v, k) {
      return v === null || !isFinite(v) || (sy.type === 'logarithmic' && !(v > 0)) ? null : [sx.getPixelForValue(xs[k]), sy.getPixelForValue(v)];
    });
  }

  // Each point's weight in a line's drawn length: half of each of its two segments, in pixels (at least 1).
  function weights(a) {
    return a.map(function (p, k) {
      if (p === null) { return 0; }
      var w = 0;
      if (k > 0 && a[k - 1] !== null) { w += Math.hypot(p[0] - a[k - 1][0], p[1] - a[k - 1][1]) / 2; }
      if (k + 1 < a.length && a[k + 1] !== null) { w += Math.hypot(a[k + 1][0] - p[0], a[k + 1][1] - p[1]) / 2; }
      return Math.max(w, 1);
    });
  }

  // The share of a's drawn length that lies within NEAR_PX of any of the lines others at the same x.
  function nearShare(a, others) {
    var w = weights(a), near = 0, total = 0;
    for (var k = 0; k < a.length; k++) {
      total += w[k];
      if (a[k] !== null && others.some(function (b) { return b[k] !== null && Math.abs(a[k][1] - b[k][1]) <= NEAR_PX; })) { near += w[k]; }
    }
    return total > 0 ? near / total : 0;
  }

  // Lines that cover each other on screen are layered. Pairs covering MOSTLY take different layers (a greedy
  // colouring in the order listed); a line still covered MOSTLY by the lines drawn above it at its width or wider
  // goes one layer down, until none is. Layer 0 is drawn on top, thin; each layer down is RIM px wider and drawn
  // beneath, so it shows as a rim on both sides of the lines above. A line over another PARTLY gets dashes, so the
  // one beneath also shows through the gaps. A range's median lies under every series: one that runs on it gets
  // dashes and the median is widened past it. Pairs that coincide nearly everywhere are named, since a reader
  // cannot tell "equal" from "hidden" by colour alone.
  // Returns each series' dash, width and drawing order, the medians' widths and the coinciding pairs.
  function strokes(spec, chart, values) {
    var n = spec.series.length;
    var lines = values.map(function (ys) { return screenPoints(chart, spec.x, ys); });
    var medians = (spec.ranges || []).map(function (r) { return r.median ? screenPoints(chart, spec.x, r.median) : null; });
    var share = lines.map(function (a) { return lines.map(function (b) { return a === b ? 0 : nearShare(a, [b]); }); });
    var layer = [], same = [];
    for (var i = 0; i < n; i++) {
      var taken = [];
      for (var j = 0; j < i; j++) {
        if (Math.max(share[i][j], share[j][i]) >= MOSTLY) { taken.push(layer[j]); }
        if (Math.min(share[i][j], share[j][i]) >= SAME) { same.push([j, i]); }
      }
      var l = 0;
      while (taken.indexOf(l) >= 0) { l++; }
      layer.push(l);
    }
    var width = function (i) { return layer[i] === 0 ? (spec.series[i].style ? 2 : 1.5) : 2 + RIM * layer[i]; };
    var above = function (j, i) { return layer[j] < layer[i] || (layer[j] === layer[i] && j > i); }; // j drawn over i
    for (var pass = 0; pass < n; pass++) {
      var moved = false;
      for (i = 0; i < n; i++) {
        var over = lines.filter(function (_, j) { return j !== i && above(j, i) && width(j) >= width(i); });
        if (over.length > 0 && nearShare(lines[i], over) >= MOSTLY) { layer[i]++; moved = true; }
      }
      if (!moved) { break; }
    }
    var auto = 0;
    var nextDash = function () { return AUTO_DASHES[auto++ % AUTO_DASHES.length]; };
    var result = spec.series.map(function (s, i) {
      var dash = s.style ? DASHES[s.style] : [];
      var onTop = share[i].some(function (v, j) { return above(i, j) && Math.max(v, share[j][i]) >= PARTLY; });
      if (dash.length === 0 && onTop) { dash = nextDash(); }
      return { dash: dash, width: onTop && layer[i] === 0 ? 2 : width(i), order: -1000 + 100 * layer[i] - i };
    });
    result.medianWidth = medians.map(function (m) {
      var w = 2;
      if (m === null) { return w; }
      lines.forEach(function (line, i) {
        if (Math.max(nearShare(line, [m]), nearShare(m, [line])) < PARTLY) { return; }
        if (result[i].dash.length === 0) { result[i].dash = nextDash(); }
        w = Math.max(w, result[i].width + RIM);
      });
      return w;
    });
    result.same = same.map(function (p) { // [on top, beneath]
      return above(p[0], p[1]) ? [spec.series[p[0]].name, spec.series[p[1]].name] : [spec.series[p[1]].name, spec.series[p[0]].name];
    });
    return result;
  }

  // Applies strokes() once the scales are laid out (and again after a resize changes them). Widths and dashes take
  // effect in this update; a changed drawing order needs one more, which the caller or the next frame makes.
  var coincidence = {
    id: 'milkcellsCoincidence',
    afterLayout: function (chart) {
      var state = chart.canvas.$milkcells, spec = state.spec, area = chart.chartArea;
      if (!state.lines || area.right - area.left < 50) { return; }
      var stroke = strokes(spec, chart, state.values), reorder = false;
      state.lines.forEach(function (d, i) {
        d.borderWidth = stroke[i].width;
        d.borderDash = stroke[i].dash;
        if (d.order !== stroke[i].order) { d.order = stroke[i].order; reorder = true; }
      });
      state.medians.forEach(function (d, r) { if (d) { d.borderWidth = stroke.medianWidth[r]; } });
      state.same = stroke.same;
      note(chart.canvas.closest('figure'), stroke.same);
      if (reorder && state.drawn) { requestAnimationFrame(function () { chart.update('none'); }); }
      state.reorder = reorder;
    }
  };

  // "left and right coincide", under the chart, for lines drawn one over the other nearly everywhere.
  function note(figure, same) {
    if (!figure) { return; }
    var p = figure.querySelector('p.coincide');
    if (same.length === 0) { if (p) { p.remove(); } return; }
    if (!p) {
      p = document.createElement('p');
      p.className = 'coincide';
      figure.querySelector('.canvas-box').insertAdjacentElement('afterend', p);
    }
    p.textContent = same.map(function (s) { return s[0] + ' and ' + s[1] + ' coincide: ' + s[0] + ' is drawn dashed over a wider ' + s[1] + '.'; }).join(' ');
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
    var datasets = [], state = { lines: area ? null : [], medians: [], values: values };
    (spec.ranges || []).forEach(function (range, r) {
      var shade = [0.14, 0.24, 0.36, 0.48];
      range.bands.forEach(function (band, k) {
        datasets.push({
          label: range.name + ' ' + band.lowerP + '–' + band.upperP, $hidden: true, data: points(spec.x, band.lower),
          borderWidth: 0, pointRadius: 0, fill: false, spanGaps: false, order: 10
        });
        datasets.push({
          label: range.name + ': ' + (band.label || formatNumber(band.lowerP) + '–' + formatNumber(band.upperP) + 'th percentile'),
          data: points(spec.x, band.upper), borderWidth: 0, pointRadius: 0, spanGaps: false, order: 10,
          backgroundColor: alpha(range.color, shade[Math.min(k, shade.length - 1)]), borderColor: alpha(range.color, shade[Math.min(k, shade.length - 1)]),
          fill: { target: datasets.length - 1 }, pointStyle: 'rect'
        });
      });
      var median = null;
      if (range.median) {
        median = { label: range.name + ': median', data: points(spec.x, range.median), borderColor: range.color, backgroundColor: range.color,
          borderWidth: 2, pointRadius: 0, fill: false, spanGaps: false, order: 5, pointStyle: 'line' };
        datasets.push(median);
      }
      state.medians.push(median);
    });
    spec.series.forEach(function (s, i) {
      var line = {
        label: s.name, data: points(spec.x, values[i]), borderColor: s.color,
        backgroundColor: area ? alpha(s.color, 0.55) : s.color, fill: area ? (i === 0 ? 'origin' : '-1') : false,
        borderWidth: s.style ? 2 : 1.5, borderDash: s.style ? DASHES[s.style] : [], pointRadius: spec.x.length > 120 ? 0 : 2, spanGaps: false,
        pointStyle: area ? 'rect' : 'line', order: -1000 - i // later series on top; coinciding lines are layered by strokes()
      };
      datasets.push(line);
      if (state.lines) { state.lines.push(line); }
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
          pointStyle: 'triangle', rotation: 180, pointRadius: 5, pointHoverRadius: 7, borderColor: m.color, backgroundColor: m.color, order: -100000
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
    return { type: 'line', options: options, data: { datasets: datasets }, plugins: [coincidence].concat(spec.bands.length > 0 ? [bandLabels] : []), $state: state };
  }

  var rendered = 0;
  document.querySelectorAll('figure.chart').forEach(function (figure) {
    try {
      var spec = JSON.parse(figure.querySelector('script.chart-data').textContent);
      var canvas = figure.querySelector('canvas');
      var state = canvas.$milkcells = { spec: spec }; // read by the band-label and coincidence plugins and the tests
      var made = config(spec);
      for (var key in made.$state || {}) { state[key] = made.$state[key]; }
      delete made.$state;
      var chart = new Chart(canvas, made);
      // Label rows are known only after a layout; lay out again until the strip's height matches them.
      for (var pass = 0; pass < 3 && (spec.bands || []).length > 0; pass++) {
        var rows = state.labelRows;
        chart.update('none');
        if (state.labelRows === rows) { break; }
      }
      if (state.reorder) { chart.update('none'); } // the drawing order strokes() chose on the last layout
      state.drawn = true;
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
