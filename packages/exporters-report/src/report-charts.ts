// The HTML report's charts as data (pure): series of points with their axes, titles and
// colours, built from the summary and, when the run's records were seen, from what
// RunDistributions kept of them. The page script turns each into a Chart.js chart.
import type { DistributionSummary, GroupSummary, RunSummary, SweepReport } from '@llm-lens/metrics';
import type { LogHistogram } from './log-histogram.js';
import { targetLabel } from './report-tables.js';
import { type RunDistributions, type TargetDistributions, targetId } from './run-distributions.js';

/**
 * One colour per target, in summary order: distinct in hue and lightness, readable on white.
 * A target keeps its colour in every chart and table of the report.
 */
export const TARGET_COLORS = [
  '#2563eb',
  '#ea580c',
  '#059669',
  '#9333ea',
  '#dc2626',
  '#0891b2',
  '#ca8a04',
  '#db2777',
  '#4b5563',
  '#65a30d',
] as const;

/** The colour of the target at `index` in `summary.groups`. */
export function targetColor(index: number): string {
  return TARGET_COLORS[index % TARGET_COLORS.length]!;
}

/** Unit of an axis: how the page formats its ticks and tooltips. */
export type AxisUnit = 'ms' | 's' | 'percent' | 'per_s' | 'count';

export interface ChartAxis {
  title: string;
  scale: 'linear' | 'logarithmic' | 'category';
  unit: AxisUnit;
  /** Upper bound of the axis, when it has a natural one (100 for a CDF). */
  max?: number;
}

export interface ChartSeries {
  label: string;
  color: string;
  /** `[x, y]` pairs; y null leaves a gap. For a bar chart x is the category's index. */
  points: Array<[number, number | null]>;
  /** Draws the series as steps (a histogram over its bins). */
  isStepped?: boolean;
  isDashed?: boolean;
  /** Shades the area under the line. */
  isFilled?: boolean;
  /** Joins the line across windows without a value (a window in which no first token arrived). */
  isGapSpanned?: boolean;
  /** Shows each point (a CDF through percentiles, a sweep's levels). */
  showPoints?: boolean;
  /** A text drawn next to each point, in `points` order (a sweep's load levels). */
  pointLabels?: string[];
  /** A single marked point (a sweep's knee or best level). */
  marker?: 'knee' | 'best';
}

export type ChartSection = 'distributions' | 'time' | 'comparison' | 'sweeps';

export interface ChartSpec {
  /** Unique in the page: the id of its canvas. */
  id: string;
  section: ChartSection;
  type: 'line' | 'bar';
  title: string;
  /** One line under the title: what the chart shows and how it was made. */
  note: string;
  x: ChartAxis;
  y: ChartAxis;
  /** Category labels of a bar chart. */
  categories?: string[];
  /**
   * Draws the chart's own legend. False where the series are the report's targets: the
   * page shows one legend of target colours per section instead of one per chart.
   */
  showLegend: boolean;
  series: ChartSeries[];
}

/** The charts of a report, and what could not be drawn. */
export interface ReportCharts {
  charts: ChartSpec[];
  /** Charts left out and why (a summary alone has no records; a run without token events has no ITL). */
  omitted: string[];
}

/** Displayed bins of a histogram at most: finer bins only add noise at a few hundred samples. */
const MAX_DISPLAY_BINS = 32;
/** Divisors of the collected 40 bins per decade, finest first. */
const MERGE_FACTORS = [1, 2, 4, 5, 8, 10, 20, 40] as const;
/** A window covered less than this by the measured phase is left out of rates (too noisy). */
const MIN_WINDOW_COVERAGE = 0.25;

interface Target {
  index: number;
  label: string;
  color: string;
  group: GroupSummary | undefined;
  collected: TargetDistributions | undefined;
}

type DistributionName = 'ttft' | 'e2e' | 'itl';

const DISTRIBUTIONS: ReadonlyArray<{ name: DistributionName; label: string; sampleOf: string }> = [
  { name: 'ttft', label: 'TTFT', sampleOf: 'requests' },
  { name: 'e2e', label: 'E2E', sampleOf: 'requests' },
  { name: 'itl', label: 'ITL', sampleOf: 'tokens' },
];

