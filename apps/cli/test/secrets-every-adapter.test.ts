import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningSimulator, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

// Credentials every adapter is given, in every place an adapter reads one from.
const KEY = 'lens-secret-key-4f1d9c2b8a7e6d5c';
const AWS_SECRET = 'lens-aws-secret-0a9b8c7d6e5f4a3b';
const AWS_SESSION = 'lens-aws-session-1b2c3d4e5f6a7b8c';
const SECRETS = [KEY, AWS_SECRET, AWS_SESSION];
const ENV = {
  LENS_SECRET: KEY,
  AWS_ACCESS_KEY_ID: 'AKIALENSTESTONLY',
  AWS_SECRET_ACCESS_KEY: AWS_SECRET,
  AWS_SESSION_TOKEN: AWS_SESSION,
  AWS_REGION: 'us-east-1',
  AWS_BEARER_TOKEN_BEDROCK: '',
  AWS_PROFILE: '',
};

/** One provider entry per adapter (and API), pointed at `base` (the simulator's root URL). */
function entries(base: string): Array<{ label: string; yaml: string }> {
  const keyed = (type: string, model: string, extra = '') =>
    `    type: ${type}\n    models: [${model}]\n${extra}`;
  return [
    {
      label: 'openai',
      yaml: keyed(
        'openai',
        'gpt-4o-mini',
        `    base_url: ${base}/v1\n    api_key_env: LENS_SECRET\n`,
      ),
    },
    {
      label: 'openai-responses',
      yaml: keyed(
        'openai',
        'gpt-4o-mini',
        `    base_url: ${base}/v1\n    api: responses\n    api_key_env: LENS_SECRET\n`,
      ),
    },
    {
      label: 'anthropic',
      yaml: keyed(
        'anthropic',
        'claude-haiku-4-5',
        `    base_url: ${base}\n    api_key_env: LENS_SECRET\n`,
      ),
    },
    {
      label: 'google',
      yaml: keyed(
        'google',
        'gemini-2.5-flash',
        `    base_url: ${base}\n    api_key_env: LENS_SECRET\n`,
      ),
    },
    {
      label: 'vertex',
      yaml: keyed(
        'vertex',
        'gemini-2.5-flash',
        `    base_url: ${base}\n    project: lens-test\n    location: us-central1\n    access_token_env: LENS_SECRET\n`,
      ),
    },
    {
      label: 'azure',
      yaml: keyed('azure', 'gpt-4o-mini', `    endpoint: ${base}\n    api_key_env: LENS_SECRET\n`),
    },
    {
      label: 'bedrock',
      yaml: keyed(
        'bedrock',
        'anthropic.claude-haiku-4-5-20251001-v1:0',
        `    endpoint_url: ${base}\n    region: us-east-1\n    auth: sigv4\n`,
      ),
    },
    {
      label: 'cohere',
      yaml: keyed(
        'cohere',
        'command-a-03-2025',
        `    base_url: ${base}\n    api_key_env: LENS_SECRET\n`,
      ),
    },
    {
      label: 'ollama',
      yaml: keyed('ollama', 'llama3.2', `    base_url: ${base}\n    api_key_env: LENS_SECRET\n`),
    },
    {
      label: 'generic',
      yaml: keyed(
        'generic',
        'mock-model',
        [
          `    url: ${base}/v1/chat/completions`,
          '    secret_headers:',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: the config file's ${VAR}, which the adapter expands
          '      Authorization: Bearer ${LENS_SECRET}',
          '    body:',
          '      model: "{{model}}"',
          '      messages: "{{messages}}"',
          '      stream: "{{stream}}"',
          '      stream_options: { include_usage: true }',
          '    framing: sse',
          '    done_data: "[DONE]"',
          '    selectors:',
          '      text: $.choices[0].delta.content',
          '      usage:',
          '        input_tokens: $.usage.prompt_tokens',
          '        output_tokens: $.usage.completion_tokens',
          '      error: $.error.message',
          '',
        ].join('\n'),
      ),
    },
  ];
}

function config(dir: string, label: string, entry: string): string {
  const file = join(dir, `${label}.yaml`);
  writeFileSync(
    file,
    `providers:\n  - name: ${label}\n${entry}scenarios:\n  - name: s\n    prompt: Hello there.\n    requests: 2\n    concurrency: 1\n    max_tokens: 32\n`,
  );
  return file;
}

let sim: RunningSimulator;
let echo: Server;
let echoUrl: string;

beforeAll(async () => {
  sim = await startSimulator({ ttftMs: 2, itlMs: 1, outputTokens: 4 });
  // Rejects every request, quoting every header it was sent: a server that echoes keys.
  echo = createServer((req, res) => {
    req.resume();
    const quoted = Object.entries(req.headers)
      .map(([name, value]) => `${name}=${String(value)}`)
      .join('; ');
    const message = `credentials rejected: ${quoted}`;
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(
      JSON.stringify({
        error: { message, type: 'authentication_error', code: 401, status: 'UNAUTHENTICATED' },
        message,
        type: 'error',
      }),
    );
  });
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await sim.close();
  echo.closeAllConnections();
  await new Promise<void>((resolve) => echo.close(() => resolve()));
});

describe('credentials of every adapter', () => {
  it('never appear in any output, on success or when a server quotes them back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-secrets-'));
    const outputs: string[] = [];
    const failures: string[] = [];
    for (const { label, yaml } of entries(sim.url)) {
      const records = join(dir, `${label}.jsonl`);
      const summary = join(dir, `${label}.json`);
      const ok = await runCli(
        [
          'benchmark',
          '-c',
          config(dir, label, yaml),
          '--records',
          records,
          '--output',
          summary,
          '--debug',
        ],
        { env: ENV },
      );
      if (ok.code !== 0) failures.push(`${label}: exit ${ok.code}: ${ok.stderr}`);
      outputs.push(
        ok.stdout,
        ok.stderr,
        readFileSync(records, 'utf8'),
        readFileSync(summary, 'utf8'),
      );
    }
    for (const { label, yaml } of entries(echoUrl)) {
      const name = `${label}-echo`;
      const records = join(dir, `${name}.jsonl`);
      const file = config(dir, name, yaml);
      const rejected = await runCli(
        ['benchmark', '-c', file, '--records', records, '--json', '--debug'],
        {
          env: ENV,
        },
      );
      const errors = JSON.parse(rejected.stdout).groups[0].errors as Record<string, number>;
      if (errors.auth !== 2)
        failures.push(`${label}: expected 2 auth errors, got ${JSON.stringify(errors)}`);
      const doctor = await runCli(['doctor', '-c', file], { env: ENV });
      if (!/credentials|HTTP 401/.test(doctor.stdout))
        failures.push(`${label}: doctor said ${doctor.stdout}`);
      outputs.push(
        rejected.stdout,
        rejected.stderr,
        readFileSync(records, 'utf8'),
        doctor.stdout,
        doctor.stderr,
      );
    }
    expect(failures).toEqual([]);
    const everything = outputs.join('\n');
    // The echo server's messages did reach the outputs, with the keys masked.
    expect(everything).toContain('credentials rejected');
    for (const secret of SECRETS) {
      expect(everything).not.toContain(secret);
      expect(everything).not.toContain(secret.slice(0, 16));
    }
  }, 240_000);
});
