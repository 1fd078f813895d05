// The run as one self-contained HTML page: the report's tables, and charts drawn by an
// inlined Chart.js from data inlined as JSON. The page loads nothing from anywhere.
import type { RunSummary } from '@llm-lens/metrics';
import {
  buildReportCharts,
  type ChartSection,
  type ChartSpec,
  targetColor,
} from './report-charts.js';
import { REPORT_PAGE_SCRIPT } from './report-page-script.js';
import { buildReportContent, type ReportCell, type ReportTable } from './report-tables.js';
import type { RunDistributions } from './run-distributions.js';

/**
 * The page's Content-Security-Policy: inline scripts and styles only, images only from
 * data: URLs, and nothing else (no fetch, no font, no frame), so opening the report cannot
 * reach the network even if a value in it were crafted.
 */
export const REPORT_CSP =
  "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:";

export interface HtmlReportInput {
  /** What the run's records left (histograms and time windows); null or absent: a summary alone. */
  distributions?: RunDistributions | null;
  /** Chart.js's UMD build, as `loadChartJsSource()` returns it. */
  chartJsSource: string;
}

/** Text for HTML element content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** JSON that can sit inside a `<script>` element: `<` is written as \u003c. */
export function inlineJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function renderCell(cell: ReportCell, tag: 'td' | 'th', align: 'left' | 'right'): string {
  const classes = [align === 'right' ? 'num' : ''];
  if (cell.isBest === true) classes.push('best');
  if (cell.isWarning === true) classes.push('warn');
  if (cell.targetIndex !== undefined) classes.push('target');
  const swatch =
    cell.targetIndex === undefined
      ? ''
      : `<span class="swatch" style="background:${targetColor(cell.targetIndex)}"></span>`;
  const subtext =
    cell.subtext === undefined ? '' : ` <span class="sub">${escapeHtml(cell.subtext)}</span>`;
  const text = escapeHtml(cell.text).replace(/\r\n|\r|\n/g, '<br>') + subtext;
  const className = classes.filter((c) => c !== '').join(' ');
  return `<${tag}${className === '' ? '' : ` class="${className}"`}>${swatch}${text}</${tag}>`;
}

/** A table of the report as HTML, in a horizontally scrolling wrapper. */
export function renderHtmlTable(table: ReportTable, caption?: string): string {
  const head = table.columns
    .map((c) => `<th class="${c.align === 'right' ? 'num' : ''}">${escapeHtml(c.label)}</th>`)
    .join('');
  const body = table.rows
    .map(
      (row) =>
        `<tr>${row.map((cell, i) => renderCell(cell, i === 0 && cell.targetIndex !== undefined ? 'th' : 'td', table.columns[i]?.align ?? 'left')).join('')}</tr>`,
    )
    .join('\n');
  const captionHtml = caption === undefined ? '' : `<caption>${escapeHtml(caption)}</caption>`;
  return `<div class="table-wrap"><table>${captionHtml}<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`;
}

function renderChart(chart: ChartSpec): string {
  return `<figure class="card chart">
<figcaption><h3>${escapeHtml(chart.title)}</h3><p>${escapeHtml(chart.note)}</p></figcaption>
<div class="chart-box"><canvas id="${escapeHtml(chart.id)}" role="img" aria-label="${escapeHtml(chart.title)}"></canvas></div>
</figure>`;
}

/** One legend of target colours for a section's charts, which draw none of their own. */
function renderLegend(charts: readonly ChartSpec[]): string {
  const seen = new Map<string, string>();
  for (const chart of charts) {
    if (chart.showLegend) continue;
    for (const series of chart.series) seen.set(series.label, series.color);
  }
  if (seen.size === 0) return '';
  const items = [...seen]
    .map(
      ([label, color]) =>
        `<li><span class="swatch" style="background:${color}"></span>${escapeHtml(label)}</li>`,
    )
    .join('');
  return `<ul class="legend" aria-label="Targets">${items}</ul>`;
}

function chartsOf(charts: readonly ChartSpec[], section: ChartSection): string {
  const inSection = charts.filter((c) => c.section === section);
  if (inSection.length === 0) return '';
  return `${renderLegend(inSection)}<div class="grid grid-${section}">\n${inSection.map(renderChart).join('\n')}\n</div>`;
}

/**
 * The report as one HTML document (pure): tables, charts (Chart.js inlined, data inlined
 * as JSON), no external resource at all. With `distributions` the charts come from the
 * records; without, from what the summary holds, and the page says what is missing.
 */
