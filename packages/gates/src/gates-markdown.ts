import type { ComparisonTableRow, RegressionCheck } from './regression-check.js';
import { formatValue } from './threshold.js';
import type { ThresholdResult } from './threshold-evaluation.js';

/** What `renderGatesMarkdown` shows. */
export interface GatesMarkdownInput {
  thresholds: readonly ThresholdResult[];
  /** Checks against the baseline; null or absent without one. */
  regressions?: readonly RegressionCheck[] | null;
  /** The side-by-side comparison with the baseline; null or absent without one. */
  comparison?: readonly ComparisonTableRow[] | null;
  /** Heading. Default `llm-lens gates`. */
  title?: string;
}

const PASS = '✅';
const FAIL = '❌';

/**
 * Markdown for a pull-request comment or a job summary: a one-line verdict, the thresholds
 * table (one row per threshold × group), and with a baseline the comparison table and the
 * regression checks.
 */
export function renderGatesMarkdown(input: GatesMarkdownInput): string {
  const { thresholds } = input;
  const regressions = input.regressions ?? null;
  const lines = [`### ${cell(input.title ?? 'llm-lens gates')}`, '', verdictLine(input), ''];
  if (thresholds.length > 0) {
    lines.push(
      '#### Thresholds',
      '',
      '| | threshold | group | value | limit |',
      '| --- | --- | --- | ---: | --- |',
    );
    for (const result of thresholds) {
      const limit = cell(limitOf(result));
      if (result.groups.length === 0) {
        lines.push(`| ${FAIL} | ${code(result.threshold)} | no matching group | – | ${limit} |`);
        continue;
      }
      for (const group of result.groups) {
        const value = group.value === null ? 'no value' : formatValue(group.value, result.unit);
        lines.push(
          `| ${group.passed ? PASS : FAIL} | ${code(result.threshold)} | ${cell(`${group.provider} / ${group.model} / ${group.scenario}`)} | ${cell(value)} | ${limit} |`,
        );
      }
    }
    lines.push('');
  }
  const comparison = input.comparison ?? null;
  if (comparison !== null) {
    lines.push(
      '#### Comparison with the baseline',
      '',
      '| group | metric | base | new | Δ | Δ% | verdict |',
      '| --- | --- | ---: | ---: | ---: | ---: | --- |',
    );
    for (const row of comparison) {
      lines.push(
        `| ${cell(row.group)} | ${code(row.metric)} | ${number(row.base)} | ${number(row.new)} | ${signed(row.delta, '')} | ${signed(row.delta_pct, '%', 1)} | ${verdictCell(row.verdict)} |`,
      );
    }
    if (comparison.length === 0) lines.push('| – | – | – | – | – | – | no comparable groups |');
    lines.push('');
  }
  if (regressions !== null && regressions.length > 0) {
    lines.push('#### Regression checks', '', '| | check | result |', '| --- | --- | --- |');
    for (const check of regressions) {
      lines.push(
        `| ${check.passed ? PASS : FAIL} | ${cell(check.name)} | ${cell(check.message)} |`,
      );
    }
    lines.push('');
  }
  return lines.join('\n');
}

/** `❌ 3 of 4 thresholds passed; 1 regression`. */
function verdictLine(input: GatesMarkdownInput): string {
  const parts: string[] = [];
  const passed = input.thresholds.filter((result) => result.passed).length;
  const total = input.thresholds.length;
  parts.push(
    total === 0
      ? 'no thresholds'
      : `${passed} of ${total} threshold${total === 1 ? '' : 's'} passed`,
  );
  let regressed = 0;
  if (input.regressions !== null && input.regressions !== undefined) {
    regressed = input.regressions.filter((check) => !check.passed).length;
    parts.push(
      regressed === 0 ? 'no regressions' : `${regressed} regression${regressed === 1 ? '' : 's'}`,
    );
  }
  const allPassed = passed === total && regressed === 0;
  return `**${allPassed ? PASS : FAIL} ${parts.join('; ')}**`;
}

function limitOf(result: ThresholdResult): string {
  return `${result.operator} ${formatValue(result.limit, result.unit)}`;
}

function verdictCell(verdict: string): string {
  if (verdict === 'worse') return `${FAIL} worse`;
  if (verdict === 'better') return `${PASS} better`;
  return cell(verdict);
}

/**
 * Table-cell text: pipes escaped, lines joined, and only what could start HTML or an entity
 * (`<` before a letter, `/`, `!` or `?`; `&` before a name and `;`) escaped, so `< 800 ms`
 * stays readable in the raw Markdown and a model name cannot inject a tag.
 */
function cell(text: string): string {
  return text
    .replace(/&(?=#?\w+;)/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
    .replace(/\|/g, '\\|')
    .replace(/\r?\n/g, ' ');
}

/** A code span that survives any backticks in the text, pipes escaped for the table. */
function code(text: string): string {
  const longestRun = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longestRun + 1);
  const padding = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${padding}${text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ')}${padding}${fence}`;
}

function number(value: number | null): string {
  return value === null ? '–' : String(Number(value.toFixed(3)));
}

function signed(value: number | null, suffix: string, digits = 3): string {
  if (value === null) return '–';
  const rounded = Number(value.toFixed(digits));
  return `${rounded > 0 ? '+' : ''}${rounded}${suffix}`;
}
