// The script of the HTML report page: reads the chart specs from the page's JSON data block
// and draws each with Chart.js. Plain ES5-style JavaScript in a string, because it runs in
// the browser as written; it must not contain backticks or dollar-brace sequences.

/** The report page's own script (runs after Chart.js's UMD build has defined `Chart`). */
export const REPORT_PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var Chart = window.Chart;
  var font = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.family = font;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = '#475569';
  Chart.defaults.borderColor = '#e2e8f0';
  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;

  function trim(value) {
    var magnitude = Math.abs(value);
    var digits = magnitude >= 100 ? 0 : magnitude >= 10 ? 1 : magnitude >= 1 ? 2 : 3;
    return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
  }

  function formatValue(value, unit) {
    if (value === null || value === undefined || !isFinite(value)) return '\u2014';
    if (unit === 'percent') return trim(value) + ' %';
    if (unit === 'ms') return value >= 1000 ? trim(value / 1000) + ' s' : trim(value) + ' ms';
    if (unit === 's') return trim(value) + ' s';
    if (unit === 'per_s') return trim(value) + '/s';
    return trim(value);
  }

  function alpha(hex, opacity) {
    var n = parseInt(hex.slice(1), 16);
    return 'rgba(' + ((n >> 16) & 255) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + opacity + ')';
  }

  function isRoundLogTick(value) {
    var mantissa = value / Math.pow(10, Math.floor(Math.log10(value) + 1e-9));
    mantissa = Math.round(mantissa * 1000) / 1000;
    return mantissa === 1 || mantissa === 2 || mantissa === 5;
  }

  function axis(spec, position) {
    var scale = {
      type: spec.scale,
      position: position,
      title: { display: true, text: spec.title, color: '#334155', font: { weight: '600' } },
      grid: { color: '#eef2f7' },
      ticks: { color: '#64748b' },
    };
    if (spec.max !== undefined) scale.max = spec.max;
    if (spec.scale === 'linear') {
      scale.beginAtZero = true;
      scale.ticks.callback = function (value) {
        return trim(value);
      };
    }
    if (spec.scale === 'logarithmic') {
      scale.ticks.autoSkip = false;
      scale.ticks.maxRotation = 0;
      scale.ticks.callback = function (value) {
        return isRoundLogTick(value) ? trim(value) : '';
      };
    }
    if (spec.scale === 'category') scale.title.display = false;
    return scale;
  }

  var pointLabels = {
    id: 'lensPointLabels',
    afterDatasetsDraw: function (chart) {
      var ctx = chart.ctx;
      chart.data.datasets.forEach(function (dataset, i) {
        if (!dataset.lensLabels) return;
        var meta = chart.getDatasetMeta(i);
        if (meta.hidden) return;
        ctx.save();
        ctx.font = '600 11px ' + font;
        ctx.fillStyle = '#1e293b';
        ctx.textAlign = 'center';
        meta.data.forEach(function (element, j) {
          var point = dataset.data[j];
          if (!point || point.y === null || point.y === undefined) return;
          ctx.fillText(dataset.lensLabels[j], element.x, element.y - 12);
        });
        ctx.restore();
      });
    },
  };

  function lineDataset(series) {
    var dataset = {
      label: series.label,
      data: series.points.map(function (p) { return { x: p[0], y: p[1] }; }),
      borderColor: series.color,
      backgroundColor: series.isFilled ? alpha(series.color, 0.1) : series.color,
      fill: series.isFilled ? 'origin' : false,
      stepped: series.isStepped ? 'middle' : false,
      borderWidth: series.isStepped ? 1.5 : 2,
      pointRadius: series.showPoints ? 2.5 : 0,
      pointHoverRadius: 5,
      pointBackgroundColor: series.color,
      tension: 0,
      spanGaps: Boolean(series.isGapSpanned),
      order: 1,
    };
    if (series.isDashed) dataset.borderDash = [6, 4];
    if (series.pointLabels) dataset.lensLabels = series.pointLabels;
    if (series.marker) {
      dataset.showLine = false;
      dataset.pointStyle = series.marker === 'knee' ? 'triangle' : 'rectRot';
      dataset.pointRadius = 9;
      dataset.pointHoverRadius = 11;
      dataset.pointBorderColor = '#ffffff';
      dataset.pointBorderWidth = 2;
      dataset.order = 0;
    }
    return dataset;
  }

  function barDataset(series) {
    return {
      label: series.label,
      data: series.points.map(function (p) { return p[1]; }),
      backgroundColor: alpha(series.color, 0.85),
      borderColor: series.color,
      borderWidth: 1,
      borderRadius: 3,
      maxBarThickness: 48,
    };
  }

  function chartConfig(spec) {
    var isBar = spec.type === 'bar';
    var scales = { x: axis(spec.x, 'bottom'), y: axis(spec.y, 'left') };
    if (!isBar) scales.y.grace = spec.series.some(function (s) { return s.pointLabels; }) ? '12%' : 0;
    return {
      type: spec.type,
      data: isBar
        ? { labels: spec.categories, datasets: spec.series.map(barDataset) }
        : { datasets: spec.series.map(lineDataset) },
      options: {
        interaction: isBar ? { mode: 'index', intersect: false } : { mode: 'nearest', intersect: false },
        layout: { padding: { top: 4, right: 8 } },
        scales: scales,
        plugins: {
          legend: {
            display: spec.showLegend,
            position: 'bottom',
            labels: {
              usePointStyle: true,
              boxWidth: 8,
              boxHeight: 8,
              padding: 14,
              sort: function (a, b) { return a.datasetIndex - b.datasetIndex; },
            },
          },
          tooltip: {
            callbacks: {
              title: function (items) {
                if (!items.length || isBar) return items.length ? items[0].label : '';
                return formatValue(items[0].parsed.x, spec.x.unit);
              },
              label: function (item) {
                return ' ' + item.dataset.label + ': ' + formatValue(item.parsed.y, spec.y.unit);
              },
            },
          },
        },
      },
      plugins: [pointLabels],
    };
  }

  var drawn = 0;
  data.charts.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    new Chart(canvas, chartConfig(spec));
    drawn += 1;
  });
  document.body.setAttribute('data-charts-drawn', String(drawn));
})();
`;
