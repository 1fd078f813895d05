import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  composeTransport,
  HttpTransport,
  type ProviderInstance,
  type ProviderRequestInput,
  type StreamEvent,
  type Usage,
} from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import { type RunningSimulator, simulatedText, startSimulator } from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createGoogleProvider,
  createVertexProvider,
  googleProviderFactory,
  providerFactories,
  vertexProviderFactory,
} from '../src/index.js';

/** Directories the tests wrote commands and counters to, removed after them. */
const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lens-vertex-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

// The adapters against the simulator's Gemini protocol: real HTTP, the Gemini API paths and
// the Vertex AI paths, decoded as the executor decodes (chunk by chunk as they arrive).

const API_KEY = 'AIza-lens-integration-key';
const REJECTED = 'invalid-key';

let sim: RunningSimulator;
let thinkingSim: RunningSimulator;
let failingSim: RunningSimulator;
const transport = new HttpTransport();

beforeAll(async () => {
  [sim, thinkingSim, failingSim] = await Promise.all([
    startSimulator({ ttftMs: 2, itlMs: 1, outputTokens: 10, seed: 11 }),
    startSimulator({ ttftMs: 2, itlMs: 1, outputTokens: 6, reasoningTokens: 4, seed: 12 }),
    startSimulator({
      ttftMs: 2,
      itlMs: 1,
      outputTokens: 10,
      seed: 13,
      faults: { midStreamErrorRate: 1 },
    }),
  ]);
});

afterAll(async () => {
  await transport.close();
  await Promise.all([sim.close(), thinkingSim.close(), failingSim.close()]);
});

const input = (extra: Partial<ProviderRequestInput> = {}): ProviderRequestInput => ({
  model: 'gemini-2.5-flash',
  prompt: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Tell a story.' },
  ],
  stream: true,
  ...extra,
});

const texts = (events: StreamEvent[]) => ({
  text: events.map((e) => e.text).join(''),
  reasoning: events.map((e) => e.reasoningText).join(''),
  tokenEvents: events.filter((e) => e.text !== '' || e.reasoningText !== '').length,
});
const mergedUsage = (events: StreamEvent[]): Usage => {
  const usage: Usage = {};
  for (const event of events) if (event.usage) Object.assign(usage, event.usage);
  return usage;
};

