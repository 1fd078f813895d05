import type { ConnectionPhases, RequestRecord } from '@llm-lens/core-timing';
import { type Colors, formatMs, formatUsd } from './format.js';

/** Columns of the time axis that every timeline row shares (dispatch → end). */
const AXIS_WIDTH = 50;
/**
 * Widest token-arrival strip, in columns: fits an 80-column terminal and gives the default
 * 64-token request one column per gap.
 */
const MAX_STRIP_COLUMNS = 64;
/**
 * Interquartile range of the gaps between token events, relative to their median, above which
 * no column width keeps a steady stretch flat: the strip is drawn but its legend says it aliases.
 */
const IRREGULAR_GAP_SPREAD = 0.5;
const LABEL_WIDTH = 12;
const STRIP_LEVELS = ' ▁▂▃▄▅▆▇█';

const toMs = (ns: bigint | undefined) => (ns === undefined ? undefined : Number(ns) / 1e6);

/** A one-request timeline: connection phases, ttfb, ttft, token arrivals and ITL spread. */
export function renderProfile(record: RequestRecord, where: string, colors: Colors): string {
  const lines: string[] = [];
  lines.push(
    colors.bold(`${record.provider} · ${record.model} · ${record.scenario}`) +
      (where ? `  (${where})` : ''),
  );
  const status =
    record.status === 'ok'
      ? colors.green(`ok${record.httpStatus ? ` (HTTP ${record.httpStatus})` : ''}`)
      : colors.red(`${record.errorClass}: ${record.errorMessage ?? ''}`);
  lines.push(`Status: ${status}`);
  lines.push('');
  // Without a send stamp the request never reached a socket: its latencies count from the
  // hand-off to the HTTP client, not from request headers written, and no response exists.
  if (record.sendDelayNs === undefined) {
    lines.push(...unsentRequestLines(record, colors));
    return `${lines.join('\n')}\n`;
  }
  lines.push(...beforeDispatchLines(record, colors), '', ...afterDispatchLines(record, colors));
  const timeline = timelineLines(record, colors);
  if (timeline.length > 0) lines.push('', ...timeline);
  lines.push('', ...tokenLines(record, colors));
  return `${lines.join('\n')}\n`;
}

function valueRow(label: string, valueMs: number | undefined, note: string, colors: Colors) {
  const value =
    valueMs === undefined ? `${'—'.padStart(7)}   ` : `${formatMs(valueMs).padStart(7)} ms`;
  return `  ${label.padEnd(LABEL_WIDTH)}${value}  ${colors.dim(note)}`;
}

function connectionRows(connection: ConnectionPhases, colors: Colors): string[] {
  return [
    valueRow(
      '  dns',
      toMs(connection.dnsNs),
      connection.dnsNs === undefined ? 'no lookup (IP literal)' : 'name lookup',
      colors,
    ),
    valueRow('  connect', toMs(connection.connectNs), 'TCP handshake', colors),
    valueRow(
      '  tls',
      toMs(connection.tlsNs),
      connection.tlsNs === undefined ? 'plain HTTP' : 'TLS handshake',
      colors,
    ),
  ];
}

function unsentRequestLines(record: RequestRecord, colors: Colors): string[] {
  const lines: string[] = [];
  if (record.connection) {
    lines.push(
      'Connection: opened, but the request was never written to it, so there is no response.',
    );
    lines.push(...connectionRows(record.connection, colors));
  } else {
    lines.push(
      `${colors.red('Connection: never made.')} The request failed before it reached a socket (refused,`,
      'unknown host or connect timeout), so nothing was sent: no ttfb, ttft or e2e.',
    );
  }
  lines.push(
    valueRow(
      'failed after',
      toMs(record.e2eNs),
      `hand-off to the HTTP client → ${record.errorClass ?? 'the'} error`,
      colors,
    ),
  );
  return lines;
}

function beforeDispatchLines(record: RequestRecord, colors: Colors): string[] {
  const sendDelay = toMs(record.sendDelayNs);
  if (!record.connection) {
    return [
      'Before dispatch: reused a kept-alive connection (no dns, connect or tls)',
      valueRow(
        'send delay',
        sendDelay,
        'hand-off to the HTTP client → request headers written',
        colors,
      ),
    ];
  }
  return [
    'Before dispatch: opened a new connection',
    valueRow(
      'send delay',
      sendDelay,
      'hand-off to the HTTP client → request headers written, including',
      colors,
    ),
    ...connectionRows(record.connection, colors),
  ];
}

/** The note of the last row: what "the end" was, so a failure is not read as a response. */
function endNote(record: RequestRecord): string {
  if (record.status === 'ok') return 'dispatch → end of response';
  if (record.httpStatus !== undefined) {
    return `dispatch → end of the error response (HTTP ${record.httpStatus})`;
  }
  return `dispatch → failure (${record.errorClass ?? 'error'}), no complete response`;
}

