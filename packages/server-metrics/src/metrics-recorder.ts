import type { Labels, MetricFamily, MetricType } from './exposition-parser.js';
import { histogramSeries, labelKey, summarySeries, valueSeries } from './family-series.js';
import type { Bucket } from './histogram-quantile.js';
import {
  ROLE_DEFINITIONS,
  type RoleDefinition,
  type RoleSource,
  SERVER_METRIC_ROLES,
  type ServerKind,
  type ServerMetricRole,
  serverOfMetric,
} from './known-metrics.js';
import {
  type CounterStats,
  CounterTracker,
  type GaugeStats,
  GaugeTracker,
  type HistogramSnapshot,
  type HistogramStats,
  HistogramTracker,
  type SummaryStats,
  SummaryTracker,
} from './series-trackers.js';

/** A role's numbers over the run, and the server metric they were read from. */
export type RoleReport = (GaugeStats | CounterStats | HistogramStats) & {
  /** The server's family name the role was read from (`vllm:num_requests_running`). */
  metric: string;
};

/** One label set of a raw metric over the run. */
export type RawSeriesReport = (GaugeStats | CounterStats | HistogramStats | SummaryStats) & {
  labels: Record<string, string>;
};

/** A metric kept under its own name, one entry per label set. */
export interface RawMetricReport {
  type: MetricType;
  help: string | null;
  series: RawSeriesReport[];
}

export interface MetricsRecorderOptions {
  /** Label sets kept across all raw metrics; later ones are counted in droppedSeries. */
  maxSeries: number;
  /** Points kept per series (see BoundedSeries). */
  maxPointsPerSeries: number;
}

type AnyTracker = GaugeTracker | CounterTracker | HistogramTracker | SummaryTracker;

interface RawSeriesState {
  readonly labels: Labels;
  readonly tracker: AnyTracker;
}

interface RawMetricState {
  readonly type: MetricType;
  help: string | undefined;
  readonly series: Map<string, RawSeriesState>;
}

interface RoleState {
  source: RoleSource | undefined;
  tracker: GaugeTracker | CounterTracker | HistogramTracker | undefined;
}

/** Counters as the report names them: with `_total`, whichever format the server used. */
function reportedName(family: MetricFamily): string {
  return family.type === 'counter' && !family.name.endsWith('_total')
    ? `${family.name}_total`
    : family.name;
}

/** The family a known name refers to: `x_total` is family `x` in OpenMetrics text. */
function findFamily(
  byName: ReadonlyMap<string, MetricFamily>,
  metric: string,
): MetricFamily | undefined {
  return (
    byName.get(metric) ??
    (metric.endsWith('_total') ? byName.get(metric.slice(0, -'_total'.length)) : undefined)
  );
}

function fitsRole(role: RoleDefinition, source: RoleSource, family: MetricFamily): boolean {
  if (source.from === 'sum') return family.type === 'histogram' || family.type === 'summary';
  if (role.kind === 'histogram') return family.type === 'histogram';
  if (role.kind === 'counter') return family.type === 'counter' || family.type === 'untyped';
  return family.type === 'gauge' || family.type === 'untyped';
}

/** Adds histogram label sets up bound by bound, as `sum by (le)` does. */
function addHistograms(family: MetricFamily): HistogramSnapshot | undefined {
  const series = histogramSeries(family);
  if (series.length === 0) return undefined;
  if (series.length === 1) return series[0]!;
  const byBound = new Map<number, number>();
  let sum: number | undefined;
  let count: number | undefined;
  for (const one of series) {
    for (const bucket of one.buckets) {
      byBound.set(bucket.le, (byBound.get(bucket.le) ?? 0) + bucket.count);
    }
    if (one.sum !== undefined) sum = (sum ?? 0) + one.sum;
    if (one.count !== undefined) count = (count ?? 0) + one.count;
  }
  const buckets: Bucket[] = [...byBound]
    .map(([le, bucketCount]) => ({ le, count: bucketCount }))
    .sort((a, b) => a.le - b.le);
  return { buckets, sum, count };
}

function histogramUnit(name: string): HistogramStats['unit'] {
  return name.endsWith('_seconds') ? 's' : null;
}

/**
 * Keeps what successive scrapes said: one tracker per role (label sets added up) and one per
 * label set of every kept family, within the series cap.
 */
export class MetricsRecorder {
  readonly #options: MetricsRecorderOptions;
  readonly #roles = new Map<ServerMetricRole, RoleState>();
  readonly #raw = new Map<string, RawMetricState>();
  #seriesCount = 0;
  #droppedSeries = new Set<string>();
  #server: ServerKind | undefined;

  constructor(options: MetricsRecorderOptions) {
    this.#options = options;
    for (const role of SERVER_METRIC_ROLES) {
      this.#roles.set(role, { source: undefined, tracker: undefined });
    }
  }

  /** Which server the metric names belong to, once one was seen. */
  get server(): ServerKind | undefined {
    return this.#server;
  }

  /** Label sets left out because the series cap was reached (distinct ones, up to 10,000). */
  get droppedSeries(): number {
    return this.#droppedSeries.size;
  }

