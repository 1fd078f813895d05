import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  composeTransport,
  HttpTransport,
  LensProviderError,
  type ProviderInstance,
  type ProviderRequestInput,
  type ProviderSettings,
  type StreamEvent,
  type Transport,
  type Usage,
} from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import {
  type RunningSimulator,
  type SimulatorOptions,
  simulatedText,
  startSimulator,
} from '@llm-lens/providers-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { azureProviderFactory, providerFactories } from '../src/index.js';

const API_KEY = 'azure-simulated-key-5521';
// The one credential the simulator answers 401 for (its REJECTED_CREDENTIAL).
const REJECTED = 'invalid-key';
const OUTPUT_TOKENS = 12;
const REASONING_TOKENS = 6;
// The simulator's estimate: 4 per message plus its words.
const PROMPT_TOKENS = 4 + 3;
// Drops and mid-stream errors strike before half the token events.
const TOKENS_BEFORE_FAULT = OUTPUT_TOKENS / 2;

const TIMING: SimulatorOptions = { ttftMs: 2, itlMs: 1, outputTokens: OUTPUT_TOKENS, seed: 11 };

type SimulatorRole = 'healthy' | 'reasoning' | 'rateLimited' | 'failing' | 'midStream' | 'dropping';
let sims: Record<SimulatorRole, RunningSimulator>;
const http = new HttpTransport();
const scratch = mkdtempSync(join(tmpdir(), 'lens-azure-sim-'));

beforeAll(async () => {
  const [healthy, reasoning, rateLimited, failing, midStream, dropping] = await Promise.all([
    startSimulator(TIMING),
    startSimulator({ ...TIMING, reasoningTokens: REASONING_TOKENS }),
    startSimulator({ ...TIMING, faults: { rateLimitRate: 1, retryAfterS: 7 } }),
    startSimulator({ ...TIMING, faults: { serverErrorRate: 1 } }),
    startSimulator({ ...TIMING, faults: { midStreamErrorRate: 1 } }),
    startSimulator({ ...TIMING, faults: { dropRate: 1 } }),
  ]);
  sims = { healthy, reasoning, rateLimited, failing, midStream, dropping };
});

afterAll(async () => {
  await http.close();
  await Promise.all(Object.values(sims).map((sim) => sim.close()));
  rmSync(scratch, { recursive: true, force: true });
});

/** Settings as the config package hands them over: validated, defaults filled. */
function settingsOf(given: Record<string, unknown>): ProviderSettings {
  return {
    name: 'azure-sim',
    type: 'azure',
    models: ['gpt-4o'],
    ...(azureProviderFactory.configSchema.parse(given) as Record<string, unknown>),
  };
}

async function instanceOf(
  given: Record<string, unknown>,
  env: NodeJS.ProcessEnv = { AZURE_OPENAI_API_KEY: API_KEY },
): Promise<ProviderInstance> {
  return azureProviderFactory.create(settingsOf(given), { env, baseDir: scratch });
}

function transportOf(instance: ProviderInstance): Transport {
  return composeTransport(http, ...(instance.interceptors ?? []));
}

function send(
  instance: ProviderInstance,
  input: Partial<ProviderRequestInput> & { stream: boolean },
) {
  return exchangeOnce(
    transportOf(instance),
    instance.provider,
    { model: 'gpt-4o', prompt: 'Say twelve words', maxTokens: 256, ...input },
    { secrets: instance.secrets },
  );
}

const tokenEvents = (events: readonly StreamEvent[]) =>
  events.filter((e) => e.text !== '' || e.reasoningText !== '' || e.toolText !== '');
const joined = (events: readonly StreamEvent[], field: 'text' | 'reasoningText') =>
  events.map((e) => e[field]).join('');
const lastUsage = (events: readonly StreamEvent[]): Usage | undefined =>
  events.findLast((e) => e.usage !== undefined)?.usage;

