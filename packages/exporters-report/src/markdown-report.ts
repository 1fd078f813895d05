// The run as GitHub-flavoured Markdown, sized for a pull-request comment.
import type { RunSummary } from '@llm-lens/metrics';
import { buildReportContent, type ReportCell, type ReportTable } from './report-tables.js';

// Backslash-escapable punctuation that GitHub would read as markup inside a table cell:
// emphasis, code, links, raw HTML, entities, strikethrough, math ($) and the cell separator.
const MARKUP_CHARACTERS = /[\\`*_[\]<>|~&$]/g;

/**
 * Text made safe for one line of Markdown (a table cell, a heading): markup characters are
 * backslash-escaped, so a server's error message renders as the text it is, and line breaks
 * become `<br>`, so a multi-line message cannot end the table row.
 */
export function escapeMarkdown(text: string): string {
  return text.replace(MARKUP_CHARACTERS, '\\$&').replace(/\r\n|\r|\n/g, '<br>');
}

function cellText(cell: ReportCell): string {
  const text = escapeMarkdown(
    cell.subtext === undefined ? cell.text : `${cell.text} · ${cell.subtext}`,
  );
  if (text === '') return '';
  return cell.isBest === true || cell.isWarning === true ? `**${text}**` : text;
}

/** A table in GFM pipe syntax, numbers right-aligned. */
export function renderMarkdownTable(table: ReportTable): string {
  const header = `| ${table.columns.map((c) => escapeMarkdown(c.label)).join(' | ')} |`;
  const align = `| ${table.columns.map((c) => (c.align === 'right' ? '---:' : '---')).join(' | ')} |`;
  const rows = table.rows.map((row) => `| ${row.map(cellText).join(' | ')} |`);
  return [header, align, ...rows].join('\n');
}

/**
 * The run summary as a Markdown report for a pull-request comment (pure): a header line,
 * the results per target, a comparison with the best target when there are two or more,
 * errors, goodput, sweeps with their knee, and the fidelity verdict with its warnings.
 */
export function renderMarkdownReport(summary: RunSummary): string {
  const content = buildReportContent(summary);
  const { header } = content;
  const status = header.complete ? 'complete' : '**interrupted: results are partial**';
  const out: string[] = [
    `**LLM latency report** · run ${escapeMarkdown(header.runId)} · started ${escapeMarkdown(header.startedAt)} (${escapeMarkdown(header.duration)}) · llm-latency-lens ${escapeMarkdown(header.toolVersion)} · ${status}`,
    '',
    '#### Results',
    '',
  ];
  if (summary.groups.length === 0) out.push('No requests were measured.');
  else out.push(renderMarkdownTable(content.results));
  if (content.comparison !== null) {
    out.push(
      '',
      '#### Comparison',
      '',
      'Each statistic relative to the best target (lowest latency and cost, highest success and throughput).',
      '',
      renderMarkdownTable(content.comparison),
    );
  }
  if (content.goodput !== null) {
    out.push('', '#### Goodput', '', renderMarkdownTable(content.goodput));
  }
  for (const sweep of content.sweeps) {
    out.push('', `#### ${escapeMarkdown(sweep.title)}`, '', renderMarkdownTable(sweep.table), '');
    out.push(escapeMarkdown(sweep.kneeLine));
    if (sweep.bestLine !== null) out.push('', escapeMarkdown(sweep.bestLine));
  }
  if (content.errors !== null) {
    out.push('', '#### Errors', '', renderMarkdownTable(content.errors));
  }
  const { fidelity } = content;
  const line = escapeMarkdown(fidelity.line);
  out.push('', `**Fidelity:** ${fidelity.clientBound === true ? `**${line}**` : line}`);
  if (fidelity.warnings.length > 0) out.push('');
  for (const warning of fidelity.warnings) out.push(`- warning: ${escapeMarkdown(warning)}`);
  return `${out.join('\n')}\n`;
}
