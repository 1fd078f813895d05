import type { ComparisonRow, GroupComparison, RunComparison, Verdict } from './compare-runs.js';

/** What each verdict reads as in a table. */
export const VERDICT_LABELS: Readonly<Record<Verdict, string>> = {
  better: 'better',
  worse: 'worse',
  no_change: 'no significant change',
};

/** Options of {@link renderComparisonText}. */
export interface TextTableOptions {
  /**
   * Wraps a verdict cell (already padded) for display, e.g. in a colour; the CLI passes one
   * that respects NO_COLOR. Default: unchanged.
   */
  styleVerdict?: (verdict: Verdict, text: string) => string;
}

const HEADER = ['metric', 'base', 'new', 'Δ', 'Δ%', 'CI of Δ', 'p (adj.)', 'verdict'];

/** The cells of one row, as both renderers print them. */
export function rowCells(row: ComparisonRow): string[] {
  const name = row.statistic === 'value' ? row.metric : `${row.metric}.${row.statistic}`;
  const unit = row.unit === 'fraction' ? '' : ` (${row.unit})`;
  return [
    `${name}${unit}`,
    formatValue(row.base, row.unit),
    formatValue(row.new, row.unit),
    formatDelta(row.delta, row.unit),
    row.delta_pct === null ? '—' : `${signed(row.delta_pct, 1)}%`,
    row.ci_low === null || row.ci_high === null
      ? '—'
      : `[${formatDelta(row.ci_low, row.unit)}, ${formatDelta(row.ci_high, row.unit)}]`,
    formatP(row.p_adjusted),
    `${VERDICT_LABELS[row.verdict]}${row.method === 'summary-rule' ? ' *' : ''}`,
  ];
}

function groupTitle(group: GroupComparison): string {
  return `${group.provider} / ${group.model} / ${group.scenario}`;
}

function methodLine(comparison: RunComparison, group: GroupComparison): string {
  const o = comparison.options;
  if (group.method === 'summary-rule') {
    return `method: summary-rule (summaries only: no intervals or p-values; error rate by Fisher exact)`;
  }
  return `method: bootstrap (B=${o.resamples}, seed ${o.seed}, ${o.confidence * 100}% CI) + Mann–Whitney, ${o.adjustment === 'holm' ? 'Holm-adjusted' : 'unadjusted'}, α=${o.alpha}`;
}

function runLine(comparison: RunComparison): string {
  return `BASE ${comparison.base_run_id ?? '(unnamed run)'} → NEW ${comparison.new_run_id ?? '(unnamed run)'}`;
}

function unmatchedLines(comparison: RunComparison): string[] {
  const name = (g: { provider: string; model: string; scenario: string }) =>
    `${g.provider} / ${g.model} / ${g.scenario}`;
  return [
    ...comparison.unmatched.base_only.map((g) => `only in BASE (not compared): ${name(g)}`),
    ...comparison.unmatched.new_only.map((g) => `only in NEW (not compared): ${name(g)}`),
  ];
}

/** A plain-text side-by-side table per matched group, then the unmatched groups. */
export function renderComparisonText(
  comparison: RunComparison,
  options: TextTableOptions = {},
): string {
  const style = options.styleVerdict ?? ((_verdict: Verdict, text: string) => text);
  const lines = [runLine(comparison)];
  for (const group of comparison.groups) {
    const cells = group.rows.map(rowCells);
    const widths = HEADER.map((title, column) =>
      Math.max(title.length, ...cells.map((row) => row[column]!.length)),
    );
    const line = (row: string[], verdict?: Verdict): string =>
      row
        .map((cell, column) => {
          const padded =
            column === 0 || column === row.length - 1
              ? cell.padEnd(widths[column]!)
              : cell.padStart(widths[column]!);
          return verdict !== undefined && column === row.length - 1
            ? style(verdict, padded)
            : padded;
        })
        .join('  ')
        .trimEnd();
    lines.push('', groupTitle(group), methodLine(comparison, group), line(HEADER));
    group.rows.forEach((row, index) => {
      lines.push(line(cells[index]!, row.verdict));
    });
  }
  if (comparison.groups.some((g) => g.rows.some((r) => r.method === 'summary-rule'))) {
    lines.push('', '* judged by the summary rule (a run-level number or summaries only)');
  }
  const unmatched = unmatchedLines(comparison);
  if (unmatched.length > 0) lines.push('', ...unmatched);
  if (comparison.groups.length === 0) lines.push('', 'no provider/model/scenario is in both runs');
  return `${lines.join('\n')}\n`;
}

/** The same tables in GitHub-flavoured Markdown (a heading per group). */
export function renderComparisonMarkdown(comparison: RunComparison): string {
  const escapeCell = (text: string) => text.replace(/\|/g, '\\|');
  const lines = [`**${escapeCell(runLine(comparison))}**`];
  for (const group of comparison.groups) {
    lines.push(
      '',
      `#### ${escapeCell(groupTitle(group))}`,
      '',
      `_${escapeCell(methodLine(comparison, group))}_`,
      '',
      `| ${HEADER.join(' | ')} |`,
      `| ${HEADER.map((_, column) => (column === 0 || column === HEADER.length - 1 ? '---' : '---:')).join(' | ')} |`,
    );
    for (const row of group.rows) {
      const cells = rowCells(row).map(escapeCell);
      if (row.verdict !== 'no_change') cells[cells.length - 1] = `**${cells[cells.length - 1]}**`;
      lines.push(`| ${cells.join(' | ')} |`);
    }
  }
  if (comparison.groups.some((g) => g.rows.some((r) => r.method === 'summary-rule'))) {
    lines.push('', '\\* judged by the summary rule (a run-level number or summaries only)');
  }
  const unmatched = unmatchedLines(comparison);
  if (unmatched.length > 0) lines.push('', ...unmatched.map((line) => `- ${escapeCell(line)}`));
  if (comparison.groups.length === 0)
    lines.push('', '_no provider/model/scenario is in both runs_');
  return `${lines.join('\n')}\n`;
}

function formatValue(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'fraction') return `${(value * 100).toFixed(2)}%`;
  if (unit === 'USD') return `$${Number(value.toPrecision(4))}`;
  return formatNumber(value);
}

function formatDelta(value: number | null, unit: string): string {
  if (value === null) return '—';
  if (unit === 'fraction') return `${signed(value * 100, 2)} pp`;
  if (unit === 'USD')
    return `${value > 0 ? '+' : value < 0 ? '-' : ''}$${Number(Math.abs(value).toPrecision(3))}`;
  const text = formatNumber(Math.abs(value));
  return value > 0 ? `+${text}` : value < 0 ? `-${text}` : text;
}

function formatNumber(value: number): string {
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 100) return value.toFixed(1);
  if (magnitude >= 1) return value.toFixed(2);
  return Number(value.toPrecision(3)).toString();
}

function signed(value: number, digits: number): string {
  const text = value.toFixed(digits);
  return value > 0 ? `+${text}` : text;
}

function formatP(p: number | null): string {
  if (p === null) return '—';
  return p < 0.001 ? '<0.001' : p.toFixed(3);
}
