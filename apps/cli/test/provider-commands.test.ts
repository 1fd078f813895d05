import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const SECRET = 'invalid-key';
let sim: RunningSimulator;

beforeAll(async () => {
  sim = await startSimulator({ ttftMs: 1, itlMs: 1, outputTokens: 3 });
});

afterAll(async () => {
  await sim.close();
});

describe('llm-lens providers', () => {
  it('lists every installed adapter with its package and environment variables', async () => {
    const result = await runCli(['providers', '--json']);
    expect(result.code).toBe(0);
    const listing = JSON.parse(result.stdout) as Array<{
      type: string;
      package: string;
      env: Array<{ name: string }>;
    }>;
    const byType = new Map(listing.map((p) => [p.type, p]));
    for (const [type, pkg, variable] of [
      ['openai', '@llm-lens/providers-openai', 'OPENAI_API_KEY'],
      ['anthropic', '@llm-lens/providers-anthropic', 'ANTHROPIC_API_KEY'],
      ['google', '@llm-lens/providers-google', 'GEMINI_API_KEY'],
      ['azure', '@llm-lens/providers-azure', 'AZURE_OPENAI_API_KEY'],
      ['bedrock', '@llm-lens/providers-bedrock', 'AWS_ACCESS_KEY_ID'],
      ['cohere', '@llm-lens/providers-cohere', 'CO_API_KEY'],
      ['ollama', '@llm-lens/providers-ollama', 'OLLAMA_HOST'],
    ] as const) {
      expect(byType.get(type)?.package, type).toBe(pkg);
      expect(
        byType.get(type)?.env.map((v) => v.name),
        type,
      ).toContain(variable);
    }
    for (const type of ['generic', 'mock', 'openai-compatible', 'vertex']) {
      expect(byType.has(type), type).toBe(true);
    }
    const text = await runCli(['providers']);
    expect(text.stdout).toMatch(/^anthropic +Anthropic Messages API/m);
  });
});

describe('llm-lens models', () => {
  it('lists catalog prices, and yours over them', async () => {
    const catalog = await runCli(['models', '-p', 'openai', '--json']);
    expect(catalog.code).toBe(0);
    const models = JSON.parse(catalog.stdout).models as Array<{ model: string; input: number }>;
    expect(models.find((m) => m.model === 'gpt-4o-mini')?.input).toBe(0.15);
    const dir = mkdtempSync(join(tmpdir(), 'lens-models-'));
    const file = join(dir, 'p.json');
    writeFileSync(
      file,
      JSON.stringify({ prices: [{ model: 'gpt-4o-mini', input: 9, output: 9 }] }),
    );
    const mine = await runCli(['models', '-p', 'openai', '--pricing', file, '--json']);
    const overridden = JSON.parse(mine.stdout).models as Array<{ model: string; input: number }>;
    expect(overridden.filter((m) => m.model === 'gpt-4o-mini')).toEqual([
      { model: 'gpt-4o-mini', input: 9, output: 9 },
    ]);
    const none = await runCli(['models', '-p', 'openai-compatible']);
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/no prices for it.*--pricing FILE/s);
  });

  it('rejects a bad pricing file with the file, line and field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-models-'));
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'prices:\n  - model: x\n    input: cheap\n    output: 1\n');
    const result = await runCli(['models', '-p', 'openai', '--pricing', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /invalid --pricing file \(1 problem\):\n.*bad\.yaml:3:\d+: prices\[0\]\.input: /,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('llm-lens doctor', () => {
  it('says ready for a working endpoint', async () => {
    const result = await runCli([
      'doctor',
      '-p',
      'openai-compatible',
      '--base-url',
      sim.baseUrl,
      '-m',
      'mock-model',
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/✓ DNS: 127\.0\.0\.1/);
    expect(result.stdout).toMatch(/HTTP 200 in \d+ ms\n {2}ready/);
  });

  it('explains a missing key, a rejected key, a refused connection and a DNS failure in one paragraph each', async () => {
    const missing = await runCli(['doctor', '-p', 'openai'], { env: { OPENAI_API_KEY: '' } });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(
      /✗ Missing credentials for openai .*OPENAI_API_KEY, which is not set/,
    );

    const rejected = await runCli(
      ['doctor', '-p', 'openai', '--base-url', sim.baseUrl, '-m', 'mock-model'],
      { env: { OPENAI_API_KEY: SECRET } },
    );
    expect(rejected.code).toBe(1);
    expect(rejected.stdout).toMatch(
      /rejected the credentials \(HTTP 401\).*The key came from OPENAI_API_KEY/,
    );
    expect(rejected.stdout + rejected.stderr).not.toContain(SECRET);

    const refused = await runCli([
      'doctor',
      '-p',
      'openai-compatible',
      '--base-url',
      'http://127.0.0.1:9/v1',
      '-m',
      'x',
    ]);
    expect(refused.stdout).toMatch(/connection refused/);

    const dns = await runCli([
      'doctor',
      '-p',
      'openai-compatible',
      '--base-url',
      'http://no-such-host.invalid/v1',
      '-m',
      'x',
    ]);
    expect(dns.code).toBe(1);
    expect(dns.stdout).toMatch(/The host no-such-host\.invalid does not resolve/);
  });
});