/**
 * The report's charts: with records, histograms and CDFs of TTFT, E2E and ITL per target,
 * throughput and TTFT over time, comparison bars and sweeps; from a summary alone, CDFs
 * through the summary's percentiles, the bars and the sweeps.
 */
export function buildReportCharts(
  summary: RunSummary,
  distributions: RunDistributions | null,
): ReportCharts {
  const targets = targetsOf(summary, distributions);
  const hasRecords = distributions !== null && distributions.records > 0;
  const charts: ChartSpec[] = [];
  const omitted: string[] = [];
  for (const metric of DISTRIBUTIONS) {
    if (hasRecords) {
      const withData = targets.filter((t) => (t.collected?.[metric.name].total ?? 0) > 0);
      if (withData.length === 0) {
        omitted.push(
          `${metric.label} distribution: no ${metric.name === 'itl' ? 'token events (a non-streaming run has no inter-token gaps)' : 'successful request had one'}`,
        );
        continue;
      }
      charts.push(histogramChart(metric, withData), cdfChart(metric, withData));
    } else {
      const withData = targets.filter((t) => (t.group?.[metric.name] ?? null) !== null);
      if (withData.length === 0) {
        omitted.push(`${metric.label} distribution: the summary has none`);
        continue;
      }
      charts.push(percentileCdfChart(metric, withData));
    }
  }
  if (hasRecords) charts.push(...timeCharts(summary, targets, distributions));
  else {
    omitted.push(
      'Histograms of TTFT, E2E and ITL, and throughput and TTFT over time, need the per-request records: this report was made from a summary alone, so its CDFs are drawn through the summary percentiles (p50 to p99.9).',
    );
  }
  charts.push(...comparisonCharts(targets));
  charts.push(...summary.sweeps.map((sweep, i) => sweepChart(sweep, i)));
  return { charts, omitted };
}

function targetsOf(summary: RunSummary, distributions: RunDistributions | null): Target[] {
  const targets: Target[] = summary.groups.map((group, index) => ({
    index,
    label: targetLabel(group),
    color: targetColor(index),
    group,
    collected: distributions?.targets.get(targetId(group)),
  }));
  // Records of a target the summary does not have (a summary filtered after the run).
  for (const [id, collected] of distributions?.targets ?? []) {
    if (summary.groups.some((g) => targetId(g) === id)) continue;
    const index = targets.length;
    targets.push({
      index,
      label: targetLabel(collected),
      color: targetColor(index),
      group: undefined,
      collected,
    });
  }
  return targets;
}

function msAxis(title: string): ChartAxis {
  return { title: `${title} (ms, log scale)`, scale: 'logarithmic', unit: 'ms' };
}

function histogramChart(
  metric: (typeof DISTRIBUTIONS)[number],
  targets: readonly Target[],
): ChartSpec {
  const histograms = targets.map((t) => t.collected![metric.name]);
  const factor = displayFactor(histograms);
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (const h of histograms) {
    lowest = Math.min(lowest, firstBin(h));
    highest = Math.max(highest, lastBin(h));
  }
  const start = Math.floor(lowest / factor) * factor;
  const series = targets.map((target): ChartSeries => {
    const h = target.collected![metric.name];
    const points: Array<[number, number]> = [];
    // Each curve spans its own bins and one empty bin either side: zero runs of every
    // target stacked along the axis would hide the curves' feet.
    const from = Math.max(start, Math.floor(firstBin(h) / factor) * factor - factor);
    const to = Math.min(highest + factor, lastBin(h) + factor);
    for (let bin = from; bin <= to; bin += factor) {
      let count = 0;
      for (let i = bin; i < bin + factor && i < h.counts.length; i++) count += h.counts[i]!;
      const upper = h.upperEdgeMs(bin + factor - 1);
      const center = upper / 10 ** (factor / h.binsPerDecade / 2);
      points.push([roundSignificant(center), round3((count / h.total) * 100)]);
    }
    // Shading helps one or two overlapping histograms and muddies more.
    const isFilled = targets.length <= 3;
    return { label: target.label, color: target.color, points, isStepped: true, isFilled };
  });
  const sampleWord = metric.sampleOf === 'tokens' ? 'tokens' : 'requests';
  return {
    id: `${metric.name}-histogram`,
    section: 'distributions',
    showLegend: false,
    type: 'line',
    title: `${metric.label} distribution`,
    note: `Share of ${sampleWord} per log-spaced bin (${Math.round(400 / factor) / 10} bins per decade), successful measured requests.`,
    x: msAxis(metric.label),
    y: { title: `% of ${sampleWord}`, scale: 'linear', unit: 'percent' },
    series,
  };
}