function afterDispatchLines(record: RequestRecord, colors: Colors): string[] {
  const lines = ['After dispatch (0 = request headers written):'];
  lines.push(valueRow('ttfb', toMs(record.ttfbNs), 'dispatch → response headers', colors));
  lines.push(valueRow('ttft', toMs(record.ttftNs), 'dispatch → first token', colors));
  if (record.ttfoNs !== undefined && record.ttfoNs !== record.ttftNs) {
    lines.push(
      valueRow(
        'ttfo',
        toMs(record.ttfoNs),
        'dispatch → first answer token (after reasoning)',
        colors,
      ),
    );
  }
  lines.push(
    valueRow(
      'tpot',
      toMs(record.tpotNs),
      '(last token − first token) / (output tokens − 1)',
      colors,
    ),
  );
  lines.push(valueRow('e2e', toMs(record.e2eNs), endNote(record), colors));
  return lines;
}

/**
 * ttfb, ttft, ttfo and the end, each a marker on one axis from dispatch to the end: every
 * row starts at the same column, so the same column is the same time in every row.
 */
function timelineLines(record: RequestRecord, colors: Colors): string[] {
  const rows: { label: string; at: number }[] = [];
  const add = (label: string, ns: bigint | undefined) => {
    if (ns !== undefined) rows.push({ label, at: Number(ns) / 1e6 });
  };
  add('ttfb', record.ttfbNs);
  add('ttft', record.ttftNs);
  if (record.ttfoNs !== record.ttftNs) add('ttfo', record.ttfoNs);
  add('e2e', record.e2eNs);
  const end = toMs(record.e2eNs) ?? Math.max(0, ...rows.map((row) => row.at));
  if (rows.length === 0 || end <= 0) return [];
  const column = (at: number) =>
    Math.min(AXIS_WIDTH - 1, Math.max(0, Math.round((at / end) * (AXIS_WIDTH - 1))));
  const labelWidth = Math.max(...rows.map((row) => row.label.length)) + 2;
  const indent = ' '.repeat(2 + labelWidth);
  const lines = [
    'Timeline, ms after dispatch' +
      (record.connection ? ' (the connection was set up before 0, see above):' : ':'),
  ];
  for (const row of rows) {
    const at = column(row.at);
    lines.push(
      `  ${row.label.padEnd(labelWidth)}${colors.dim('·'.repeat(at))}|${colors.dim(` ${formatMs(row.at)}`)}`,
    );
  }
  const ticks = axisTicks(end).map((value) => ({ value, at: column(value) }));
  const axis = Array.from({ length: AXIS_WIDTH }, () => '─');
  axis[0] = '┬';
  axis[AXIS_WIDTH - 1] = '┬';
  for (const tick of ticks) axis[tick.at] = '┬';
  lines.push(indent + axis.join(''));
  lines.push(indent + tickLabels(ticks, formatMs(end)));
  return lines;
}

/** Round values strictly between 0 and `end` (at least 2 when `end` allows), for axis labels. */
function axisTicks(end: number): number[] {
  const magnitude = 10 ** Math.floor(Math.log10(end / 4));
  // The widest round step that still leaves at least three intervals.
  const step =
    [10, 5, 2, 1].map((m) => m * magnitude).find((candidate) => end / candidate >= 3) ?? magnitude;
  const ticks: number[] = [];
  // Multiples (not a running sum) so float error never accumulates; the last interval may be
  // short, but a tick within half a step of the end would crowd the end label.
  for (let k = 1; k * step < end - step / 2; k++) ticks.push(k * step);
  return ticks;
}

function tickLabels(ticks: { value: number; at: number }[], endLabel: string): string {
  let text = '0';
  const endStart = AXIS_WIDTH - endLabel.length;
  for (const tick of ticks) {
    // toPrecision trims float noise such as 0.30000000000000004.
    const label = String(Number(tick.value.toPrecision(6)));
    const start = tick.at - Math.floor(label.length / 2);
    // A label that would touch its neighbour or the end label is left off, not squeezed.
    if (start <= text.length || start + label.length >= endStart) continue;
    text = text.padEnd(start) + label;
  }
  return `${text.padEnd(endStart)}${endLabel} ms`;
}

