import type { ComparisonRow, GroupKey, RowMethod, RunComparison } from './compare-runs.js';
import { ComparisonError } from './comparison-error.js';
import {
  COMPARISON_METRICS,
  type ComparisonMetric,
  isHigherBetter,
  isLatency,
  METRIC_STATISTICS,
  unitOf,
} from './comparison-metrics.js';

/** How much worse NEW may be before a check counts it as exceeded. */
export type RegressionTolerance =
  | { kind: 'relative' /** 0.1 for 10 % */; fraction: number }
  | { kind: 'absolute' /** in the metric's unit (ms for latencies) */; value: number };

/** A parsed `--regression` value such as `ttft.p95:+10%`. */
export interface RegressionSpec {
  /** The text as given. */
  text: string;
  metric: ComparisonMetric;
  statistic: string;
  tolerance: RegressionTolerance;
}

/** One regression check of one group. */
export interface RegressionResult {
  spec: string;
  group: GroupKey;
  metric: ComparisonMetric;
  statistic: string;
  unit: string;
  base: number | null;
  new: number | null;
  delta: number | null;
  delta_pct: number | null;
  /** The largest change in the worse direction the tolerance allows, in `unit`; null when base is unknown. */
  allowed: number | null;
  /** NEW is worse than BASE by more than the tolerance. */
  exceeded: boolean;
  /**
   * The change is statistically established in the worse direction: the interval of
   * NEW − BASE excludes 0 on the worse side; under the summary rule, the rule's `worse`.
   */
  significant: boolean;
  /** exceeded AND significant. */
  regressed: boolean;
  method: RowMethod;
  /** One line saying what was found, for logs, JUnit and PR comments. */
  message: string;
}

const SPEC_FORM = /^([a-z][a-z0-9_]*)(?:\.([a-z0-9_]+))?:([+-]?)(\d+(?:\.\d+)?|\.\d+)(%|ms|s)?$/;

/** Every metric.statistic a spec may name, for error messages and help text. */
export function regressionMetricNames(): string[] {
  const names: string[] = [];
  for (const metric of COMPARISON_METRICS) {
    for (const statistic of METRIC_STATISTICS[metric]) {
      names.push(statistic === 'value' ? metric : `${metric}.${statistic}`);
    }
  }
  return names;
}

function describeValidNames(): string {
  return (
    'ttft, itl, tpot, e2e and output_tokens_per_s with .p50, .p90, .p95, .p99 or .mean; ' +
    'cost_per_request_usd (its mean); error_rate; throughput.requests_per_s; throughput.output_tokens_per_s'
  );
}

/**
 * Parses `METRIC[.STATISTIC]:[+|-]TOLERANCE[%|ms|s]`: `ttft.p95:+10%` (10 % worse allowed),
 * `e2e.p50:+50ms`, `itl.p99:0.5s`, `output_tokens_per_s.p50:-5%`, `error_rate:+0.01`. The
 * sign, when written, must point the metric's worse way (+ for latencies, errors and cost,
 * − for tokens/s and throughput). A number without unit is in the metric's own unit.
 * `origin` names where the text came from in error messages (default `--regression`).
 */
export function parseRegressionSpec(text: string, origin = '--regression'): RegressionSpec {
  const invalid = (why: string): ComparisonError =>
    new ComparisonError(
      'LENS_COMPARISON_REGRESSION_SPEC_INVALID',
      `${origin} ${JSON.stringify(text)}: ${why}`,
    );
  const match = SPEC_FORM.exec(text.trim().replace(/\s+/g, ''));
  if (match === null) {
    throw invalid(
      `expected METRIC[.STATISTIC]:TOLERANCE such as ttft.p95:+10% or e2e.p50:+50ms; metrics: ${describeValidNames()}`,
    );
  }
  const [, metricText, statisticText, sign, numberText, unit] = match;
  if (!(COMPARISON_METRICS as readonly string[]).includes(metricText!)) {
    throw invalid(`unknown metric ${JSON.stringify(metricText)}; valid: ${describeValidNames()}`);
  }
  const metric = metricText as ComparisonMetric;
  const statistics = METRIC_STATISTICS[metric];
  const statistic = statisticText ?? (statistics.length === 1 ? statistics[0]! : undefined);
  if (statistic === undefined || !statistics.includes(statistic)) {
    const valid = statistics.map((s) => (s === 'value' ? metric : `${metric}.${s}`)).join(', ');
    throw invalid(
      statistic === undefined
        ? `${metric} needs a statistic: ${valid}`
        : `${metric} has no statistic ${JSON.stringify(statistic)}; valid: ${valid}`,
    );
  }
  const worseSign = isHigherBetter(metric) ? '-' : '+';
  if (sign !== '' && sign !== worseSign) {
    throw invalid(
      `${metric} gets worse when it ${worseSign === '+' ? 'rises' : 'falls'}: write the tolerance with ${worseSign} (or no sign)`,
    );
  }
  const amount = Number(numberText);
  if (unit === '%')
    return { text, metric, statistic, tolerance: { kind: 'relative', fraction: amount / 100 } };
  if ((unit === 'ms' || unit === 's') && !isLatency(metric)) {
    throw invalid(
      `${unit} applies to latencies (ttft, itl, tpot, e2e) only; give ${metric} as a percentage or a number in ${unitOf(metric, statistic)}`,
    );
  }
  const value = unit === 's' ? amount * 1000 : amount;
  return { text, metric, statistic, tolerance: { kind: 'absolute', value } };
}

