import { type Labels, type MetricFamily, parseFloatToken } from './exposition-parser.js';
import type { Bucket } from './histogram-quantile.js';

/** One label set of a gauge, counter or untyped family. */
export interface ValueSeries {
  /** The sample's name: a counter's carries `_total` when the server wrote it so. */
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
}

/** One label set (without `le`) of a histogram family: cumulative buckets, sorted by bound. */
export interface HistogramSeries {
  readonly labels: Labels;
  readonly buckets: Bucket[];
  readonly sum: number | undefined;
  readonly count: number | undefined;
}

/** One label set (without `quantile`) of a summary family. */
export interface SummarySeries {
  readonly labels: Labels;
  readonly quantiles: { quantile: number; value: number }[];
  readonly sum: number | undefined;
  readonly count: number | undefined;
}

/** A stable key of a label set, the names sorted; `omit` is left out (le, quantile). */
export function labelKey(labels: Labels, omit?: string): string {
  const names = Object.keys(labels);
  if (names.length > 1) names.sort();
  let key = '';
  for (const name of names) {
    // NUL and SOH cannot be confused with label text in practice, and keep this allocation-light.
    if (name !== omit) key += `${name}\u0000${labels[name]}\u0001`;
  }
  return key;
}

function withoutLabel(labels: Labels, omit: string): Labels {
  const copy: Record<string, string> = {};
  for (const name of Object.keys(labels)) {
    if (name === omit) continue;
    // A label named __proto__ stays an own property, as the parser made it.
    if (name === '__proto__') {
      Object.defineProperty(copy, name, { value: labels[name], enumerable: true, writable: true });
    } else {
      copy[name] = labels[name]!;
    }
  }
  return copy;
}

/**
 * The value samples of a gauge, counter, untyped, info or stateset family: a counter's
 * `_created` samples are left out.
 */
export function valueSeries(family: MetricFamily): ValueSeries[] {
  const series: ValueSeries[] = [];
  for (const sample of family.samples) {
    if (sample.name.endsWith('_created') && sample.name !== family.name) continue;
    series.push({ name: sample.name, labels: sample.labels, value: sample.value });
  }
  return series;
}

/** Groups a histogram family's `_bucket`, `_sum` and `_count` samples by label set. */
export function histogramSeries(family: MetricFamily): HistogramSeries[] {
  const groups = new Map<
    string,
    { labels: Labels; buckets: Bucket[]; sum: number | undefined; count: number | undefined }
  >();
  const groupOf = (labels: Labels, omit?: string) => {
    const key = labelKey(labels, omit);
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        labels: omit === undefined ? labels : withoutLabel(labels, omit),
        buckets: [],
        sum: undefined,
        count: undefined,
      };
      groups.set(key, group);
    }
    return group;
  };
  for (const sample of family.samples) {
    const suffix = sample.name.slice(family.name.length);
    if (suffix === '_bucket') {
      // The parser refused bucket lines without a numeric le.
      const le = parseFloatToken(sample.labels.le ?? '') ?? Number.NaN;
      groupOf(sample.labels, 'le').buckets.push({ le, count: sample.value });
    } else if (suffix === '_sum') {
      groupOf(sample.labels).sum = sample.value;
    } else if (suffix === '_count') {
      groupOf(sample.labels).count = sample.value;
    }
  }
  const series: HistogramSeries[] = [];
  for (const group of groups.values()) {
    group.buckets.sort((a, b) => a.le - b.le);
    series.push(group);
  }
  return series;
}

/** Groups a summary family's quantile, `_sum` and `_count` samples by label set. */
export function summarySeries(family: MetricFamily): SummarySeries[] {
  const groups = new Map<
    string,
    {
      labels: Labels;
      quantiles: { quantile: number; value: number }[];
      sum: number | undefined;
      count: number | undefined;
    }
  >();
  const groupOf = (labels: Labels, omit?: string) => {
    const key = labelKey(labels, omit);
    let group = groups.get(key);
    if (group === undefined) {
      group = {
        labels: omit === undefined ? labels : withoutLabel(labels, omit),
        quantiles: [],
        sum: undefined,
        count: undefined,
      };
      groups.set(key, group);
    }
    return group;
  };
  for (const sample of family.samples) {
    const suffix = sample.name.slice(family.name.length);
    if (suffix === '') {
      const quantile = parseFloatToken(sample.labels.quantile ?? '') ?? Number.NaN;
      groupOf(sample.labels, 'quantile').quantiles.push({ quantile, value: sample.value });
    } else if (suffix === '_sum') {
      groupOf(sample.labels).sum = sample.value;
    } else if (suffix === '_count') {
      groupOf(sample.labels).count = sample.value;
    }
  }
  return [...groups.values()];
}
