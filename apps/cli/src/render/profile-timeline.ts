import type { RequestRecord } from '@llm-lens/core-timing';
import { type Colors, formatMs } from './format.js';

const BAR_WIDTH = 50;

/** A one-request timeline: connection phases, ttfb, ttft, token arrivals and ITL spread. */
export function renderProfile(record: RequestRecord, where: string, colors: Colors): string {
  const ms = (ns: bigint | undefined) => (ns === undefined ? undefined : Number(ns) / 1e6);
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
  const e2e = ms(record.e2eNs) ?? 0;
  const phase = (label: string, value: number | undefined, note: string, at?: number) => {
    const text = value === undefined ? '—'.padStart(10) : `${formatMs(value).padStart(7)} ms`;
    const bar = at !== undefined && e2e > 0 ? `  ${marker(at, e2e)}` : '';
    lines.push(`  ${label.padEnd(9)}${text}  ${colors.dim(note)}${bar}`);
  };
  const conn = record.connection;
  if (conn) {
    phase(
      'dns',
      ms(conn.dnsNs),
      conn.dnsNs === undefined ? 'no lookup (IP literal)' : 'name lookup',
    );
    phase('connect', ms(conn.connectNs), 'TCP handshake');
    phase('tls', ms(conn.tlsNs), conn.tlsNs === undefined ? 'plain HTTP' : 'TLS handshake');
  } else {
    lines.push(
      `  ${'dns/tcp/tls'.padEnd(9)}${'—'.padStart(10)}  ${colors.dim('reused a kept-alive connection')}`,
    );
  }
  phase('ttfb', ms(record.ttfbNs), 'dispatch → response headers', ms(record.ttfbNs));
  phase('ttft', ms(record.ttftNs), 'dispatch → first token', ms(record.ttftNs));
  if (record.ttfoNs !== undefined && record.ttfoNs !== record.ttftNs) {
    phase(
      'ttfo',
      ms(record.ttfoNs),
      'dispatch → first answer token (after reasoning)',
      ms(record.ttfoNs),
    );
  }
  phase('tpot', ms(record.tpotNs), '(last token − first token) / (output tokens − 1)');
  phase('e2e', ms(record.e2eNs), 'dispatch → end of response', e2e);
  lines.push('');
  const offsets = Array.from(record.tokenEventOffsetsNs, (ns) => ns / 1e6);
  const tokens = Array.from(record.tokenEventTokens);
  lines.push(
    `Tokens: output ${record.outputTokens ?? '—'}${record.tokenCountSource ? ` (${record.tokenCountSource})` : ''}, input ${record.inputTokens ?? '—'}` +
      (record.reasoningTokens ? `, reasoning ${record.reasoningTokens}` : '') +
      `, ${offsets.length} token events`,
  );
  if (offsets.length >= 2) {
    const itl: number[] = [];
    for (let i = 1; i < offsets.length; i++) {
      const gap = offsets[i]! - offsets[i - 1]!;
      const k = tokens[i] ?? 1;
      for (let j = 0; j < k; j++) itl.push(gap / k);
    }
    itl.sort((a, b) => a - b);
    const q = (p: number) => itl[Math.min(itl.length - 1, Math.floor(p * itl.length))]!;
    lines.push(
      `ITL (ms, n=${itl.length}): min ${formatMs(itl[0])}  p50 ${formatMs(q(0.5))}  p90 ${formatMs(q(0.9))}  p99 ${formatMs(q(0.99))}  max ${formatMs(itl[itl.length - 1])}`,
    );
    lines.push(...itlHistogram(itl, colors));
    lines.push('');
    lines.push(`Token arrivals over the response (each column ≈ ${formatMs(e2e / BAR_WIDTH)} ms):`);
    lines.push(`  ${arrivalStrip(offsets, e2e)}`);
    lines.push(`  ${'0'.padEnd(BAR_WIDTH - 8)}${`${formatMs(e2e)} ms`.padStart(8)}`);
  }
  return `${lines.join('\n')}\n`;
}

function marker(at: number, total: number): string {
  const pos = Math.min(BAR_WIDTH - 1, Math.round((at / total) * (BAR_WIDTH - 1)));
  return `${'·'.repeat(pos)}|`;
}

function arrivalStrip(offsets: number[], total: number): string {
  const counts = new Array<number>(BAR_WIDTH).fill(0);
  for (const t of offsets)
    counts[Math.min(BAR_WIDTH - 1, Math.floor((t / Math.max(total, 1e-9)) * BAR_WIDTH))]!++;
  const max = Math.max(...counts);
  const levels = ' ▁▂▃▄▅▆▇█';
  return counts.map((c) => levels[c === 0 ? 0 : Math.max(1, Math.round((c / max) * 8))]).join('');
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
    const bar = '█'.repeat(Math.round((c / top) * 30));
    return `  ${formatMs(lo).padStart(8)} ms ${colors.cyan(bar)} ${c}`;
  });
}