/** Checks one spec against every matched group of a comparison (none when no group has the row). */
export function evaluateRegression(
  comparison: RunComparison,
  spec: RegressionSpec,
): RegressionResult[] {
  const results: RegressionResult[] = [];
  for (const group of comparison.groups) {
    const row = group.rows.find((r) => r.metric === spec.metric && r.statistic === spec.statistic);
    if (row === undefined) continue;
    results.push(
      checkRow(
        spec,
        { provider: group.provider, model: group.model, scenario: group.scenario },
        row,
        comparison.options.confidence,
      ),
    );
  }
  return results;
}

/** {@link evaluateRegression} for several specs, in order. */
export function evaluateRegressions(
  comparison: RunComparison,
  specs: readonly RegressionSpec[],
): RegressionResult[] {
  return specs.flatMap((spec) => evaluateRegression(comparison, spec));
}

function checkRow(
  spec: RegressionSpec,
  group: GroupKey,
  row: ComparisonRow,
  confidence: number,
): RegressionResult {
  const higherBetter = isHigherBetter(spec.metric);
  const worseChange = row.delta === null ? null : higherBetter ? -row.delta : row.delta;
  const allowed =
    row.base === null
      ? null
      : spec.tolerance.kind === 'relative'
        ? Math.abs(row.base) * spec.tolerance.fraction
        : spec.tolerance.value;
  const exceeded = worseChange !== null && allowed !== null && worseChange > allowed;
  let significant: boolean;
  if (row.method === 'summary-rule') significant = row.verdict === 'worse';
  else if (row.ci_low === null || row.ci_high === null) significant = false;
  else significant = higherBetter ? row.ci_high < 0 : row.ci_low > 0;
  const regressed = exceeded && significant;
  return {
    spec: spec.text,
    group,
    metric: spec.metric,
    statistic: spec.statistic,
    unit: row.unit,
    base: row.base,
    new: row.new,
    delta: row.delta,
    delta_pct: row.delta_pct,
    allowed,
    exceeded,
    significant,
    regressed,
    method: row.method,
    message: describeResult(spec, row, confidence, exceeded, significant, regressed),
  };
}

function describeResult(
  spec: RegressionSpec,
  row: ComparisonRow,
  confidence: number,
  exceeded: boolean,
  significant: boolean,
  regressed: boolean,
): string {
  const name = spec.statistic === 'value' ? spec.metric : `${spec.metric}.${spec.statistic}`;
  if (row.base === null || row.new === null) {
    return `${name}: no value in ${row.base === null ? 'BASE' : 'NEW'}; not checked`;
  }
  const unit = row.unit === 'fraction' ? '' : ` ${row.unit}`;
  const pct = row.delta_pct === null ? '' : ` (${signed(row.delta_pct, 1)}%)`;
  const change = `${name} ${formatNumber(row.base)} → ${formatNumber(row.new)}${unit}, Δ ${signed(row.delta!, 3)}${pct}`;
  const tolerance =
    spec.tolerance.kind === 'relative'
      ? `${spec.tolerance.fraction * 100}%`
      : `${formatNumber(spec.tolerance.value)}${unit}`;
  const within = exceeded
    ? `beyond the tolerance ${tolerance}`
    : `within the tolerance ${tolerance}`;
  const evidence =
    row.method === 'summary-rule'
      ? significant
        ? 'the summary rule calls it worse'
        : 'the summary rule does not call it worse'
      : `the ${Number((confidence * 100).toFixed(3))}% interval of Δ [${signed(row.ci_low!, 3)}, ${signed(row.ci_high!, 3)}] ${significant ? 'lies wholly on the worse side of 0' : 'does not lie wholly on the worse side of 0'}`;
  return `${change}: ${within}; ${evidence}${regressed ? ' — regression' : ''}`;
}

function formatNumber(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return Number(value.toPrecision(3)).toString();
}

function signed(value: number, digits: number): string {
  const text = Math.abs(value) >= 1 || value === 0 ? value.toFixed(digits) : formatNumber(value);
  return value > 0 ? `+${text}` : text;
}