describe('the google adapter against the simulator (Gemini API)', () => {
  const google = (target: RunningSimulator, apiKey = API_KEY) =>
    createGoogleProvider({ baseUrl: target.url, apiKey });

  it('streams the whole text with usage, and ends at the finishReason', async () => {
    const result = await exchangeOnce(transport, google(sim), input());
    expect(result.status).toBe(200);
    expect(texts(result.events)).toEqual({
      text: simulatedText(10),
      reasoning: '',
      tokenEvents: 10,
    });
    // Four words of the prompt ("Be brief." "Tell a story.") and no thoughts.
    expect(mergedUsage(result.events)).toEqual({
      inputTokens: 5,
      outputTokens: 10,
      reportedOutputTokens: 10,
    });
    expect(result.sawEndMarker).toBe(true);
    expect(result.failure).toBeUndefined();
  });

  it('returns the whole text without streaming, cut at max_tokens', async () => {
    const result = await exchangeOnce(
      transport,
      google(sim),
      input({ stream: false, maxTokens: 4 }),
    );
    expect(result.events).toEqual([
      {
        text: simulatedText(4),
        reasoningText: '',
        toolText: '',
        usage: { inputTokens: 5, outputTokens: 4, reportedOutputTokens: 4 },
      },
    ]);
    expect(result.sawEndMarker).toBe(true);
  });

  it('reads thought parts as reasoning when options ask for them, counted in the output', async () => {
    const result = await exchangeOnce(
      transport,
      google(thinkingSim),
      input({ extraBody: { generationConfig: { thinkingConfig: { includeThoughts: true } } } }),
    );
    expect(texts(result.events)).toEqual({
      text: simulatedText(6),
      reasoning: simulatedText(4),
      tokenEvents: 10,
    });
    // The first events carry thoughts only; the answer starts after the last of them.
    expect(result.events.findIndex((e) => e.text !== '')).toBe(4);
    expect(mergedUsage(result.events)).toEqual({
      inputTokens: 5,
      outputTokens: 10,
      reportedOutputTokens: 6,
      reasoningTokens: 4,
    });
  });

  it('classifies the rejected key as auth, never quoting it', async () => {
    const result = await exchangeOnce(transport, google(sim, REJECTED), input(), {
      secrets: [REJECTED],
    });
    expect(result.status).toBe(401);
    expect(result.httpError).toMatchObject({ errorClass: 'auth', persistent: true });
    expect(result.httpError?.message).toMatch(/^HTTP 401 UNAUTHENTICATED: API key not valid/);
  });

  it('classifies the error object sent mid-stream as server_error, with no end marker', async () => {
    const result = await exchangeOnce(transport, google(failingSim), input());
    expect(texts(result.events).text).toBe(simulatedText(5));
    expect(result.streamErrors).toEqual([
      {
        errorClass: 'server_error',
        message:
          'error in stream: The model stopped generating because of a server error (simulated). (INTERNAL, code 500)',
      },
    ]);
    expect(result.sawEndMarker).toBe(false);
  });

  it('answers a bad request with 400 INVALID_ARGUMENT, persistent', async () => {
    const result = await exchangeOnce(transport, google(sim), input({ maxTokens: 0 }));
    expect(result.httpError).toMatchObject({ errorClass: 'client_error', persistent: true });
    expect(result.httpError?.message).toMatch(/^HTTP 400 INVALID_ARGUMENT: .*max_output_tokens/);
  });
});

describe('the vertex adapter against the simulator (Vertex AI paths)', () => {
  it('streams and returns the whole text on the project/location path with a bearer token', async () => {
    const vertex = createVertexProvider({
      project: 'lens-project',
      location: 'europe-west4',
      baseUrl: sim.url,
      accessToken: 'ya29.lens-token',
    });
    const request = vertex.buildRequest(input());
    expect(request.url).toBe(
      `${sim.url}/v1/projects/lens-project/locations/europe-west4/publishers/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse`,
    );
    expect(request.headers.authorization).toBe('Bearer ya29.lens-token');
    const streamed = await exchangeOnce(transport, vertex, input());
    expect(texts(streamed.events).text).toBe(simulatedText(10));
    expect(streamed.sawEndMarker).toBe(true);
    const whole = await exchangeOnce(transport, vertex, input({ stream: false }));
    expect(whole.events[0]?.text).toBe(simulatedText(10));
  });
});

/** A token command printing `<prefix><n>` on its n-th run (n counted in a file), or the rejected credential first. */
function tokenCommand(options: { rejectFirst?: boolean } = {}): string[] {
  const dir = tempDir();
  const script = join(dir, 'token.cjs');
  writeFileSync(
    script,
    `const fs = require('fs');
const file = ${JSON.stringify(join(dir, 'runs'))};
let n = 0;
try { n = Number(fs.readFileSync(file, 'utf8')); } catch {}
n++;
fs.writeFileSync(file, String(n));
console.log(${options.rejectFirst === true ? `n === 1 ? ${JSON.stringify(REJECTED)} : ` : ''}'ya29.command-token-' + n);
`,
  );
  return [process.execPath, script];
}

const sendVia = (instance: ProviderInstance, request: ProviderRequestInput) =>
  exchangeOnce(
    composeTransport(transport, ...(instance.interceptors ?? [])),
    instance.provider,
    request,
    { secrets: instance.secrets },
  );

