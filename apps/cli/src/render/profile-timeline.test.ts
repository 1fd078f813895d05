import type { RequestRecord } from '@llm-lens/core-timing';
import { describe, expect, it } from 'vitest';
import { createColors } from './format.js';
import { renderProfile } from './profile-timeline.js';

const colors = createColors({ isTTY: false } as NodeJS.WriteStream);

const ns = (ms: number) => BigInt(Math.round(ms * 1e6));

/** Fields to change; `undefined` removes a field, as a record omits a phase that did not happen. */
type Overrides = { [K in keyof RequestRecord]?: RequestRecord[K] | undefined };

/** A successful request on a new connection: ttfb 1.7 ms, ttft 151 ms, e2e 1400 ms. */
function record(overrides: Overrides = {}): RequestRecord {
  const result: Record<string, unknown> = {
    requestId: 'profile-1',
    provider: 'mock',
    model: 'mock-model',
    scenario: 'default',
    isWarmup: false,
    startedAtMs: 0,
    dispatchNs: 0n,
    status: 'ok',
    httpStatus: 200,
    queueNs: 0n,
    sendDelayNs: ns(1.5),
    connection: { connectNs: ns(1.2) },
    ttfbNs: ns(1.7),
    ttftNs: ns(151),
    e2eNs: ns(1400),
    tokenEventOffsetsNs: new Float64Array(),
    tokenEventTokens: new Uint32Array(),
    ...overrides,
  };
  for (const key of Object.keys(result)) if (result[key] === undefined) delete result[key];
  return result as unknown as RequestRecord;
}

/** One token event every `gapsMs[i]` after the first at `firstMs`. */
function stream(firstMs: number, gapsMs: number[]): Overrides {
  const offsets = [firstMs];
  for (const gap of gapsMs) offsets.push(offsets[offsets.length - 1]! + gap);
  return {
    ttftNs: ns(firstMs),
    e2eNs: ns(offsets[offsets.length - 1]! + 1),
    tokenEventOffsetsNs: Float64Array.from(offsets, (ms) => ms * 1e6),
    tokenEventTokens: new Uint32Array(offsets.length).fill(1),
  };
}

const render = (overrides: Overrides = {}) =>
  renderProfile(record(overrides), 'test', colors).split('\n');

/** The column of a timeline row's marker, counted from the start of the line. */
function markerColumn(lines: string[], label: string): number {
  const row = lines.find((line) => new RegExp(`^  ${label} +·*\\|`).test(line));
  if (!row) throw new Error(`no timeline row for ${label}:\n${lines.join('\n')}`);
  return row.indexOf('|');
}

/** The axis line's tick columns (its first and last are 0 and the end) and its label line. */
function axis(lines: string[]) {
  const index = lines.findIndex((line) => /^ +┬─/.test(line));
  if (index < 0) throw new Error(`no time axis:\n${lines.join('\n')}`);
  const line = lines[index]!;
  const ticks = [...line].flatMap((char, i) => (char === '┬' ? [i] : []));
  return { start: ticks[0]!, end: ticks[ticks.length - 1]!, ticks, labels: lines[index + 1]! };
}

/** The token-arrival legend (one or two lines) and the strip's columns, one glyph each. */
function strip(lines: string[]) {
  const index = lines.findIndex((line) => line.startsWith('Token arrivals'));
  const legend = lines.slice(
    index,
    lines.findIndex((line, i) => i > index && /^ {2}[ ▁-█]/.test(line)),
  );
  return { legend: legend.join('\n'), columns: [...lines[index + legend.length]!.slice(2)] };
}