describe('Azure provider against the simulator over HTTP', () => {
  it('streams from a deployment URL: filter chunks are not tokens, usage is exact', async () => {
    const instance = await instanceOf({ endpoint: sims.healthy.url });
    expect(instance.endpoint).toBe(`${sims.healthy.url}/openai/deployments`);
    expect(instance.secrets).toEqual([API_KEY]);
    const result = await send(instance, { stream: true });
    expect(result.status).toBe(200);
    expect(result.failure).toBeUndefined();
    expect(result.streamErrors).toEqual([]);
    expect(result.sawEndMarker).toBe(true);
    // prompt-filter chunk, role chunk, 12 token chunks, usage chunk
    expect(result.events).toHaveLength(1 + 1 + OUTPUT_TOKENS + 1);
    expect(result.events.slice(0, 2)).toEqual([
      { text: '', reasoningText: '', toolText: '' },
      { text: '', reasoningText: '', toolText: '' },
    ]);
    const tokens = tokenEvents(result.events);
    expect(tokens).toHaveLength(OUTPUT_TOKENS);
    expect(joined(tokens, 'text')).toBe(simulatedText(OUTPUT_TOKENS));
    expect(lastUsage(result.events)).toEqual({
      inputTokens: PROMPT_TOKENS,
      outputTokens: OUTPUT_TOKENS,
      reasoningTokens: 0,
      cachedInputTokens: 0,
    });
  });

  it('streams from the v1 URL with the mapped deployment as the model', async () => {
    const instance = await instanceOf({
      endpoint: `${sims.healthy.url}/openai/v1`,
      api: 'v1',
      deployment: { 'gpt-4o': 'team-4o' },
    });
    expect(instance.endpoint).toBe(`${sims.healthy.url}/openai/v1`);
    const result = await send(instance, { stream: true });
    expect(result.status).toBe(200);
    expect(result.sawEndMarker).toBe(true);
    expect(joined(tokenEvents(result.events), 'text')).toBe(simulatedText(OUTPUT_TOKENS));
    expect(lastUsage(result.events)?.outputTokens).toBe(OUTPUT_TOKENS);
  });

  it('reads a non-streaming completion as one event with the text and usage', async () => {
    const instance = await instanceOf({ endpoint: sims.healthy.url });
    const result = await send(instance, { stream: false, maxTokens: 5 });
    expect(result.status).toBe(200);
    expect(result.sawEndMarker).toBe(true);
    expect(result.events).toEqual([
      {
        text: simulatedText(5),
        reasoningText: '',
        toolText: '',
        usage: {
          inputTokens: PROMPT_TOKENS,
          outputTokens: 5,
          reasoningTokens: 0,
          cachedInputTokens: 0,
        },
      },
    ]);
  });

  it('streams reasoning before the answer, counted in the output', async () => {
    const instance = await instanceOf({ endpoint: sims.reasoning.url });
    const result = await send(instance, { stream: true });
    const tokens = tokenEvents(result.events);
    expect(tokens.map((e) => (e.reasoningText !== '' ? 'r' : 't')).join('')).toBe(
      'r'.repeat(REASONING_TOKENS) + 't'.repeat(OUTPUT_TOKENS),
    );
    expect(joined(tokens, 'reasoningText')).toBe(simulatedText(REASONING_TOKENS));
    expect(joined(tokens, 'text')).toBe(simulatedText(OUTPUT_TOKENS));
    expect(lastUsage(result.events)).toEqual({
      inputTokens: PROMPT_TOKENS,
      outputTokens: REASONING_TOKENS + OUTPUT_TOKENS,
      reasoningTokens: REASONING_TOKENS,
      cachedInputTokens: 0,
    });
  });

  it('classifies a refused body (400) as a persistent client_error', async () => {
    const instance = await instanceOf({ endpoint: sims.healthy.url });
    const result = await send(instance, { stream: true, maxTokens: 0 });
    expect(result.status).toBe(400);
    expect(result.events).toEqual([]);
    expect(result.httpError).toEqual({
      errorClass: 'client_error',
      message: "HTTP 400: Invalid 'max_completion_tokens': expected an integer ≥ 1.",
      persistent: true,
    });
  });

  it('classifies the rejected key (401) as auth, without the key in the message', async () => {
    const instance = await instanceOf(
      { endpoint: sims.healthy.url },
      { AZURE_OPENAI_API_KEY: REJECTED },
    );
    const result = await send(instance, { stream: true });
    expect(result.status).toBe(401);
    expect(result.httpError).toMatchObject({ errorClass: 'auth', persistent: true });
    expect(result.httpError?.message).toMatch(/^HTTP 401: Access denied/);
    expect(result.httpError?.message).not.toContain(REJECTED);
  });

  it('classifies a 429 as rate_limited and honours its Retry-After', async () => {
    const instance = await instanceOf({ endpoint: sims.rateLimited.url });
    const result = await send(instance, { stream: true });
    expect(result.status).toBe(429);
    expect(result.headers['retry-after']).toBe('7');
    expect(result.httpError).toEqual({
      errorClass: 'rate_limited',
      message:
        'HTTP 429: Rate limit reached for gpt-4o (simulated). Please try again in 7s.; retry after 7 s',
    });
  });

  it('classifies a 500 as server_error', async () => {
    const instance = await instanceOf({ endpoint: sims.failing.url });
    const result = await send(instance, { stream: true });
    expect(result.status).toBe(500);
    expect(result.httpError).toEqual({
      errorClass: 'server_error',
      message: 'HTTP 500: The server had an error while processing your request (simulated).',
    });
  });

  it('classifies an error event mid-stream as server_error, with no end marker', async () => {
    const instance = await instanceOf({ endpoint: sims.midStream.url });
    const result = await send(instance, { stream: true });
    expect(result.status).toBe(200);
    expect(result.failure).toBeUndefined();
    expect(result.sawEndMarker).toBe(false);
    expect(joined(tokenEvents(result.events), 'text')).toBe(simulatedText(TOKENS_BEFORE_FAULT));
    expect(result.streamErrors).toEqual([
      {
        errorClass: 'server_error',
        message:
          'error in stream: The model stopped generating because of a server error (simulated). (type server_error, code simulated_mid_stream_error)',
      },
    ]);
  });

  it('reports a dropped connection as a transport failure after the events that arrived', async () => {
    const instance = await instanceOf({ endpoint: sims.dropping.url });
    const result = await send(instance, { stream: true });
    expect(result.status).toBe(200);
    expect(result.failure).toBeInstanceOf(Error);
    expect(result.sawEndMarker).toBe(false);
    expect(joined(tokenEvents(result.events), 'text')).toBe(simulatedText(TOKENS_BEFORE_FAULT));
  });
});

