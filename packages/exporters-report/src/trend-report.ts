import { inlineScript, loadChartJsSource } from './chart-library.js';
import { escapeHtml, inlineJson, REPORT_CSP } from './html-report.js';
import { targetColor } from './report-charts.js';

/** One line of a trend chart: a provider/model/scenario and its value in each saved run. */
export interface TrendSeries {
  label: string;
  points: ReadonlyArray<{ started_at: string; run_id: string; value: number | null }>;
}

export interface TrendReportInput {
  /** `ttft.p95`. */
  metric: string;
  /** Axis unit (`ms`, `requests/s`); empty for a ratio. */
  unit: string;
  series: readonly TrendSeries[];
  /** What was selected (`--provider`, `--since`), shown under the title. */
  subtitle?: string;
}

/**
 * A self-contained HTML page with one line chart: a statistic across saved runs, one line
 * per provider/model/scenario, by the runs' start time. Like the run report, it inlines
 * Chart.js and forbids every fetch.
 */
export function renderTrendHtml(input: TrendReportInput): string {
  const datasets = input.series.map((series, index) => ({
    label: series.label,
    color: targetColor(index),
    points: series.points
      .filter((p) => p.value !== null)
      .map((p) => ({ x: Date.parse(p.started_at), y: p.value, run: p.run_id })),
  }));
  const title = `${input.metric}${input.unit === '' ? '' : ` (${input.unit})`} over time`;
  const page = `(() => {
  const data = JSON.parse(document.getElementById('trend-data').textContent);
  new Chart(document.getElementById('trend'), {
    type: 'line',
    data: { datasets: data.datasets.map((d) => ({ label: d.label, data: d.points, borderColor: d.color, backgroundColor: d.color, tension: 0, pointRadius: 3 })) },
    options: {
      animation: false,
      parsing: { xAxisKey: 'x', yAxisKey: 'y' },
      scales: {
        x: { type: 'linear', title: { display: true, text: 'run start' }, ticks: { callback: (v) => new Date(v).toISOString().slice(0, 16).replace('T', ' ') } },
        y: { title: { display: true, text: data.yTitle } },
      },
      plugins: { tooltip: { callbacks: { title: (items) => items.map((i) => new Date(i.raw.x).toISOString() + ' · run ' + i.raw.run) } } },
    },
  });
  document.body.setAttribute('data-charts-drawn', '1');
})();`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2933;padding:0 1rem}h1{font-size:1.4rem}p{color:#52606d}.chart{position:relative;height:420px}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<p>${escapeHtml(input.subtitle ?? '')}${input.series.length === 0 ? ' No saved run matched.' : ''}</p>
<div class="chart"><canvas id="trend" role="img" aria-label="${escapeHtml(title)}"></canvas></div>
<script type="application/json" id="trend-data">${inlineJson({ datasets, yTitle: input.unit === '' ? input.metric : `${input.metric} (${input.unit})` })}</script>
<script>${inlineScript(loadChartJsSource())}</script>
<script>${page}</script>
</body>
</html>
`;
}
