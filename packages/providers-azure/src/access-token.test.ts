import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  composeTransport,
  type HttpRequestSpec,
  LensProviderError,
  type ResponseSink,
} from '@llm-lens/providers-core';
import { FakeTransport } from '@llm-lens/providers-core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ACCESS_TOKEN_REFRESH_MS,
  AccessTokenCommand,
  type AccessTokenSource,
  accessTokenInterceptor,
} from './access-token.js';

const script = (name: string): string =>
  fileURLToPath(new URL(`../test/fixtures/token-commands/${name}`, import.meta.url));
const node = process.execPath;
const LABEL = 'provider "azure": access_token_command';

const scratch = mkdtempSync(join(tmpdir(), 'lens-azure-token-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let counters = 0;

/** A command printing `tokens` in turn, and how many times it ran. */
function tokenSequence(...tokens: string[]): { argv: [string, ...string[]]; runs(): number } {
  const counter = join(scratch, `runs-${counters++}`);
  return {
    argv: [node, script('token-sequence.mjs'), counter, ...tokens],
    runs: () => {
      try {
        return Number(readFileSync(counter, 'utf8'));
      } catch {
        return 0;
      }
    },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<LensProviderError> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).toBeInstanceOf(LensProviderError);
  return outcome as LensProviderError;
}

describe('AccessTokenCommand', () => {
  it('runs the command once, trims its output and shares one run between concurrent callers', async () => {
    const command = tokenSequence('token-one', 'token-two');
    const source = new AccessTokenCommand({ argv: command.argv, label: LABEL });
    const tokens = await Promise.all([source.get(), source.get(), source.get()]);
    expect(tokens).toEqual(['token-one', 'token-one', 'token-one']);
    expect(await source.get()).toBe('token-one');
    expect(command.runs()).toBe(1);
    expect(source.runs).toBe(1);
  });

  it('runs the command again once the token is 45 minutes old', async () => {
    const command = tokenSequence('token-one', 'token-two');
    let nowMs = 1_000_000;
    const source = new AccessTokenCommand({ argv: command.argv, label: LABEL, now: () => nowMs });
    expect(await source.get()).toBe('token-one');
    nowMs += ACCESS_TOKEN_REFRESH_MS - 1;
    expect(await source.get()).toBe('token-one');
    expect(command.runs()).toBe(1);
    nowMs += 1;
    expect(await source.get()).toBe('token-two');
    expect(command.runs()).toBe(2);
    expect(ACCESS_TOKEN_REFRESH_MS).toBe(2_700_000);
  });

  it('runs the command again after the token it handed out was rejected, and only then', async () => {
    const command = tokenSequence('token-one', 'token-two', 'token-three');
    const source = new AccessTokenCommand({ argv: command.argv, label: LABEL });
    expect(await source.get()).toBe('token-one');
    source.invalidate('token-one');
    expect(await source.get()).toBe('token-two');
    // A late 401 of a request that still carried the old token changes nothing.
    source.invalidate('token-one');
    expect(await source.get()).toBe('token-two');
    expect(command.runs()).toBe(2);
  });

  it('names the setting, the exit code and the first stderr line when the command fails, and tries again next time', async () => {
    const source = new AccessTokenCommand({
      argv: [node, script('not-logged-in.mjs')],
      label: LABEL,
    });
    const error = await failureOf(source.get());
    expect(error.code).toBe('LENS_PROVIDER_AUTH');
    expect(error.errorClass).toBe('auth');
    expect(error.message).toBe(
      `provider "azure": access_token_command (${node}) failed with exit code 3: "ERROR: Please run 'az login' to setup account.". Run it in a terminal: it must print only an Entra ID access token, e.g. az account get-access-token --resource https://cognitiveservices.azure.com --query accessToken -o tsv after az login.`,
    );
    await failureOf(source.get());
    expect(source.runs).toBe(2);
  });

  it('says when the program does not exist', async () => {
    const source = new AccessTokenCommand({
      argv: ['lens-no-such-program-az', 'account'],
      label: LABEL,
    });
    expect((await failureOf(source.get())).message).toContain(
      `${LABEL} (lens-no-such-program-az) could not start "lens-no-such-program-az": no such program (is it installed and on PATH?).`,
    );
  });

  it('kills a command that does not finish within the timeout', async () => {
    const source = new AccessTokenCommand({
      argv: [node, script('hang.mjs')],
      label: LABEL,
      timeoutMs: 300,
    });
    const startedAt = performance.now();
    const error = await failureOf(source.get());
    expect(performance.now() - startedAt).toBeLessThan(10_000);
    expect(error.message).toContain(
      'did not finish within 300 ms and was killed and wrote nothing to stderr.',
    );
  });

  it('refuses output that is not one token without quoting it', async () => {
    const secret = 'eyJ0eXAiOiJKV1QiLCJsZW5zIjoidGVzdCJ9.secret-part';
    const json = new AccessTokenCommand({
      argv: [node, script('print-json.mjs'), secret],
      label: LABEL,
    });
    const error = await failureOf(json.get());
    expect(error.message).toContain(
      'printed 96 characters that are not one token (they hold spaces, line breaks or non-ASCII characters)',
    );
    expect(error.message).not.toContain(secret);
    expect(error.message).not.toContain('secret-part');

    const silent = new AccessTokenCommand({
      argv: [node, script('print-nothing.mjs')],
      label: LABEL,
    });
    expect((await failureOf(silent.get())).message).toContain(
      'exited with code 0 but printed nothing.',
    );
  });
});

/** A token source with scripted tokens, recording invalidations. */
class ScriptedTokens implements AccessTokenSource {
  readonly invalidated: string[] = [];
  #tokens: string[];

  constructor(...tokens: string[]) {
    this.#tokens = tokens;
  }

  get(): Promise<string> {
    return Promise.resolve(this.#tokens[0]!);
  }

  invalidate(token: string): void {
    this.invalidated.push(token);
    if (this.#tokens[0] === token && this.#tokens.length > 1) this.#tokens = this.#tokens.slice(1);
  }
}

function sendOnce(
  transport: FakeTransport,
  interceptor: ReturnType<typeof accessTokenInterceptor>,
  spec: HttpRequestSpec,
): Promise<{ status: number; failure?: Error }> {
  const composed = composeTransport(transport, interceptor);
  return new Promise((resolve) => {
    let status = 0;
    const sink: ResponseSink = {
      onConnection() {},
      onHeaders(responseStatus) {
        status = responseStatus;
      },
      onChunk() {},
      onComplete: () => resolve({ status }),
      onError: (failure) => resolve({ status, failure }),
    };
    composed.send(spec, sink);
  });
}

describe('accessTokenInterceptor', () => {
  const spec = (): HttpRequestSpec => ({
    url: 'http://azure.invalid/openai/v1/chat/completions',
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });

  it('adds the bearer token without touching the caller’s spec, and drops a token the server rejected', async () => {
    const tokens = new ScriptedTokens('stale-token', 'fresh-token');
    const transport = new FakeTransport((sent) =>
      sent.headers.authorization === 'Bearer stale-token' ? { status: 401 } : { status: 200 },
    );
    const interceptor = accessTokenInterceptor(tokens);
    const original = spec();
    expect((await sendOnce(transport, interceptor, original)).status).toBe(401);
    expect(original.headers.authorization).toBeUndefined();
    expect(tokens.invalidated).toEqual(['stale-token']);
    expect((await sendOnce(transport, interceptor, spec())).status).toBe(200);
    expect(transport.requests.map((sent) => sent.headers.authorization)).toEqual([
      'Bearer stale-token',
      'Bearer fresh-token',
    ]);
    expect(tokens.invalidated).toEqual(['stale-token']);
  });

  it('fails the request with the source’s error when no token can be had', async () => {
    const failing: AccessTokenSource = {
      get: () => Promise.reject(new LensProviderError('LENS_PROVIDER_AUTH', 'no token')),
      invalidate: () => {},
    };
    const transport = new FakeTransport(() => ({ status: 200 }));
    const outcome = await sendOnce(transport, accessTokenInterceptor(failing), spec());
    expect(outcome.failure).toBeInstanceOf(LensProviderError);
    expect(outcome.failure?.message).toBe('no token');
    expect(transport.requests).toHaveLength(0);
  });
});