function cdfChart(metric: (typeof DISTRIBUTIONS)[number], targets: readonly Target[]): ChartSpec {
  const series = targets.map((target): ChartSeries => {
    const h = target.collected![metric.name];
    // A log axis cannot show 0: a curve whose minimum is 0 ms starts at its first bin's edge.
    const points: Array<[number, number]> = h.minMs > 0 ? [[roundSignificant(h.minMs), 0]] : [];
    let below = 0;
    for (let bin = firstBin(h); bin <= lastBin(h); bin++) {
      const count = h.counts[bin]!;
      if (count === 0) continue;
      below += count;
      const at = Math.max(h.minMs, Math.min(h.maxMs, h.upperEdgeMs(bin)));
      points.push([roundSignificant(at), round3((below / h.total) * 100)]);
    }
    return { label: target.label, color: target.color, points };
  });
  return {
    id: `${metric.name}-cdf`,
    section: 'distributions',
    showLegend: false,
    type: 'line',
    title: `${metric.label} CDF`,
    note: `Share of ${metric.sampleOf} at or below each latency: read p50 at 50 %, p99 at 99 %.`,
    x: msAxis(metric.label),
    y: { title: `% of ${metric.sampleOf} ≤ x`, scale: 'linear', unit: 'percent', max: 100 },
    series,
  };
}

const CDF_PERCENTILES: ReadonlyArray<[keyof DistributionSummary, number]> = [
  ['min', 0],
  ['p50', 50],
  ['p75', 75],
  ['p90', 90],
  ['p95', 95],
  ['p99', 99],
  ['p999', 99.9],
  ['max', 100],
];

function percentileCdfChart(
  metric: (typeof DISTRIBUTIONS)[number],
  targets: readonly Target[],
): ChartSpec {
  const series = targets.map((target): ChartSeries => {
    const d = target.group![metric.name]!;
    return {
      label: target.label,
      color: target.color,
      showPoints: true,
      // A log axis cannot show 0: a minimum of 0 ms starts the curve at the next percentile.
      points: CDF_PERCENTILES.filter(([key]) => d[key] > 0).map(([key, percent]) => [
        d[key],
        percent,
      ]),
    };
  });
  return {
    id: `${metric.name}-cdf`,
    section: 'distributions',
    showLegend: false,
    type: 'line',
    title: `${metric.label} CDF (from percentiles)`,
    note: 'Drawn through the summary percentiles min, p50, p75, p90, p95, p99, p99.9 and max.',
    x: msAxis(metric.label),
    y: { title: `% of ${metric.sampleOf} ≤ x`, scale: 'linear', unit: 'percent', max: 100 },
    series,
  };
}

function firstBin(h: LogHistogram): number {
  return h.counts.findIndex((count) => count > 0);
}

function lastBin(h: LogHistogram): number {
  for (let i = h.counts.length - 1; i >= 0; i--) if (h.counts[i]! > 0) return i;
  return -1;
}

/** How many collected bins make one displayed bin, so the widest range shows ≤ 32 bins. */
function displayFactor(histograms: readonly LogHistogram[]): number {
  let lowest = Number.POSITIVE_INFINITY;
  let highest = Number.NEGATIVE_INFINITY;
  for (const h of histograms) {
    lowest = Math.min(lowest, firstBin(h));
    highest = Math.max(highest, lastBin(h));
  }
  const span = highest - lowest + 1;
  return MERGE_FACTORS.find((f) => span / f <= MAX_DISPLAY_BINS) ?? MERGE_FACTORS.at(-1)!;
}