export function renderHtmlReport(summary: RunSummary, input: HtmlReportInput): string {
  const content = buildReportContent(summary);
  const { charts, omitted } = buildReportCharts(summary, input.distributions ?? null);
  const { header, fidelity } = content;
  const started = new Date(header.startedAt);
  const startedText = Number.isNaN(started.getTime())
    ? header.startedAt
    : `${started.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
  const badges = [
    header.complete
      ? '<span class="badge ok">complete</span>'
      : '<span class="badge warn">interrupted: partial results</span>',
    fidelity.clientBound === true
      ? '<span class="badge warn">client-bound</span>'
      : fidelity.clientBound === false
        ? '<span class="badge ok">client not the bottleneck</span>'
        : '<span class="badge muted">fidelity not judged</span>',
  ];
  const meta: Array<[string, string]> = [
    ['run', header.runId],
    ['started', startedText],
    ['duration', header.duration],
    ['tool', `llm-latency-lens ${header.toolVersion}`],
    ['node', summary.run.node_version],
    ['platform', `${summary.run.platform}, ${summary.run.cpu_count} CPUs`],
  ];
  const targets = summary.groups.length;
  const sections: string[] = [];
  if (fidelity.clientBound === true || fidelity.warnings.length > 0) {
    sections.push(`<div class="callout${fidelity.clientBound === true ? ' warn' : ''}">
<strong>${escapeHtml(fidelity.line)}</strong>
${fidelity.warnings.length === 0 ? '' : `<ul>${fidelity.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`}
</div>`);
  }
  sections.push(`<section id="results">
<h2>Results</h2>
<p class="lead">${targets} target${targets === 1 ? '' : 's'} (provider · model · scenario); latencies in milliseconds over successful measured requests.</p>
${targets === 0 ? '<p>No requests were measured.</p>' : renderHtmlTable(content.results)}
</section>`);
  if (content.comparison !== null || charts.some((c) => c.section === 'comparison')) {
    sections.push(`<section id="comparison">
<h2>Comparison</h2>
${content.comparison === null ? '' : `<p class="lead">Each statistic relative to the best target: lowest latency and cost, highest success rate and throughput.</p>\n${renderHtmlTable(content.comparison)}`}
${chartsOf(charts, 'comparison')}
</section>`);
  }
  if (charts.some((c) => c.section === 'distributions')) {
    sections.push(`<section id="distributions">
<h2>Latency distributions</h2>
${chartsOf(charts, 'distributions')}
</section>`);
  }
  if (charts.some((c) => c.section === 'time')) {
    sections.push(`<section id="over-time">
<h2>Over time</h2>
${chartsOf(charts, 'time')}
</section>`);
  }
  if (content.sweeps.length > 0) {
    const sweepCharts = charts.filter((c) => c.section === 'sweeps');
    sections.push(`<section id="sweeps">
<h2>Sweeps</h2>
${content.sweeps
  .map((sweep, i) => {
    const chart = sweepCharts[i];
    return `<div class="sweep">
<h3>${escapeHtml(sweep.title)}</h3>
${renderHtmlTable(sweep.table)}
<p class="${sweep.kneeLine.startsWith('Knee') ? 'knee-line' : 'lead'}">${escapeHtml(sweep.kneeLine)}</p>
${sweep.bestLine === null ? '' : `<p class="lead">${escapeHtml(sweep.bestLine)}</p>`}
${chart === undefined ? '' : `<div class="sweep-chart">${renderChart(chart)}</div>`}
</div>`;
  })
  .join('\n')}
</section>`);
  }
  if (content.goodput !== null) {
    sections.push(`<section id="goodput">
<h2>Goodput</h2>
${renderHtmlTable(content.goodput)}
</section>`);
  }
  if (content.errors !== null) {
    sections.push(`<section id="errors">
<h2>Errors</h2>
${renderHtmlTable(content.errors)}
</section>`);
  }
  sections.push(`<section id="fidelity">
<h2>Fidelity</h2>
<p>${escapeHtml(fidelity.line)}.</p>
${fidelity.warnings.length === 0 ? '<p class="muted">No warnings.</p>' : `<ul>${fidelity.warnings.map((w) => `<li>${escapeHtml(w)}</li>`).join('')}</ul>`}
</section>`);
  if (omitted.length > 0) {
    sections.push(`<section id="omitted">
<h2>Charts not drawn</h2>
<ul>${omitted.map((o) => `<li>${escapeHtml(o)}</li>`).join('')}</ul>
</section>`);
  }
  const data = { summary, charts };
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${REPORT_CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="generator" content="llm-latency-lens ${escapeHtml(header.toolVersion)}">
<title>LLM latency report · ${escapeHtml(startedText)}</title>
<link rel="icon" href="data:,">
<style>${REPORT_CSS}</style>
</head>
<body>
<header class="page-header">
<div class="inner">
<p class="eyebrow">llm-latency-lens</p>
<h1>LLM latency report</h1>
<div class="badges">${badges.join('')}</div>
<dl class="meta">${meta.map(([k, v]) => `<div><dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd></div>`).join('')}</dl>
</div>
</header>
<main>
${sections.join('\n')}
</main>
<footer>Generated by llm-latency-lens ${escapeHtml(header.toolVersion)}. One self-contained file: it loads nothing from the network. Charts drawn with Chart.js (MIT license), inlined.</footer>
<script type="application/json" id="report-data">${inlineJson(data)}</script>
<script>${input.chartJsSource}</script>
<script>${REPORT_PAGE_SCRIPT}</script>
</body>
</html>
`;
}