function tokenLines(record: RequestRecord, colors: Colors): string[] {
  const offsets = Array.from(record.tokenEventOffsetsNs, (ns) => ns / 1e6);
  const tokens = Array.from(record.tokenEventTokens);
  const lines = [
    `Tokens: output ${record.outputTokens ?? '—'}${record.tokenCountSource ? ` (${record.tokenCountSource})` : ''}, input ${record.inputTokens ?? '—'}` +
      (record.reasoningTokens ? `, reasoning ${record.reasoningTokens}` : '') +
      `, ${offsets.length} token events` +
      (record.costUsd === undefined ? '' : `, cost ${formatUsd(record.costUsd)}`),
  ];
  if (record.serverTimings !== undefined) {
    const reported = Object.entries(record.serverTimings)
      .map(([name, ms]) => `${name} ${formatMs(ms)}`)
      .join(', ');
    lines.push(colors.dim(`Server-reported: ${reported}`));
  }
  if (offsets.length < 2) return lines;
  const itl: number[] = [];
  for (let i = 1; i < offsets.length; i++) {
    // An event carrying k tokens spreads its gap over them: k gaps of gap / k.
    const gap = offsets[i]! - offsets[i - 1]!;
    const k = tokens[i] ?? 1;
    for (let j = 0; j < k; j++) itl.push(gap / k);
  }
  itl.sort((a, b) => a - b);
  const q = (p: number) => nearestRank(itl, p);
  lines.push(
    `ITL (ms, n=${itl.length}): min ${formatMs(itl[0])}  p50 ${formatMs(q(0.5))}  p90 ${formatMs(q(0.9))}  p99 ${formatMs(q(0.99))}  max ${formatMs(itl[itl.length - 1])}`,
  );
  lines.push(...itlHistogram(itl, colors));
  lines.push('', ...arrivalStripLines(offsets));
  return lines;
}

/** The nearest-rank percentile, as the benchmark summary's histograms compute it. */
function nearestRank(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
}

/**
 * Token events per column over the stream, first token → last (the wait before the first
 * token is on the timeline already). A column's width is a whole
 * number of median gaps, so a steady stream puts the same number of events in every column;
 * any other width would make the counts beat against the stream's rhythm and draw jitter that
 * is not there.
 */
function arrivalStripLines(offsets: readonly number[]): string[] {
  const sorted = [...offsets].sort((a, b) => a - b);
  const arrivals = sorted.filter((t, i) => i === 0 || t > sorted[i - 1]!);
  const first = sorted[0]!;
  const last = sorted[sorted.length - 1]!;
  if (arrivals.length < 2) {
    return [
      `Token arrivals: all ${offsets.length} token events arrived at once, ${formatMs(first)} ms after dispatch.`,
    ];
  }
  // Gaps between distinct arrival stamps: events read from one network chunk share a stamp.
  const gaps = arrivals.slice(1).map((t, i) => t - arrivals[i]!);
  gaps.sort((a, b) => a - b);
  const median = nearestRank(gaps, 0.5);
  // Column edges sit half a gap before each steady arrival, so jitter below half a gap never
  // moves an event into a neighbouring column.
  const start = first - median / 2;
  const spanInGaps = (last - start) / median;
  const gapsPerColumn = Math.floor(spanInGaps / MAX_STRIP_COLUMNS) + 1;
  const width = gapsPerColumn * median;
  const counts = new Array<number>(Math.floor((last - start) / width) + 1).fill(0);
  for (const t of sorted) counts[Math.floor((t - start) / width)]!++;
  const top = Math.max(...counts);
  const strip = counts
    .map((c) => STRIP_LEVELS[c === 0 ? 0 : Math.max(1, Math.round((c / top) * 8))])
    .join('');
  const column =
    gapsPerColumn === 1
      ? `each column = ${formatMs(width)} ms = the median gap`
      : `each column = ${formatMs(width)} ms = ${gapsPerColumn} median gaps of ${formatMs(median)} ms`;
  const scale = `█ = ${top} event${top === 1 ? '' : 's'}`;
  const p25 = nearestRank(gaps, 0.25);
  const p75 = nearestRank(gaps, 0.75);
  const legend =
    (p75 - p25) / median > IRREGULAR_GAP_SPREAD
      ? [
          `Token arrivals (${column}; ${scale}); columns alias:`,
          `  gaps between events vary too much (p25 ${formatMs(p25)} ms, p75 ${formatMs(p75)} ms) for any column width to draw flat`,
        ]
      : [`Token arrivals (${column}; ${scale}):`];
  const left = formatMs(first);
  const right = `${formatMs(last)} ms`;
  return [
    ...legend,
    `  ${strip}`,
    `  ${left}${right.padStart(Math.max(counts.length - left.length, right.length + 1))}`,
  ];
}

function itlHistogram(sorted: number[], colors: Colors): string[] {
  const min = sorted[0]!;
  const max = sorted[sorted.length - 1]!;
  const buckets = 8;
  const width = (max - min) / buckets || 1;
  const counts = new Array<number>(buckets).fill(0);
  for (const v of sorted) counts[Math.min(buckets - 1, Math.floor((v - min) / width))]!++;
  const top = Math.max(...counts);
  return counts.map((c, i) => {
    const lo = min + i * width;
    // A bucket that holds anything shows at least one block, so no sample is invisible.
    const bar = '█'.repeat(c === 0 ? 0 : Math.max(1, Math.round((c / top) * 30)));
    return `  ${formatMs(lo).padStart(8)} ms ${colors.cyan(bar)} ${c}`;
  });
}