describe('the vertex provider factory', () => {
  const settingsOf = (entry: Record<string, unknown>) => ({
    name: 'vertex',
    type: 'vertex',
    models: ['gemini-2.5-flash'],
    ...vertexProviderFactory.configSchema.parse(entry),
  });

  it('reads project, location and token from the environment, defaulting to us-central1', async () => {
    const settings = settingsOf({});
    expect(vertexProviderFactory.credentials(settings, { baseDir: '.' })).toEqual([
      { env: 'GOOGLE_OAUTH_ACCESS_TOKEN', what: 'the OAuth access token' },
    ]);
    const instance = await vertexProviderFactory.create(settings, {
      env: { GOOGLE_CLOUD_PROJECT: 'env-project', GOOGLE_OAUTH_ACCESS_TOKEN: 'ya29.env-token' },
      baseDir: '.',
    });
    expect(instance.endpoint).toBe(
      'https://us-central1-aiplatform.googleapis.com/v1/projects/env-project/locations/us-central1',
    );
    expect(instance.secrets).toEqual(['ya29.env-token']);
    expect(instance.interceptors).toBeUndefined();
    const request = instance.provider.buildRequest(input({ stream: false }));
    expect(request.url).toBe(
      'https://us-central1-aiplatform.googleapis.com/v1/projects/env-project/locations/us-central1/publishers/google/models/gemini-2.5-flash:generateContent',
    );
    expect(request.headers.authorization).toBe('Bearer ya29.env-token');

    const global = await vertexProviderFactory.create(
      settingsOf({ project: 'p', location: 'global', access_token_env: 'MY_TOKEN' }),
      { env: { GOOGLE_CLOUD_LOCATION: 'asia-northeast1', MY_TOKEN: 't' }, baseDir: '.' },
    );
    expect(global.endpoint).toBe(
      'https://aiplatform.googleapis.com/v1/projects/p/locations/global',
    );
    const regional = await vertexProviderFactory.create(settingsOf({ project: 'p' }), {
      env: { GOOGLE_CLOUD_LOCATION: 'asia-northeast1', GOOGLE_OAUTH_ACCESS_TOKEN: 't' },
      baseDir: '.',
    });
    expect(regional.endpoint).toBe(
      'https://asia-northeast1-aiplatform.googleapis.com/v1/projects/p/locations/asia-northeast1',
    );
  });

  it('says what is missing: the project, the token, or one source too many', async () => {
    const message = (entry: Record<string, unknown>, env: NodeJS.ProcessEnv) =>
      vertexProviderFactory.create(settingsOf(entry), { env, baseDir: '.' }).then(
        () => '',
        (error: Error) => error.message,
      );
    expect(await message({}, { GOOGLE_OAUTH_ACCESS_TOKEN: 't' })).toBe(
      'provider "vertex" needs a Google Cloud project: set project in its entry or the environment variable GOOGLE_CLOUD_PROJECT',
    );
    expect(await message({ project: 'p', access_token_env: 'VERTEX_TOKEN' }, {})).toMatch(
      /^provider "vertex" needs an OAuth access token: set the environment variable VERTEX_TOKEN .* access_token_command: gcloud auth print-access-token$/,
    );
    expect(
      await message({ project: 'p', location: 'us central' }, { GOOGLE_OAUTH_ACCESS_TOKEN: 't' }),
    ).toMatch(/^location "us central" is not valid; expected e\.g\. us-central1 or global$/);
    const both = vertexProviderFactory.configSchema.safeParse({
      access_token_env: 'X',
      access_token_command: 'gcloud auth print-access-token',
    });
    expect(both.success).toBe(false);
    expect(both.error?.issues[0]).toMatchObject({
      path: ['access_token_command'],
      message: 'cannot be combined with access_token_env; set only one of them',
    });
  });

  it('runs access_token_command before the run, and again in the interceptor after a 401', async () => {
    const instance = await vertexProviderFactory.create(
      settingsOf({
        project: 'p',
        base_url: sim.url,
        access_token_command: tokenCommand({ rejectFirst: true }),
      }),
      { env: process.env, baseDir: '.' },
    );
    // The first token is known before any request, so outputs can be checked against it.
    expect(instance.secrets).toEqual([REJECTED]);
    expect(instance.interceptors).toHaveLength(1);
    // The command's first token is rejected: that request fails as auth, but not persistent...
    const rejected = await sendVia(instance, input());
    expect(rejected.httpError?.errorClass).toBe('auth');
    expect(rejected.httpError?.persistent).toBeUndefined();
    // ...because the next request runs the command again and gets through.
    const accepted = await sendVia(instance, input());
    expect(accepted.status).toBe(200);
    expect(texts(accepted.events).text).toBe(simulatedText(10));
    expect(accepted.sawEndMarker).toBe(true);
  });

  it('fails before the run with one paragraph when the command fails, naming the setting', async () => {
    const dir = tempDir();
    const script = join(dir, 'fail.cjs');
    writeFileSync(
      script,
      "process.stdout.write('ya29.partial');console.error('ERROR: (gcloud.auth.print-access-token) Reauthentication required.');process.exit(1);",
    );
    const message = await vertexProviderFactory
      .create(
        settingsOf({ project: 'p', access_token_command: `"${process.execPath}" ${script}` }),
        {
          env: process.env,
          baseDir: '.',
        },
      )
      .then(
        () => '',
        (error: Error) => error.message,
      );
    expect(message).toMatch(
      /^provider "vertex": access_token_command \(.+\) failed with exit code 1: ERROR: \(gcloud\.auth\.print-access-token\) Reauthentication required\. Run the command yourself/,
    );
    expect(message).not.toContain('ya29');
  });
});