const REPORT_CSS = `
:root {
  --text: #0f172a; --muted: #64748b; --line: #e2e8f0; --soft: #f8fafc; --accent: #2563eb;
  --ok: #047857; --ok-bg: #ecfdf5; --warn: #b45309; --warn-bg: #fffbeb; --bad: #b91c1c;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", "Liberation Sans", Arial, sans-serif;
  color: var(--text); background: #f1f5f9; line-height: 1.5; font-size: 15px;
}
* { box-sizing: border-box; }
body { margin: 0; }
.page-header { background: #ffffff; border-bottom: 1px solid var(--line); }
.inner, main, footer { max-width: 1360px; margin: 0 auto; padding: 0 24px; }
.page-header .inner { padding-top: 22px; padding-bottom: 18px; }
.eyebrow { margin: 0; color: var(--accent); font-weight: 600; font-size: 13px; letter-spacing: .04em; text-transform: uppercase; }
h1 { margin: 2px 0 10px; font-size: 28px; letter-spacing: -.01em; }
h2 { font-size: 19px; margin: 34px 0 10px; }
h3 { font-size: 15px; margin: 0; }
.badges { display: flex; gap: 8px; flex-wrap: wrap; margin-bottom: 12px; }
.badge { display: inline-block; padding: 2px 10px; border-radius: 999px; font-size: 12.5px; font-weight: 600; border: 1px solid; }
.badge.ok { color: var(--ok); background: var(--ok-bg); border-color: #a7f3d0; }
.badge.warn { color: var(--warn); background: var(--warn-bg); border-color: #fcd34d; }
.badge.muted { color: var(--muted); background: var(--soft); border-color: var(--line); }
.meta { display: flex; flex-wrap: wrap; gap: 6px 28px; margin: 0; font-size: 13.5px; }
.meta div { display: flex; gap: 6px; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; font-variant-numeric: tabular-nums; }
.lead, .muted { color: var(--muted); margin: 0 0 12px; font-size: 14px; }
.card { background: #ffffff; border: 1px solid var(--line); border-radius: 10px; box-shadow: 0 1px 2px rgba(15, 23, 42, .04); }
.table-wrap { overflow-x: auto; background: #ffffff; border: 1px solid var(--line); border-radius: 10px; margin-bottom: 16px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; font-variant-numeric: tabular-nums; }
th, td { padding: 7px 10px; text-align: left; border-bottom: 1px solid var(--line); white-space: nowrap; vertical-align: top; }
th:first-child, td:first-child { padding-left: 14px; }
th:last-child, td:last-child { padding-right: 14px; }
thead th { background: var(--soft); color: #334155; font-weight: 600; font-size: 12px; white-space: normal; vertical-align: bottom; line-height: 1.3; }
th.target { white-space: normal; min-width: 200px; }
.sub { display: block; color: var(--muted); font-weight: 400; font-size: 12.5px; }
tbody tr:last-child > * { border-bottom: 0; }
tbody tr:hover { background: #f8fafc; }
tbody th { font-weight: 600; }
.num { text-align: right; }
td.best { color: var(--ok); font-weight: 600; }
td.warn { color: var(--bad); font-weight: 600; }
#errors td:last-child { white-space: normal; min-width: 320px; font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.swatch { display: inline-block; flex: none; width: 10px; height: 10px; border-radius: 50%; margin-right: 7px; vertical-align: 0; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(min(100%, 560px), 1fr)); gap: 16px; }
.grid-comparison { grid-template-columns: repeat(auto-fill, minmax(min(100%, 380px), 1fr)); }
.grid-time { grid-template-columns: 1fr; }
.grid-time .chart-box { height: 260px; }
.chart { margin: 0; padding: 14px 16px 10px; }
.chart figcaption p { margin: 2px 0 8px; color: var(--muted); font-size: 13px; }
.chart-box { position: relative; height: 300px; }
.sweep h3 { margin: 8px 0 10px; }
.sweep .table-wrap { margin-bottom: 10px; }
.sweep .lead, .knee-line { margin: 0 0 6px; font-size: 14px; }
.knee-line { color: var(--bad); }
.sweep-chart { margin-top: 14px; }
.sweep-chart .chart-box { height: 340px; }
.legend { list-style: none; display: flex; flex-wrap: wrap; gap: 4px 18px; margin: 0 0 12px; padding: 0; font-size: 13px; color: #334155; }
.legend li { display: flex; align-items: center; }
.callout { margin-top: 20px; padding: 12px 16px; border-radius: 10px; border: 1px solid #bfdbfe; background: #eff6ff; font-size: 14px; }
.callout.warn { border-color: #fcd34d; background: var(--warn-bg); }
.callout ul, #fidelity ul, #omitted ul { margin: 6px 0 0; padding-left: 20px; }
#fidelity p, #omitted li, #fidelity li { font-size: 14px; }
footer { color: var(--muted); font-size: 12.5px; padding-top: 28px; padding-bottom: 32px; }
@media (max-width: 640px) { .inner, main, footer { padding: 0 12px; } h1 { font-size: 23px; } }
`;
