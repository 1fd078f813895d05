import { didYouMean } from './did-you-mean.js';
import { GatesError } from './gates-error.js';
import {
  describeThresholdMetrics,
  type MetricSource,
  type MetricUnit,
  THRESHOLD_METRIC_NAMES,
  thresholdMetric,
} from './threshold-metrics.js';

export type ThresholdOperator = '<' | '<=' | '>' | '>=';

/** Which groups a threshold applies to; null means any. `*` inside a name matches any run of characters. */
export interface ThresholdScope {
  provider: string | null;
  model: string | null;
  scenario: string | null;
}

/** A parsed threshold expression (plain JSON). */
export interface Threshold {
  /** The expression as written, trimmed. */
  expression: string;
  /** Where it came from: `--threshold`, `thresholds[2] in lens.yaml`, ... */
  origin: string;
  scope: ThresholdScope;
  metric: string;
  unit: MetricUnit;
  source: MetricSource;
  operator: ThresholdOperator;
  /** The limit in the metric's unit (ms, ratio 0–1, tokens/s, count, USD). */
  limit: number;
  /** The limit as written (`4s`, `99%`, `800`). */
  limitText: string;
}

const GRAMMAR =
  'write [SCOPE/]METRIC OP VALUE[UNIT] with OP one of < <= > >=, e.g. ttft.p95<800, ' +
  'success_rate>=99%, openai:gpt-4o-mini/ttft.p95<500 or vllm:meta-llama/Llama-3.1-8B@chat/e2e.p99<4s';