function timeCharts(
  summary: RunSummary,
  targets: readonly Target[],
  distributions: RunDistributions,
): ChartSpec[] {
  const windowMs = distributions.windowMs;
  const withWindows = targets.filter((t) => (t.collected?.windows.size ?? 0) > 0);
  const runStartMs = Math.min(
    Date.parse(summary.run.started_at),
    ...withWindows.map((t) => Math.min(...t.collected!.windows.keys()) * windowMs),
  );
  const requests: ChartSeries[] = [];
  const tokens: ChartSeries[] = [];
  const ttft: ChartSeries[] = [];
  for (const target of withWindows) {
    const windows = target.collected!.windows;
    const indices = [...windows.keys()];
    const measured = measuredSpan(target.group);
    const first = Math.floor((measured?.startMs ?? Math.min(...indices) * windowMs) / windowMs);
    const last = Math.floor(
      (measured?.endMs ?? (Math.max(...indices) + 1) * windowMs - 1) / windowMs,
    );
    const requestPoints: Array<[number, number | null]> = [];
    const tokenPoints: Array<[number, number | null]> = [];
    const ttftPoints: Array<[number, number | null]> = [];
    for (let index = first; index <= last; index++) {
      const startMs = index * windowMs;
      const x = round3((startMs + windowMs / 2 - runStartMs) / 1000);
      const window = windows.get(index);
      const coveredMs =
        measured === undefined
          ? windowMs
          : Math.min(startMs + windowMs, measured.endMs) - Math.max(startMs, measured.startMs);
      if (coveredMs >= windowMs * MIN_WINDOW_COVERAGE) {
        requestPoints.push([x, round3(((window?.completed ?? 0) * 1000) / coveredMs)]);
        tokenPoints.push([x, round3(((window?.outputTokens ?? 0) * 1000) / coveredMs)]);
      }
      const p50 = window?.ttft?.quantile(0.5) ?? null;
      ttftPoints.push([x, p50 === null ? null : roundSignificant(p50)]);
    }
    const base = { label: target.label, color: target.color };
    requests.push({ ...base, points: requestPoints });
    tokens.push({ ...base, points: tokenPoints });
    ttft.push({ ...base, points: ttftPoints, isGapSpanned: true });
  }
  const width = windowMs === 1000 ? 'per-second' : `${windowMs / 1000} s`;
  const x: ChartAxis = { title: 'time since run start (s)', scale: 'linear', unit: 's' };
  return [
    {
      id: 'requests-over-time',
      section: 'time',
      showLegend: false,
      type: 'line',
      title: 'Completed requests per second',
      note: `Successful measured requests by the ${width} window they ended in.`,
      x,
      y: { title: 'requests/s', scale: 'linear', unit: 'per_s' },
      series: requests,
    },
    {
      id: 'tokens-over-time',
      section: 'time',
      showLegend: false,
      type: 'line',
      title: 'Output tokens per second',
      note: `Output tokens by the ${width} window their stream events arrived in.`,
      x,
      y: { title: 'output tokens/s', scale: 'linear', unit: 'per_s' },
      series: tokens,
    },
    {
      id: 'ttft-over-time',
      section: 'time',
      showLegend: false,
      type: 'line',
      title: 'TTFT p50 over time',
      note: `Median TTFT of the requests whose first token arrived in each ${width} window.`,
      x,
      y: { title: 'TTFT p50 (ms)', scale: 'linear', unit: 'ms' },
      series: ttft,
    },
  ];
}

/** The measured phase of a group, epoch ms, from its summary. */
function measuredSpan(
  group: GroupSummary | undefined,
): { startMs: number; endMs: number } | undefined {
  const phase = group?.phases.find((p) => p.phase === 'measure');
  if (phase === undefined || phase.started_at === null || phase.ended_at === null) return undefined;
  const startMs = Date.parse(phase.started_at);
  const endMs = Date.parse(phase.ended_at);
  return endMs > startMs ? { startMs, endMs } : undefined;
}