describe('Azure provider with Entra ID tokens', () => {
  const script = (name: string): string =>
    fileURLToPath(new URL(`./fixtures/token-commands/${name}`, import.meta.url));
  let counters = 0;

  /** The command as a config file lists it, printing `tokens` in turn, and its run count. */
  function tokenSequence(...tokens: string[]): { command: string[]; runs(): number } {
    const counter = join(scratch, `runs-${counters++}`);
    return {
      command: [process.execPath, script('token-sequence.mjs'), counter, ...tokens],
      runs: () => Number(readFileSync(counter, 'utf8')),
    };
  }

  it('fetches a token at create, re-runs the command after a 401 and uses the new token', async () => {
    const sequence = tokenSequence(REJECTED, 'entra-token-fresh-1');
    const instance = await instanceOf(
      { endpoint: sims.healthy.url, access_token_command: sequence.command },
      {},
    );
    expect(sequence.runs()).toBe(1);
    expect(instance.secrets).toEqual([REJECTED]);
    expect(instance.interceptors).toHaveLength(1);

    const rejected = await send(instance, { stream: true });
    expect(rejected.status).toBe(401);
    expect(rejected.httpError?.errorClass).toBe('auth');
    expect(rejected.httpError?.message).toContain('an Entra ID token must be issued for');
    expect(sequence.runs()).toBe(1);

    const retried = await send(instance, { stream: true });
    expect(retried.status).toBe(200);
    expect(joined(tokenEvents(retried.events), 'text')).toBe(simulatedText(OUTPUT_TOKENS));
    expect(sequence.runs()).toBe(2);

    // Cached from now on.
    expect((await send(instance, { stream: false, maxTokens: 2 })).status).toBe(200);
    expect(sequence.runs()).toBe(2);
  });

  it('splits a command given as one line on spaces', async () => {
    const counter = join(scratch, 'one-line');
    writeFileSync(counter, '0');
    const instance = await instanceOf(
      {
        endpoint: sims.healthy.url,
        api: 'v1',
        access_token_command: `${process.execPath} ${script('token-sequence.mjs')} ${counter} entra-one-line`,
      },
      {},
    );
    expect(instance.secrets).toEqual(['entra-one-line']);
    expect((await send(instance, { stream: true })).status).toBe(200);
  });

  it('fails create with one paragraph naming the setting, exit code and stderr when the command fails', async () => {
    const outcome = await instanceOf(
      {
        endpoint: sims.healthy.url,
        access_token_command: [process.execPath, script('not-logged-in.mjs')],
      },
      {},
    ).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(outcome).toBeInstanceOf(LensProviderError);
    expect((outcome as LensProviderError).code).toBe('LENS_PROVIDER_AUTH');
    expect((outcome as LensProviderError).message).toMatch(
      /^provider "azure-sim": access_token_command \(.+\) failed with exit code 3: "ERROR: Please run 'az login' to setup account\."\. Run it in a terminal: [^\n]+$/,
    );
  });

  it('sends a token from access_token_env as a bearer token', async () => {
    const good = await instanceOf(
      { endpoint: sims.healthy.url, access_token_env: 'LENS_ENTRA_TOKEN' },
      { LENS_ENTRA_TOKEN: 'entra-from-env' },
    );
    expect(good.secrets).toEqual(['entra-from-env']);
    expect(good.interceptors).toBeUndefined();
    expect(
      good.provider.buildRequest({ model: 'm', prompt: 'x', stream: true }).headers.authorization,
    ).toBe('Bearer entra-from-env');
    expect((await send(good, { stream: true })).status).toBe(200);

    const rejected = await instanceOf(
      { endpoint: sims.healthy.url, access_token_env: 'LENS_ENTRA_TOKEN' },
      { LENS_ENTRA_TOKEN: REJECTED },
    );
    const result = await send(rejected, { stream: true });
    expect(result.status).toBe(401);
    expect(result.httpError?.message).not.toContain(REJECTED);
  });
});