describe('renderProfile timeline', () => {
  it('puts ttfb, ttft and e2e on one axis: different times, different columns', () => {
    const lines = render();
    const { start, end } = axis(lines);
    const ttfb = markerColumn(lines, 'ttfb');
    const ttft = markerColumn(lines, 'ttft');
    const e2e = markerColumn(lines, 'e2e');
    expect(ttfb).toBe(start); // 1.7 ms of 1400 ms rounds to the first column
    expect(ttft).toBeGreaterThan(ttfb);
    expect(ttft).toBe(start + Math.round((151 / 1400) * (end - start)));
    expect(e2e).toBe(end);
  });

  it('puts equal times in the same column whatever the row label', () => {
    const half = render({ ttfbNs: ns(700), ttftNs: ns(700) });
    expect(markerColumn(half, 'ttfb')).toBe(markerColumn(half, 'ttft'));
    const { start, end } = axis(half);
    expect(markerColumn(half, 'ttft')).toBe(start + Math.round((end - start) / 2));
    // 'e2e' is a shorter label than 'ttft': the marker does not move with it.
    const atEnd = render({ ttftNs: ns(1400) });
    expect(markerColumn(atEnd, 'ttft')).toBe(markerColumn(atEnd, 'e2e'));
  });

  it('labels the axis with 0, round ticks under their marks, and the end in ms', () => {
    const lines = render();
    const { start, ticks, labels } = axis(lines);
    expect(labels.slice(start)).toMatch(/^0 .* 1400 ms$/);
    const inner = [...labels.matchAll(/\d+/g)].slice(1, -1);
    expect(inner.length).toBeGreaterThanOrEqual(2);
    for (const label of inner) {
      const centre = label.index! + Math.floor(label[0].length / 2);
      expect(ticks).toContain(centre);
      expect(centre).toBe(start + Math.round((Number(label[0]) / 1400) * 49));
    }
  });

  it('shows the connection phases before dispatch, not on the axis', () => {
    const text = render().join('\n');
    expect(text).toMatch(/Before dispatch: opened a new connection\n {2}send delay +1\.50 ms/);
    expect(text).toMatch(/connect +1\.20 ms/);
    expect(text).not.toMatch(/^ {2}(dns|connect|tls) +·*\|/m);
  });
});

describe('renderProfile connection', () => {
  const refused: Overrides = {
    status: 'error',
    httpStatus: undefined,
    errorClass: 'network',
    errorMessage: 'connection refused: connect ECONNREFUSED 127.0.0.1:9',
    sendDelayNs: undefined,
    connection: undefined,
    ttfbNs: undefined,
    ttftNs: undefined,
    e2eNs: ns(1.19),
  };

  it('says a connection that never reached a socket was never made', () => {
    const text = render(refused).join('\n');
    expect(text).toContain('Connection: never made');
    expect(text).toContain('ECONNREFUSED 127.0.0.1:9');
    expect(text).not.toContain('reused');
    // The 1.19 ms is the time until the failure, never an e2e.
    expect(text).toMatch(/failed after +1\.19 ms +hand-off to the HTTP client → network error/);
    expect(text).not.toMatch(/^ {2}e2e/m);
  });

  it('says reused only when the request was written without a new connection', () => {
    const text = render({ connection: undefined, sendDelayNs: ns(0.05) }).join('\n');
    expect(text).toContain('reused a kept-alive connection');
    expect(text).not.toContain('never made');
  });

  it('labels the end of a failed, written request as a failure', () => {
    const text = render({
      status: 'error',
      httpStatus: undefined,
      errorClass: 'timeout_ttft',
      ttftNs: undefined,
    }).join('\n');
    expect(text).toMatch(/e2e +1400 ms +dispatch → failure \(timeout_ttft\)/);
  });
});

describe('renderProfile token arrivals', () => {
  it('draws a steady 20 ms stream of 64 events flat, with columns that divide 20 ms', () => {
    const lines = render(stream(151, new Array(63).fill(20)));
    const { legend, columns } = strip(lines);
    const width = Number(/each column = ([\d.]+) ms/.exec(legend)![1]);
    expect(20 % width).toBe(0);
    expect(new Set(columns)).toEqual(new Set(['█']));
    expect(legend).not.toContain('alias');
    expect(lines.join('\n')).toContain('ITL (ms, n=63): min 20.0  p50 20.0');
  });

  it('widens the columns of a long steady stream to whole gaps, still flat', () => {
    const { legend, columns } = strip(render(stream(151, new Array(199).fill(20))));
    const width = Number(/each column = ([\d.]+) ms/.exec(legend)![1]);
    expect(width % 20).toBe(0);
    expect(columns.length).toBeLessThanOrEqual(64);
    // Every column is full except perhaps the last, which holds what is left.
    expect(new Set(columns.slice(0, -1))).toEqual(new Set(['█']));
  });

  it('keeps a stall visible as empty columns between flat stretches', () => {
    const gaps = [...new Array(20).fill(20), 300, ...new Array(20).fill(20)];
    const { legend, columns } = strip(render(stream(151, gaps)));
    expect(legend).not.toContain('alias');
    expect(columns.join('').trim()).toMatch(/^█+ +█+$/);
  });

  it('says columns alias when the gaps are too irregular', () => {
    const gaps = Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? 4 : 36));
    const { legend } = strip(render(stream(151, gaps)));
    expect(legend).toContain('columns alias');
  });

  it('says so when every token event arrived at once', () => {
    const text = render({
      tokenEventOffsetsNs: Float64Array.from([5e6, 5e6, 5e6]),
      tokenEventTokens: Uint32Array.from([1, 1, 1]),
    }).join('\n');
    expect(text).toContain('all 3 token events arrived at once, 5.00 ms after dispatch');
  });
});