function comparisonCharts(targets: readonly Target[]): ChartSpec[] {
  const withGroups = targets.filter((t) => t.group !== undefined);
  if (withGroups.length === 0) return [];
  const bars = (values: (g: GroupSummary) => Array<number | null | undefined>) =>
    withGroups.map(
      (t): ChartSeries => ({
        label: t.label,
        color: t.color,
        points: values(t.group!).map((v, i) => [i, v ?? null]),
      }),
    );
  return [
    {
      id: 'compare-ttft',
      section: 'comparison',
      showLegend: false,
      type: 'bar',
      title: 'TTFT by target',
      note: 'Lower is better.',
      x: { title: 'statistic', scale: 'category', unit: 'count' },
      y: { title: 'TTFT (ms)', scale: 'linear', unit: 'ms' },
      categories: ['p50', 'p95'],
      series: bars((g) => [g.ttft?.p50, g.ttft?.p95]),
    },
    {
      id: 'compare-e2e',
      section: 'comparison',
      showLegend: false,
      type: 'bar',
      title: 'E2E latency by target',
      note: 'Lower is better.',
      x: { title: 'statistic', scale: 'category', unit: 'count' },
      y: { title: 'E2E (ms)', scale: 'linear', unit: 'ms' },
      categories: ['p50', 'p95'],
      series: bars((g) => [g.e2e?.p50, g.e2e?.p95]),
    },
    {
      id: 'compare-throughput',
      section: 'comparison',
      showLegend: false,
      type: 'bar',
      title: 'Output throughput by target',
      note: 'Output tokens per second over the measured window. Higher is better.',
      x: { title: 'statistic', scale: 'category', unit: 'count' },
      y: { title: 'output tokens/s', scale: 'linear', unit: 'per_s' },
      categories: ['output tokens/s'],
      series: bars((g) => [g.throughput.output_tokens_per_s]),
    },
  ];
}

const PARAMETER_SHORT: Record<SweepReport['parameter'], string> = {
  concurrency: 'c',
  rate: 'rate',
};

function sweepChart(sweep: SweepReport, index: number): ChartSpec {
  const useTokens = sweep.levels.some((level) => level.output_tokens_per_s > 0);
  const throughputOf = (level: SweepReport['levels'][number]) =>
    round3(useTokens ? level.output_tokens_per_s : level.requests_per_s);
  // A non-streaming sweep has no TTFT: its curve is E2E p95.
  const hasTtft = sweep.levels.some((level) => level.ttft_p95_ms !== null);
  const latencyOf = (level: SweepReport['levels'][number]) =>
    hasTtft ? level.ttft_p95_ms : level.e2e_p95_ms;
  const latencyName = hasTtft ? 'TTFT' : 'E2E';
  const short = PARAMETER_SHORT[sweep.parameter];
  const series: ChartSeries[] = [
    {
      label: `${latencyName} p95`,
      color: '#2563eb',
      showPoints: true,
      pointLabels: sweep.levels.map((level) => `${short}=${level.value}`),
      points: sweep.levels.map((level) => [throughputOf(level), latencyOf(level)]),
    },
  ];
  if (hasTtft) {
    series.push({
      label: 'TTFT p50',
      color: '#94a3b8',
      isDashed: true,
      showPoints: true,
      points: sweep.levels.map((level) => [throughputOf(level), level.ttft_p50_ms]),
    });
  }
  const levelOf = (value: number | undefined) =>
    sweep.levels.find((level) => level.value === value);
  const best = levelOf(sweep.best?.value);
  if (best !== undefined) {
    series.push({
      label: `best: ${sweep.parameter} = ${best.value}`,
      color: '#059669',
      marker: 'best',
      points: [[throughputOf(best), latencyOf(best)]],
    });
  }
  const knee = levelOf(sweep.knee?.value);
  if (knee !== undefined) {
    series.push({
      label: `knee: ${sweep.parameter} = ${knee.value}`,
      color: '#dc2626',
      marker: 'knee',
      points: [[throughputOf(knee), latencyOf(knee)]],
    });
  }
  return {
    id: `sweep-${index}`,
    section: 'sweeps',
    type: 'line',
    showLegend: true,
    title: `Throughput vs latency: ${sweep.provider} · ${sweep.model} · ${sweep.scenario}`,
    note:
      sweep.knee === null
        ? `Each point is one ${sweep.parameter} level; no knee in the range swept.`
        : `Each point is one ${sweep.parameter} level. Past the knee (${sweep.parameter} = ${sweep.knee.value}) more load stops paying: latency climbs while throughput stalls.`,
    x: { title: useTokens ? 'output tokens/s' : 'requests/s', scale: 'linear', unit: 'per_s' },
    y: { title: `${latencyName} (ms)`, scale: 'linear', unit: 'ms' },
    series,
  };
}

function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** Four significant digits: enough for a chart, and a quarter of the JSON of full doubles. */
function roundSignificant(value: number): number {
  if (value === 0 || !Number.isFinite(value)) return value;
  return Number(value.toPrecision(4));
}
