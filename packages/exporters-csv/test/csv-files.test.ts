import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RequestRecord } from '@llm-lens/core-timing';
import { recordToJson } from '@llm-lens/exporters-json';
import { Aggregator, buildFidelity, buildRunSummary } from '@llm-lens/metrics';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CsvRecordWriter,
  exporterFactories,
  formatSummaryCsv,
  RECORD_CSV_COLUMNS,
  RECORD_CSV_TOKEN_COLUMNS,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-csv-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * RFC 4180 read back, independently of the writer: fields separated by commas, records by
 * CRLF; a quoted field may hold commas, CR, LF and doubled quotes.
 */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"' && field === '') {
      i++;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) throw new Error(`unterminated quoted field at ${i}`);
        field += text.slice(i, q);
        if (text[q + 1] === '"') {
          field += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const next = text.slice(i, i + 2);
      if (next[0] !== ',' && next !== '\r\n') throw new Error(`text after a quoted field at ${i}`);
    } else if (c === ',') {
      row.push(field);
      field = '';
      i++;
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i += 2;
    } else if (c === '\r' || c === '\n' || c === '"') {
      throw new Error(`unquoted ${JSON.stringify(c)} at ${i}`);
    } else {
      field += c;
      i++;
    }
  }
  if (field !== '' || row.length > 0) throw new Error('last record without CRLF');
  return rows;
}

/** A small seeded PRNG (mulberry32), so the large run is the same every time. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const MS = 1_000_000n;

function record(i: number, random: () => number, overrides: Partial<RequestRecord> = {}) {
  const ttft = 30 + Math.floor(random() * 200);
  const events = 1 + Math.floor(random() * 8);
  const r: RequestRecord = {
    requestId: `r-${i}`,
    provider: 'mock',
    model: 'mock-model',
    scenario: 'chat',
    isWarmup: i < 2,
    startedAtMs: Date.UTC(2026, 0, 1) + i,
    dispatchNs: BigInt(i) * MS,
    status: 'ok',
    httpStatus: 200,
    queueNs: BigInt(Math.floor(random() * 1e6)),
    ttftNs: BigInt(ttft) * MS,
    e2eNs: BigInt(ttft + events * 10) * MS,
    outputTokens: events,
    tokenCountSource: 'event_count',
    tokenEventOffsetsNs: Float64Array.from({ length: events }, (_, k) => (ttft + k * 10) * 1e6),
    tokenEventTokens: new Uint32Array(events).fill(1),
    ...overrides,
  };
  return r;
}

/** What a cell should read: the JSONL value flattened the documented way. */
function expectedCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.join(' ');
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

