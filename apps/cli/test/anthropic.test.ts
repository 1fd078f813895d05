import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const KEY = 'sk-ant-cli-test-8910';
const stream = readFileSync(
  new URL('../../../packages/providers-anthropic/test/fixtures/messages-text.sse', import.meta.url),
);
let server: Server;
let baseUrl: string;
const keys: Array<string | undefined> = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    keys.push(req.headers['x-api-key'] as string | undefined);
    req.resume();
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(stream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

describe('benchmark --provider anthropic', () => {
  it('measures a Messages API stream with the key from ANTHROPIC_API_KEY, never writing it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-anthropic-'));
    const result = await runCli(
      [
        'benchmark',
        '-p',
        'anthropic',
        '--base-url',
        baseUrl,
        '-m',
        'claude-lens-test',
        '-n',
        '3',
        '-w',
        '0',
        '--records',
        join(dir, 'r.jsonl'),
        '-o',
        join(dir, 's.json'),
      ],
      { env: { ANTHROPIC_API_KEY: KEY } },
    );
    expect(result.stderr).not.toMatch(/error:/);
    expect(result.code).toBe(0);
    expect(keys.at(-1)).toBe(KEY);
    const records = readFileSync(join(dir, 'r.jsonl'), 'utf8');
    const summary = readFileSync(join(dir, 's.json'), 'utf8');
    for (const text of [records, summary, result.stdout, result.stderr]) {
      expect(text).not.toContain(KEY);
    }
    const first = JSON.parse(records.split('\n')[0]!);
    expect(first).toMatchObject({
      provider: 'anthropic',
      status: 'ok',
      token_events: 4,
      output_tokens: 11,
      input_tokens: 2069,
      cached_input_tokens: 2048,
      token_count_source: 'server_usage',
    });
    expect(JSON.parse(summary).groups[0].requests.succeeded).toBe(3);
  });

  it('says which variable to set when the key is missing, and sends nothing', async () => {
    const before = keys.length;
    const result = await runCli(
      ['benchmark', '-p', 'anthropic', '--base-url', baseUrl, '-m', 'claude-lens-test', '-n', '1'],
      { env: { ANTHROPIC_API_KEY: '' } },
    );
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ANTHROPIC_API_KEY/);
    expect(keys.length).toBe(before);
  });
});