describe('the azure provider factory', () => {
  const context = (env: NodeJS.ProcessEnv) => ({ env, baseDir: scratch });

  it('is the package’s one factory, with its defaults and environment variables', () => {
    expect(providerFactories).toEqual([azureProviderFactory]);
    expect(azureProviderFactory.configSchema.parse({})).toEqual({
      api: 'deployments',
      max_tokens_field: 'max_completion_tokens',
    });
    expect(azureProviderFactory.envVars.map((v) => v.name)).toEqual([
      'AZURE_OPENAI_ENDPOINT',
      'AZURE_OPENAI_API_KEY',
    ]);
  });

  it('reads the endpoint and key from AZURE_OPENAI_ENDPOINT and AZURE_OPENAI_API_KEY', async () => {
    const instance = await azureProviderFactory.create(
      settingsOf({}),
      context({
        AZURE_OPENAI_ENDPOINT: 'https://lens.openai.azure.com/',
        AZURE_OPENAI_API_KEY: API_KEY,
      }),
    );
    const spec = instance.provider.buildRequest({ model: 'gpt-4o', prompt: 'x', stream: true });
    expect(spec.url).toBe(
      'https://lens.openai.azure.com/openai/deployments/gpt-4o/chat/completions?api-version=2024-10-21',
    );
    expect(spec.headers['api-key']).toBe(API_KEY);
    expect(spec.headers.authorization).toBeUndefined();
    expect(instance.provider.name).toBe('azure-sim');
  });

  it('reads the key from api_key_file relative to the config file', async () => {
    writeFileSync(join(scratch, 'azure.key'), `${API_KEY}\n`);
    const instance = await azureProviderFactory.create(
      settingsOf({ endpoint: 'https://lens.openai.azure.com', api_key_file: 'azure.key' }),
      context({}),
    );
    expect(instance.secrets).toEqual([API_KEY]);
    expect(
      azureProviderFactory.credentials(settingsOf({ api_key_file: 'azure.key' }), context({})),
    ).toEqual([{ file: join(scratch, 'azure.key'), what: 'the API key' }]);
  });

  it('says which credential each configuration needs', () => {
    const credentials = (given: Record<string, unknown>) =>
      azureProviderFactory.credentials(settingsOf(given), context({}));
    expect(credentials({})).toEqual([{ env: 'AZURE_OPENAI_API_KEY', what: 'the API key' }]);
    expect(credentials({ access_token_env: 'TOKEN' })).toEqual([
      { env: 'TOKEN', what: 'the Entra ID access token' },
    ]);
    expect(credentials({ access_token_command: 'az account get-access-token' })).toEqual([]);
  });

  it('fails without an endpoint, naming the setting and the variable', async () => {
    const outcome = await azureProviderFactory
      .create(settingsOf({}), context({ AZURE_OPENAI_API_KEY: API_KEY }))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(outcome).toBeInstanceOf(LensProviderError);
    expect((outcome as LensProviderError).message).toBe(
      'provider "azure-sim" needs the resource endpoint: set endpoint (e.g. https://my-resource.openai.azure.com) or the environment variable AZURE_OPENAI_ENDPOINT',
    );
    const badEnv = await azureProviderFactory
      .create(settingsOf({}), context({ AZURE_OPENAI_ENDPOINT: 'lens.openai.azure.com' }))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect((badEnv as LensProviderError).message).toBe(
      'provider "azure-sim": the environment variable AZURE_OPENAI_ENDPOINT is not usable: endpoint "lens.openai.azure.com" is not an http(s) URL; expected the resource endpoint, e.g. https://my-resource.openai.azure.com',
    );
  });

  it('fails when the key or the token variable is unset, naming the variable only', async () => {
    const missingKey = await azureProviderFactory
      .create(settingsOf({ endpoint: 'https://lens.openai.azure.com' }), context({}))
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect((missingKey as LensProviderError).code).toBe('LENS_PROVIDER_AUTH');
    expect((missingKey as LensProviderError).message).toContain('AZURE_OPENAI_API_KEY');
    const missingToken = await azureProviderFactory
      .create(
        settingsOf({ endpoint: 'https://lens.openai.azure.com', access_token_env: 'LENS_TOKEN' }),
        context({}),
      )
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect((missingToken as LensProviderError).message).toMatch(
      /^provider "azure-sim" needs an Entra ID access token in the environment variable LENS_TOKEN \(access_token_env\), which is not set; /,
    );
  });

  it('refuses two credentials, a bad api and a bad command with messages naming the field', () => {
    const issues = (given: Record<string, unknown>) => {
      const result = azureProviderFactory.configSchema.safeParse(given);
      expect(result.success).toBe(false);
      return result.error?.issues.map((issue) => [issue.path.join('.'), issue.message]);
    };
    expect(issues({ api_key_env: 'KEY', access_token_command: 'az x' })).toEqual([
      [
        'access_token_command',
        'cannot be combined with an API key; choose one credential: an API key (api_key_env / api_key_file, default AZURE_OPENAI_API_KEY), access_token_env or access_token_command',
      ],
    ]);
    expect(issues({ access_token_env: 'TOKEN', access_token_command: ['az'] })).toEqual([
      [
        'access_token_command',
        'cannot be combined with access_token_env; choose one credential: an API key (api_key_env / api_key_file, default AZURE_OPENAI_API_KEY), access_token_env or access_token_command',
      ],
    ]);
    expect(issues({ api: 'deployment' })).toEqual([
      ['api', 'must be one of deployments | v1, got "deployment" (did you mean "deployments"?)'],
    ]);
    const [[path, message]] = issues({ access_token_command: 42 }) as [[string, string]];
    expect(path).toBe('access_token_command');
    // access_token_* values are hidden in messages, like every secret-looking setting.
    expect(message).toMatch(
      /^must be a command line such as "az account get-access-token .+", or a list of the program and its arguments, got a number \(value hidden\)$/,
    );
    expect(issues({ access_token_command: '   ' })?.[0]?.[0]).toBe('access_token_command');
    expect(issues({ deployment: { 'gpt-4o': '' } })?.[0]?.[0]).toBe('deployment.gpt-4o');
  });
});