describe('CsvRecordWriter', () => {
  it('round-trips commas, quotes, CR, LF and non-ASCII text through RFC 4180 quoting', async () => {
    const random = prng(1);
    const nasty = [
      'HTTP 500: "upstream", said the proxy',
      'line one\nline two\r\nline three\rend',
      'Überlastung — 服务器繁忙 🚦, réessayez',
      '"',
      ',',
      '  leading and trailing spaces  ',
      '=cmd|" /C calc"!A0',
    ];
    const records = nasty.map((message, i) =>
      record(i, random, {
        status: 'error',
        errorClass: 'server_error',
        errorMessage: message,
        serverTimings: { 'odd,"key"': 1.25 },
        scenario: i === 3 ? 'a "quoted", scenario' : 'chat',
      }),
    );
    const path = join(dir, 'nested', 'nasty.csv');
    const writer = new CsvRecordWriter(path, { recordTokens: true });
    for (const r of records) writer.write(r);
    await writer.close();

    const rows = parseCsv(readFileSync(path, 'utf8'));
    const columns = [...RECORD_CSV_COLUMNS, ...RECORD_CSV_TOKEN_COLUMNS];
    expect(rows[0]).toEqual(columns);
    expect(rows).toHaveLength(1 + records.length);
    records.forEach((r, i) => {
      const json = recordToJson(r, { recordTokens: true }) as unknown as Record<string, unknown>;
      expect(rows[i + 1]).toEqual(columns.map((c) => expectedCell(json[c])));
      expect(rows[i + 1]![columns.indexOf('error_message')]).toBe(nasty[i]);
    });
    const timings = rows[1]![columns.indexOf('server_timings')]!;
    expect(JSON.parse(timings)).toEqual({ 'odd,"key"': 1.25 });
  });

  it('writes the header alone when no request finished', async () => {
    const path = join(dir, 'empty.csv');
    await new CsvRecordWriter(path).close();
    expect(readFileSync(path, 'utf8')).toBe(`${RECORD_CSV_COLUMNS.join(',')}\r\n`);
  });

  it('streams 100k records with bounded buffering: write reports a full buffer and the caller drains', async () => {
    const random = prng(42);
    const path = join(dir, 'large.csv');
    const writer = new CsvRecordWriter(path);
    let full = 0;
    let maxBuffered = 0;
    const total = 100_000;
    for (let i = 0; i < total; i++) {
      if (!writer.write(record(i, random))) {
        full++;
        maxBuffered = Math.max(maxBuffered, writer.buffered);
        await writer.drain();
      }
    }
    await writer.close();
    expect(writer.written).toBe(total);
    // Each full buffer made the loop wait: without it, all 100k rows (~30 MB) would queue.
    expect(full).toBeGreaterThan(10);
    expect(maxBuffered).toBeLessThan(1024 * 1024 + 64 * 1024 + 4096);
    const text = readFileSync(path, 'utf8');
    const rows = parseCsv(text);
    expect(rows).toHaveLength(total + 1);
    const id = RECORD_CSV_COLUMNS.indexOf('request_id');
    const phase = RECORD_CSV_COLUMNS.indexOf('phase');
    expect(rows[1]![phase]).toBe('warmup');
    expect(rows[3]![phase]).toBe('measure');
    expect(rows.slice(1).every((row, i) => row[id] === `r-${i}`)).toBe(true);
  });

  it('makes rows readable within 50 ms, before close, so an interrupted run keeps what finished', async () => {
    const path = join(dir, 'streamed.csv');
    const writer = new CsvRecordWriter(path);
    writer.write(record(7, prng(3)));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(parseCsv(readFileSync(path, 'utf8'))[1]![0]).toBe('r-7');
    await writer.close();
  });

  it('rejects with LENS_EXPORT_CSV_WRITE naming the file when the path cannot be written', async () => {
    const path = join(dir, 'is-a-directory.csv');
    mkdirSync(path);
    const writer = new CsvRecordWriter(path);
    await expect(writer.close()).rejects.toMatchObject({
      code: 'LENS_EXPORT_CSV_WRITE',
      message: expect.stringContaining(path),
    });
  });
});

describe('exporterFactories', () => {
  it('registers csv (records) and csv-summary (summary), both on .csv', () => {
    expect(exporterFactories.map((f) => [f.format, f.extensions])).toEqual([
      ['csv', ['.csv']],
      ['csv-summary', ['.csv']],
    ]);
    expect(() => exporterFactories[0]!.createRecordSink!({})).toThrow(
      expect.objectContaining({ code: 'LENS_EXPORT_CSV_PATH' }),
    );
  });

  it('writes the summary CSV atomically, leaving no temp file', async () => {
    const random = prng(9);
    const aggregator = new Aggregator();
    for (let i = 0; i < 50; i++) aggregator.add(record(i, random));
    const fidelity = buildFidelity([]);
    const summary = buildRunSummary({
      runId: 'run-csv',
      toolVersion: '0.1.0',
      configHash: 'x',
      startedAt: 0,
      endedAt: 1000,
      complete: true,
      fidelity,
      groups: aggregator.summarize({ complete: true, fidelity }),
    });
    const out = join(dir, 'summary-out');
    const csvSummary = exporterFactories.find((f) => f.format === 'csv-summary')!;
    await csvSummary.createSummaryExporter!({ path: join(out, 'summary.csv') }).export(summary);
    const text = readFileSync(join(out, 'summary.csv'), 'utf8');
    expect(text).toBe(formatSummaryCsv(summary));
    expect(readdirSync(out)).toEqual(['summary.csv']);
    const rows = parseCsv(text);
    expect(rows.find((r) => r[4] === 'requests' && r[5] === 'warmup')?.[6]).toBe('2');
    expect(rows.find((r) => r[4] === 'ttft' && r[5] === 'count')).toEqual([
      'run-csv',
      'mock',
      'mock-model',
      'chat',
      'ttft',
      'count',
      '48',
      'samples',
    ]);
  });
});
