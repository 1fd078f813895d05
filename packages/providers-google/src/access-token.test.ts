import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  classifyTransportError,
  composeTransport,
  type HttpRequestSpec,
  LensProviderError,
} from '@llm-lens/providers-core';
import { FakeTransport } from '@llm-lens/providers-core/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { accessTokenInterceptor, CommandAccessToken } from './access-token.js';

/** Directories the tests wrote commands and counters to, removed after them. */
const tempDirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lens-token-'));
  tempDirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

const node = process.execPath;

/** A command printing `token-<n>` on its n-th run, counting in a file of its own. */
function countingCommand(): string[] {
  const file = join(tempDir(), 'runs');
  const script =
    "const fs=require('fs');const f=process.argv[1];let n=0;try{n=Number(fs.readFileSync(f,'utf8'))}catch{}" +
    ";n++;fs.writeFileSync(f,String(n));process.stdout.write('  token-'+n+'\\n')";
  return [node, '-e', script, file];
}

/** `node <file>` running `code`, so the command line shown in messages stays short. */
function nodeScript(code: string): string[] {
  const file = join(tempDir(), 'token.cjs');
  writeFileSync(file, code);
  return [node, file];
}

const failWith = (reason: unknown): string => {
  if (reason instanceof LensProviderError) return reason.message;
  throw reason;
};

describe('CommandAccessToken', () => {
  it('runs the command once, trims its output, and again once the token is 45 minutes old', async () => {
    let nowMs = 0;
    const source = new CommandAccessToken({
      argv: countingCommand(),
      providerName: 'vertex',
      nowMs: () => nowMs,
    });
    const [first, concurrent] = await Promise.all([source.get(), source.get()]);
    expect([first, concurrent, source.runs]).toEqual(['token-1', 'token-1', 1]);
    nowMs = 44 * 60_000;
    expect(await source.get()).toBe('token-1');
    nowMs = 45 * 60_000;
    expect(await source.get()).toBe('token-2');
    expect(source.runs).toBe(2);
  });

  it('runs it again after the token it gave was rejected, not for an older one', async () => {
    const source = new CommandAccessToken({ argv: countingCommand(), providerName: 'vertex' });
    expect(await source.get()).toBe('token-1');
    source.invalidate('token-1');
    expect(await source.get()).toBe('token-2');
    // A late 401 of a request sent with the first token leaves the fresh one alone.
    source.invalidate('token-1');
    expect(await source.get()).toBe('token-2');
    expect(source.runs).toBe(2);
  });

  it('fails in one paragraph with the setting, exit code and first stderr line, never the token', async () => {
    const source = new CommandAccessToken({
      argv: nodeScript(
        "process.stdout.write('ya29.secret-token');process.stderr.write('\\nERROR: (gcloud.auth.print-access-token) no active account\\nsecond line\\n');process.exit(3)",
      ),
      providerName: 'vertex-eu',
    });
    const message = await source.get().then(() => '', failWith);
    expect(message).toMatch(
      /^provider "vertex-eu": access_token_command \(.+\) failed with exit code 3: ERROR: \(gcloud.auth.print-access-token\) no active account\. Run the command yourself to see why \(for gcloud: gcloud auth login\), or give a token in an environment variable with access_token_env\.$/,
    );
    expect(message).not.toContain('ya29');
    expect(message).not.toContain('second line');
    expect(message).not.toContain('\n');
  });

  it('says when the program cannot be started, hangs, or prints no single token', async () => {
    const messageOf = (argv: string[], timeoutMs?: number) =>
      new CommandAccessToken({
        argv,
        providerName: 'v',
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      })
        .get()
        .then(() => '', failWith);
    expect(await messageOf(['/nonexistent/lens-token-tool'])).toMatch(
      /could not be started \(ENOENT: \/nonexistent\/lens-token-tool is not an executable on PATH\)/,
    );
    expect(await messageOf([node, '-e', 'setTimeout(() => {}, 10000)'], 200)).toMatch(
      /did not finish within 0\.2 s and was stopped/,
    );
    expect(await messageOf([node, '-e', "process.stdout.write('  \\n')"])).toMatch(
      /exited with 0 but printed no token/,
    );
    const twoWords = await messageOf(nodeScript("console.log('ya29.a ya29.b')"));
    expect(twoWords).toMatch(/printed more than one word/);
    expect(twoWords).not.toContain('ya29');
  });
});

describe('accessTokenInterceptor', () => {
  /** Sends one request through `transport` and resolves with its status, or rejects with its error. */
  const send = (transport: ReturnType<typeof composeTransport>) =>
    new Promise<number>((resolve, reject) => {
      let status = 0;
      transport.send(
        { url: 'http://vertex.invalid/x', method: 'POST', headers: { 'content-type': 'a/b' } },
        {
          onConnection() {},
          onHeaders(code) {
            status = code;
          },
          onChunk() {},
          onComplete: () => resolve(status),
          onError: reject,
        },
      );
    });

  it('sends the bearer token, and fetches a new one for the request after a 401', async () => {
    const fake = new FakeTransport((spec: HttpRequestSpec) => ({
      status: spec.headers.authorization === 'Bearer token-1' ? 401 : 200,
    }));
    const source = new CommandAccessToken({ argv: countingCommand(), providerName: 'vertex' });
    const transport = composeTransport(fake, accessTokenInterceptor(source));
    expect(await send(transport)).toBe(401);
    expect(await send(transport)).toBe(200);
    expect(await send(transport)).toBe(200);
    expect(fake.requests.map((r) => r.headers.authorization)).toEqual([
      'Bearer token-1',
      'Bearer token-2',
      'Bearer token-2',
    ]);
    // The interceptor adds to the spec it is given, never changes it.
    expect(fake.requests[0]?.headers['content-type']).toBe('a/b');
    expect(source.runs).toBe(2);
  });

  it('fails the request with the command error, classified auth and persistent', async () => {
    const fake = new FakeTransport(() => ({}));
    const source = new CommandAccessToken({
      argv: [node, '-e', 'process.exit(1)'],
      providerName: 'vertex',
    });
    const error = await send(composeTransport(fake, accessTokenInterceptor(source))).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(LensProviderError);
    expect(classifyTransportError(error, { afterHeaders: false })).toMatchObject({
      errorClass: 'auth',
      persistent: true,
    });
    expect(fake.requests).toHaveLength(0);
  });
});
