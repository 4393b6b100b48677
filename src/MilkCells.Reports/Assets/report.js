// Draws every chart of a MilkCells report from its JSON island (figure.chart > script.chart-data) with Chart.js.
// Sets data-rendered="true" (or "error") on each figure and data-charts-rendered="N" on <html> when done.
(function () {
  'use strict';

  function alpha(color, a) {
    var m = /^#([0-9a-f]{6})$/i.exec(color);
    if (!m) { return color; }
    var n = parseInt(m[1], 16);
    return 'rgba(' + ((n >> 16) & 255) + ', ' + ((n >> 8) & 255) + ', ' + (n & 255) + ', ' + a + ')';
  }

  function logTick(value) {
    var exponent = Math.log10(value);
    return Math.abs(exponent - Math.round(exponent)) < 1e-9 ? '1e' + Math.round(exponent) : '';
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

  function bands(spec) {
    var annotations = {};
    spec.bands.forEach(function (b, i) {
      annotations['band' + i] = {
        type: 'box', xMin: b.from, xMax: b.to, backgroundColor: b.color, borderWidth: 0, drawTime: 'beforeDatasetsDraw',
        label: { display: true, content: b.label, position: { x: 'center', y: 'start' }, font: { size: 11 }, color: '#333' }
      };
    });
    return { annotations: annotations };
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

  function config(spec) {
    if (spec.kind === 'scatter') { return scatterConfig(spec); }
    if (spec.kind === 'dotplot') { return dotConfig(spec); }
    var y = axis(spec.yLabel, { type: spec.logY ? 'logarithmic' : 'linear' });
    if (spec.logY) { y.ticks = { callback: logTick }; }
    var options = {
      animation: false, responsive: true, maintainAspectRatio: false, normalized: true,
      interaction: { mode: 'nearest', intersect: false },
      plugins: {
        title: { display: true, text: spec.title },
        annotation: bands(spec),
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
    options.scales.x = axis(spec.xLabel, { type: 'linear', min: spec.x[0], max: spec.x[spec.x.length - 1] });
    if (area) {
      y.stacked = true;
      if (spec.percent) { y.min = 0; y.max = 100; }
    }
    return {
      type: 'line', options: options,
      data: {
        datasets: spec.series.map(function (s, i) {
          return {
            label: s.name, data: points(spec.x, values[i]), borderColor: s.color,
            backgroundColor: area ? alpha(s.color, 0.55) : s.color, fill: area ? (i === 0 ? 'origin' : '-1') : false,
            borderWidth: 1.5, pointRadius: spec.x.length > 120 ? 0 : 2, spanGaps: false
          };
        })
      }
    };
  }

  var rendered = 0;
  document.querySelectorAll('figure.chart').forEach(function (figure) {
    try {
      var spec = JSON.parse(figure.querySelector('script.chart-data').textContent);
      new Chart(figure.querySelector('canvas'), config(spec));
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
