import type { GroupSummary, RunSummary } from '@llm-lens/metrics';
import {
  compare,
  formatLimit,
  formatValue,
  groupLabel,
  inScope,
  type Threshold,
  type ThresholdOperator,
  type ThresholdScope,
} from './threshold.js';
import { type MetricUnit, readMetric, whyNoValue } from './threshold-metrics.js';

/** One group's verdict on a threshold (plain JSON). */
export interface ThresholdGroupResult {
  provider: string;
  model: string;
  scenario: string;
  /** The metric's value in the group, in the threshold's unit; null when it has none. */
  value: number | null;
  passed: boolean;
  /** `ttft.p95 = 812.3 ms, limit < 800 ms` or `no value: ...`. */
  message: string;
}

/** A threshold's verdict over every group it matches (plain JSON). */
export interface ThresholdResult {
  threshold: string;
  origin: string;
  metric: string;
  unit: MetricUnit;
  operator: ThresholdOperator;
  limit: number;
  scope: ThresholdScope;
  /** True when it matched at least one group and passed in every one. */
  passed: boolean;
  groups: ThresholdGroupResult[];
  /** One line: how many groups passed, or that none matched. */
  message: string;
}

/**
 * Each threshold against every group of the summary it matches. A threshold that matches
 * no group fails (a typo in a scope must not pass silently); a group where the metric has no
 * value (no samples, unknown cost) fails with "no value".
 */
export function evaluateThresholds(
  summary: Pick<RunSummary, 'groups'>,
  thresholds: readonly Threshold[],
): ThresholdResult[] {
  return thresholds.map((threshold) => {
    const matching = summary.groups.filter((group) => inScope(threshold.scope, group));
    const groups = matching.map((group) =>
      judgeGroup(threshold, group, readMetric(group, threshold.source)),
    );
    return resultOf(threshold, groups);
  });
}

/** A threshold's result from per-group values already read (the live monitor shares it). */
export function resultOf(threshold: Threshold, groups: ThresholdGroupResult[]): ThresholdResult {
  const failed = groups.filter((group) => !group.passed).length;
  const message =
    groups.length === 0
      ? `${threshold.expression} matches no group of the run${describeScope(threshold.scope)}`
      : failed === 0
        ? `passed in ${plural(groups.length, 'group')}`
        : `failed in ${failed} of ${plural(groups.length, 'group')}`;
  return {
    threshold: threshold.expression,
    origin: threshold.origin,
    metric: threshold.metric,
    unit: threshold.unit,
    operator: threshold.operator,
    limit: threshold.limit,
    scope: { ...threshold.scope },
    passed: groups.length > 0 && failed === 0,
    groups,
    message,
  };
}

/** One group's verdict given the metric's value there. */
export function judgeGroup(
  threshold: Threshold,
  group: Pick<GroupSummary, 'provider' | 'model' | 'scenario'>,
  value: number | null,
): ThresholdGroupResult {
  const where = { provider: group.provider, model: group.model, scenario: group.scenario };
  if (value === null) {
    return {
      ...where,
      value,
      passed: false,
      message: `no value: ${whyNoValue(threshold.source)} (${groupLabel(where)})`,
    };
  }
  return {
    ...where,
    value,
    passed: compare(value, threshold.operator, threshold.limit),
    message: `${threshold.metric} = ${formatValue(value, threshold.unit)}, limit ${formatLimit(threshold)}`,
  };
}

/** True when every threshold passed (and so for none). */
export function thresholdsPassed(results: readonly ThresholdResult[]): boolean {
  return results.every((result) => result.passed);
}

function describeScope(scope: ThresholdScope): string {
  const parts = [
    scope.provider === null ? null : `provider ${scope.provider}`,
    scope.model === null ? null : `model ${scope.model}`,
    scope.scenario === null ? null : `scenario ${scope.scenario}`,
  ].filter((part) => part !== null);
  return parts.length === 0 ? '' : ` (${parts.join(', ')})`;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