describe('the google provider factory', () => {
  const settingsOf = (entry: Record<string, unknown> = {}) => ({
    name: 'gemini',
    type: 'google',
    models: ['gemini-2.5-flash'],
    ...googleProviderFactory.configSchema.parse(entry),
  });

  it('is registered with vertex, and reads GEMINI_API_KEY, else GOOGLE_API_KEY, into x-goog-api-key', async () => {
    expect(providerFactories.map((f) => f.type)).toEqual(['google', 'vertex']);
    const settings = settingsOf();
    expect(settings).toMatchObject({
      base_url: 'https://generativelanguage.googleapis.com',
      api_version: 'v1beta',
    });
    const both = await googleProviderFactory.create(settings, {
      env: { GEMINI_API_KEY: 'gemini-key', GOOGLE_API_KEY: 'google-key' },
      baseDir: '.',
    });
    expect(both.secrets).toEqual(['gemini-key']);
    expect(both.endpoint).toBe('https://generativelanguage.googleapis.com/v1beta');
    const request = both.provider.buildRequest(input());
    expect(request.url).toBe(
      'https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse',
    );
    expect(request.headers['x-goog-api-key']).toBe('gemini-key');
    expect(request.url).not.toContain('key=');
    const fallback = await googleProviderFactory.create(settings, {
      env: { GOOGLE_API_KEY: 'google-key' },
      baseDir: '.',
    });
    expect(fallback.secrets).toEqual(['google-key']);
  });

  it('names both variables when neither is set, and honours api_key_env', async () => {
    const message = await googleProviderFactory
      .create(settingsOf(), { env: {}, baseDir: '.' })
      .then(
        () => '',
        (error: Error) => error.message,
      );
    expect(message).toBe(
      'provider "gemini" needs an API key: set the environment variable GEMINI_API_KEY (GOOGLE_API_KEY is read when it is unset), or choose another variable with --api-key-env / api_key_env, or a key file with api_key_file',
    );
    const custom = await googleProviderFactory.create(settingsOf({ api_key_env: 'MY_GEMINI' }), {
      env: { MY_GEMINI: 'k', GEMINI_API_KEY: 'other' },
      baseDir: '.',
    });
    expect(custom.secrets).toEqual(['k']);
  });
});