const NUMBER = /^((?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?)\s*(ms|s|%)?$/i;

/**
 * Parses `[SCOPE/]METRIC OP VALUE[UNIT]`. SCOPE is `PROVIDER[:MODEL][@SCENARIO]`, taken up to
 * the last '/' before the operator; the provider ends at the first ':', the scenario starts
 * at the last '@'. Throws GatesError `LENS_GATES_THRESHOLD_INVALID` naming `origin`.
 */
export function parseThreshold(text: string, origin: string): Threshold {
  const expression = text.trim();
  const fail = (problem: string): never => {
    throw new GatesError(
      'LENS_GATES_THRESHOLD_INVALID',
      `${origin} ${JSON.stringify(expression)} is not a valid threshold: ${problem}; ${GRAMMAR}.`,
    );
  };
  const operatorMatch = /<=|>=|<|>/.exec(expression);
  if (operatorMatch === null) {
    const equals = /==?|!=/.test(expression)
      ? ' (= and != are not comparisons a gate can use)'
      : '';
    return fail(`it has no operator${equals}`);
  }
  const operator = operatorMatch[0] as ThresholdOperator;
  const left = expression.slice(0, operatorMatch.index).trim();
  const valueText = expression.slice(operatorMatch.index + operator.length).trim();
  const slash = left.lastIndexOf('/');
  const scopeText = slash === -1 ? null : left.slice(0, slash).trim();
  const metricName = (slash === -1 ? left : left.slice(slash + 1)).trim();

  if (metricName === '') return fail('the metric before the operator is missing');
  const metric = thresholdMetric(metricName);
  if (metric === undefined) {
    const suggestion = didYouMean(metricName, THRESHOLD_METRIC_NAMES);
    return fail(
      `unknown metric ${JSON.stringify(metricName)}` +
        (suggestion === null ? '' : ` (did you mean ${JSON.stringify(suggestion)}?)`) +
        `. Valid metrics: ${describeThresholdMetrics()}`,
    );
  }

  const numberMatch = NUMBER.exec(valueText);
  if (numberMatch === null) {
    return fail(
      valueText === ''
        ? 'the value after the operator is missing'
        : `${JSON.stringify(valueText)} is not a non-negative number with an optional unit (ms or s for latencies, % for ratios)`,
    );
  }
  const number = Number(numberMatch[1]);
  const unit = numberMatch[2]?.toLowerCase();
  let limit = number;
  if (unit === 'ms' || unit === 's') {
    if (metric.unit !== 'ms') {
      return fail(`${metric.name} is in ${metric.unit}, not a duration: drop the "${unit}"`);
    }
    if (unit === 's') limit = number * 1000;
  } else if (unit === '%') {
    if (metric.unit !== 'ratio') {
      return fail(
        `% applies to ratios (success_rate, error_rate, goodput_fraction), not to ${metric.name}`,
      );
    }
    limit = number / 100;
  } else if (metric.unit === 'ratio' && number > 1) {
    return fail(`${metric.name} is a ratio from 0 to 1: write ${number / 100} or ${number}%`);
  }
  if (!Number.isFinite(limit)) return fail(`${JSON.stringify(valueText)} is not a finite number`);

  return {
    expression,
    origin,
    scope: scopeText === null ? ANY_SCOPE : parseScope(scopeText, fail),
    metric: metric.name,
    unit: metric.unit,
    source: metric.source,
    operator,
    limit,
    limitText: valueText.replace(/\s+/g, ''),
  };
}

const ANY_SCOPE: ThresholdScope = { provider: null, model: null, scenario: null };

function parseScope(text: string, fail: (problem: string) => never): ThresholdScope {
  if (text === '') return fail('the scope before "/" is empty (leave out "/" to mean every group)');
  const colon = text.indexOf(':');
  const providerPart = colon === -1 ? text : text.slice(0, colon);
  const rest = colon === -1 ? '' : text.slice(colon + 1);
  // Without a model the scenario hangs off the provider: `openai@chat`.
  const at = colon === -1 ? providerPart.lastIndexOf('@') : rest.lastIndexOf('@');
  const provider = colon === -1 && at !== -1 ? providerPart.slice(0, at) : providerPart;
  const model = colon === -1 ? '' : at === -1 ? rest : rest.slice(0, at);
  const scenario = at === -1 ? '' : colon === -1 ? providerPart.slice(at + 1) : rest.slice(at + 1);
  const any = (part: string): string | null => {
    const trimmed = part.trim();
    return trimmed === '' || trimmed === '*' ? null : trimmed;
  };
  return { provider: any(provider), model: any(model), scenario: any(scenario) };
}

/** Whether a group is in a threshold's scope. */
export function inScope(
  scope: ThresholdScope,
  group: { provider: string; model: string; scenario: string },
): boolean {
  return (
    matchesName(scope.provider, group.provider) &&
    matchesName(scope.model, group.model) &&
    matchesName(scope.scenario, group.scenario)
  );
}

function matchesName(pattern: string | null, name: string): boolean {
  if (pattern === null) return true;
  if (!pattern.includes('*')) return pattern === name;
  const parts = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${parts.join('.*')}$`).test(name);
}

/** Whether `value OP limit` holds. */
export function compare(value: number, operator: ThresholdOperator, limit: number): boolean {
  switch (operator) {
    case '<':
      return value < limit;
    case '<=':
      return value <= limit;
    case '>':
      return value > limit;
    case '>=':
      return value >= limit;
  }
}

/** True for `<` and `<=`: the metric must stay low. */
export function isUpperLimit(operator: ThresholdOperator): boolean {
  return operator === '<' || operator === '<=';
}

/** `openai / gpt-4o-mini / chat`: a group as a test name shows it. */
export function groupLabel(group: { provider: string; model: string; scenario: string }): string {
  return `${group.provider} / ${group.model} / ${group.scenario}`;
}

/** `812.3 ms`, `0.98`, `1200 tokens`: a value with its unit. */
export function formatValue(value: number, unit: MetricUnit): string {
  const text = String(Number.isInteger(value) ? value : Number(value.toPrecision(12)));
  switch (unit) {
    case 'ratio':
    case 'count':
      return text;
    case 'usd':
      return `$${text}`;
    default:
      return `${text} ${unit}`;
  }
}

/** `< 800 ms`, `>= 99%`, `< 4s`: the limit as the user wrote it, with the unit when implicit. */
export function formatLimit(threshold: Threshold): string {
  const explicitUnit = /[a-z%]$/i.test(threshold.limitText);
  const limit = explicitUnit ? threshold.limitText : formatValue(threshold.limit, threshold.unit);
  return `${threshold.operator} ${limit}`;
}
