import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// A server that answers each request with the next of a list of raw responses, in order.
let server: Server;
let baseUrl: string;
let replies: Array<(socket: Socket) => void> = [];

beforeAll(async () => {
  server = createServer((socket) => {
    let head = '';
    socket.on('error', () => {});
    socket.on('data', (data) => {
      head += data.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      const length = Number(/content-length: *(\d+)/i.exec(head)?.[1] ?? 0);
      if (end === -1 || head.length < end + 4 + length) return;
      head = head.slice(end + 4 + length);
      const reply = replies.shift();
      if (reply === undefined) socket.destroy();
      else reply(socket);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

const chunk = (value: unknown): string => `data: ${JSON.stringify(value)}\n\n`;
const delta = (content: string): string =>
  chunk({ object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content } }] });

function stream(body: string): (socket: Socket) => void {
  return (socket) =>
    socket.write(
      `HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
}

describe('what a server sends cannot end the run or change its exit code', () => {
  it('keeps every record and the summary through absurd usage, a huge word and a broken response', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-hostile-'));
    const usage = (completion: unknown) =>
      stream(
        `${delta('Hello')}${delta(' world')}${chunk({ choices: [], usage: { prompt_tokens: 1e308, completion_tokens: completion } })}data: [DONE]\n\n`,
      );
    replies = [
      usage(1e300),
      usage(1e20),
      usage(2 ** 53),
      usage(26.5),
      stream(`${delta('a'.repeat(300_000))}data: [DONE]\n\n`),
      (socket) => socket.end('SSH-2.0-OpenSSH_9.6\r\n'),
      stream(
        `${delta('fine')}${chunk({ choices: [], usage: { prompt_tokens: 5, completion_tokens: 1 } })}data: [DONE]\n\n`,
      ),
    ];
    const result = await runCli([
      'benchmark',
      '-p',
      'openai-compatible',
      '--base-url',
      baseUrl,
      '-m',
      'm',
      '-n',
      '7',
      '-C',
      '1',
      '-w',
      '0',
      '--records',
      join(dir, 'r.jsonl'),
      '-o',
      join(dir, 's.json'),
    ]);
    expect(result.stderr).not.toMatch(/error:/);
    expect(result.code).toBe(0);
    const records = readFileSync(join(dir, 'r.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(7);
    const ignored = records.filter((r) => r.usage_ignored !== null);
    expect(ignored.map((r) => r.output_tokens)).toEqual([2, 2, 2, 2]);
    expect(
      ignored.every((r) => /^usage ignored: completion_tokens /.test(String(r.usage_ignored))),
    ).toBe(true);
    expect(records.filter((r) => r.token_count_estimated === true)).toHaveLength(1);
    expect(records.filter((r) => r.error_class === 'protocol')).toHaveLength(1);
    const summary = JSON.parse(readFileSync(join(dir, 's.json'), 'utf8'));
    const [group] = summary.groups;
    expect(group.requests).toMatchObject({ total: 7, succeeded: 6, failed: 1 });
    expect(group.tokens.input).toBe(5);
    expect(Number.isFinite(group.tokens.output)).toBe(true);
    expect(group.out_of_range_samples).toBe(0);
  });
});