  /** Records one scrape's kept families at `tMs` since the start. */
  record(tMs: number, families: readonly MetricFamily[]): void {
    const byName = new Map(families.map((family) => [family.name, family]));
    for (const role of SERVER_METRIC_ROLES) this.#recordRole(role, tMs, byName);
    for (const family of families) {
      this.#server ??= serverOfMetric(family.name);
      this.#recordRaw(tMs, family);
    }
  }

  #recordRole(
    role: ServerMetricRole,
    tMs: number,
    byName: ReadonlyMap<string, MetricFamily>,
  ): void {
    const definition = ROLE_DEFINITIONS[role];
    const state = this.#roles.get(role)!;
    // The first source present is kept for the whole run: switching would mix two series.
    if (state.source === undefined) {
      for (const source of definition.sources) {
        const family = findFamily(byName, source.metric);
        if (family !== undefined && fitsRole(definition, source, family)) {
          state.source = source;
          this.#server ??= source.server;
          break;
        }
      }
      if (state.source === undefined) return;
    }
    const source = state.source;
    const family = findFamily(byName, source.metric);
    if (family === undefined || !fitsRole(definition, source, family)) return;
    const maxPoints = this.#options.maxPointsPerSeries;
    if (definition.kind === 'histogram') {
      const snapshot = addHistograms(family);
      if (snapshot === undefined) return;
      state.tracker ??= new HistogramTracker(maxPoints, 1000, 'ms');
      (state.tracker as HistogramTracker).add(tMs, snapshot);
      return;
    }
    let values: number[];
    if (source.from === 'sum') {
      const series = family.type === 'histogram' ? histogramSeries(family) : summarySeries(family);
      values = series.flatMap((one) => (one.sum === undefined ? [] : [one.sum]));
    } else {
      values = valueSeries(family).map((one) => one.value);
    }
    values = values.filter((value) => Number.isFinite(value));
    if (values.length === 0) return;
    const value =
      definition.aggregate === 'max'
        ? Math.max(...values)
        : values.reduce((total, one) => total + one, 0);
    if (definition.kind === 'counter') {
      state.tracker ??= new CounterTracker(maxPoints);
      (state.tracker as CounterTracker).add(tMs, value);
    } else {
      state.tracker ??= new GaugeTracker(maxPoints);
      (state.tracker as GaugeTracker).add(tMs, value);
    }
  }

  #recordRaw(tMs: number, family: MetricFamily): void {
    if (family.type === 'gaugehistogram') return;
    const name = reportedName(family);
    let metric = this.#raw.get(name);
    if (metric === undefined) {
      metric = { type: family.type, help: family.help, series: new Map() };
      this.#raw.set(name, metric);
    } else if (metric.type !== family.type) {
      return;
    }
    metric.help ??= family.help;
    const maxPoints = this.#options.maxPointsPerSeries;
    const seriesOf = (labels: Labels, create: () => AnyTracker): AnyTracker | undefined => {
      const key = labelKey(labels);
      const existing = metric.series.get(key);
      if (existing !== undefined) return existing.tracker;
      if (this.#seriesCount >= this.#options.maxSeries) {
        if (this.#droppedSeries.size < 10_000) this.#droppedSeries.add(`${name}${key}`);
        return undefined;
      }
      this.#seriesCount++;
      const tracker = create();
      metric.series.set(key, { labels, tracker });
      return tracker;
    };
    switch (family.type) {
      case 'histogram':
        for (const one of histogramSeries(family)) {
          const tracker = seriesOf(
            one.labels,
            () => new HistogramTracker(maxPoints, 1, histogramUnit(family.name)),
          );
          (tracker as HistogramTracker | undefined)?.add(tMs, one);
        }
        return;
      case 'summary':
        for (const one of summarySeries(family)) {
          const tracker = seriesOf(one.labels, () => new SummaryTracker(maxPoints));
          (tracker as SummaryTracker | undefined)?.add(tMs, one);
        }
        return;
      case 'counter':
        for (const one of valueSeries(family)) {
          const tracker = seriesOf(one.labels, () => new CounterTracker(maxPoints));
          (tracker as CounterTracker | undefined)?.add(tMs, one.value);
        }
        return;
      default:
        for (const one of valueSeries(family)) {
          const tracker = seriesOf(one.labels, () => new GaugeTracker(maxPoints));
          (tracker as GaugeTracker | undefined)?.add(tMs, one.value);
        }
    }
  }

  /** Each role's numbers, null when the server exposes none of its sources. */
  roleReports(): Record<ServerMetricRole, RoleReport | null> {
    const reports = {} as Record<ServerMetricRole, RoleReport | null>;
    for (const role of SERVER_METRIC_ROLES) {
      const state = this.#roles.get(role)!;
      reports[role] =
        state.source === undefined || state.tracker === undefined
          ? null
          : { metric: state.source.metric, ...state.tracker.stats() };
    }
    return reports;
  }

  /** Every kept family under its reported name. */
  metricReports(): Record<string, RawMetricReport> {
    // Without a prototype: `__proto__` is a valid metric name.
    const reports: Record<string, RawMetricReport> = Object.create(null);
    for (const [name, metric] of [...this.#raw].sort(([a], [b]) => (a < b ? -1 : 1))) {
      reports[name] = {
        type: metric.type,
        help: metric.help ?? null,
        series: [...metric.series.values()].map(({ labels, tracker }) => ({
          labels: { ...labels },
          ...tracker.stats(),
        })),
      };
    }
    return reports;
  }
}
