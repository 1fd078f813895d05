// Loads the README's example config through the real config loader and runs its provider
// entry against a local stand-in for the made-up API. Needs @llm-lens/config, which this
// package does not depend on: vitest resolves it to the workspace source (see tsconfig.json).
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ConfigExtensions, LensConfigError, loadConfigFile } from '@llm-lens/config';
import { strictObject } from '@llm-lens/config-fields';
import { HttpTransport, type ProviderSettings } from '@llm-lens/providers-core';
import { exchangeOnce } from '@llm-lens/providers-core/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerFactories } from '../src/index.js';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');

/** The first fenced block of `language` after `marker` in the README. */
function block(marker: string, language: string): string {
  const start = readme.indexOf(marker);
  expect(start, `README has "${marker}"`).toBeGreaterThan(-1);
  const fence = readme.indexOf(`\`\`\`${language}\n`, start);
  const end = readme.indexOf('\n```', fence);
  return readme.slice(fence + language.length + 4, end + 1);
}

const exampleYaml = block('Save this as `generic.yaml`', 'yaml');
const documentedProblems = block('Every mistake is reported with its path', 'text');
const documentedRequest = block('For this entry the adapter sends', 'http');
const stream = readFileSync(new URL('./fixtures/nimbus-stream.sse', import.meta.url));

// The executor's `closed` pattern, reduced to what the loader needs to accept a scenario.
const extensions: ConfigExtensions = {
  providers: providerFactories,
  loadPatterns: [
    { type: 'closed', description: 'closed loop', configSchema: strictObject({}, 'no settings') },
  ],
};

const API_KEY = 'nimbus-key-31c9e0d27b';

interface Received {
  method: string | undefined;
  url: string | undefined;
  headers: IncomingHttpHeaders;
  body: string;
}

let server: Server;
let origin: string;
const received: Received[] = [];

beforeAll(async () => {
  server = createServer(async (req, res) => {
    let body = '';
    for await (const part of req) body += part;
    received.push({ method: req.method, url: req.url, headers: req.headers, body });
    if (req.headers.authorization !== `Bearer ${API_KEY}`) {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"bad key"}}');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.end(stream);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  server.close();
  await once(server, 'close');
});

describe('the README example', () => {
  it('loads through the config loader and profiles the made-up API as documented', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-generic-'));
    const file = join(dir, 'generic.yaml');
    writeFileSync(file, exampleYaml);
    const config = await loadConfigFile(file, { extensions, env: { MY_API_KEY: API_KEY } });
    const [entry] = config.providers;
    expect(entry).toMatchObject({
      name: 'nimbus',
      type: 'generic',
      models: ['nimbus-large-2'],
      framing: 'sse',
      method: 'POST',
      usage_convention: 'output_excludes_reasoning',
    });
    const settings = entry as ProviderSettings;
    // Point the documented URL at the stand-in server; everything else is as loaded.
    const local: ProviderSettings = {
      ...settings,
      url: (settings.url as string).replace('https://api.nimbus-ai.example', origin),
    };
    const factory = providerFactories[0]!;
    const instance = await factory.create(local, { env: { MY_API_KEY: API_KEY }, baseDir: dir });
    expect(instance.secrets).toEqual([`Bearer ${API_KEY}`, API_KEY]);
    await expect(factory.create(settings, { env: {}, baseDir: dir })).resolves.toMatchObject({
      endpoint: 'https://api.nimbus-ai.example/v2/models/{{model}}/generate',
    });

    const scenario = config.scenarios[0]!;
    const transport = new HttpTransport();
    try {
      const result = await exchangeOnce(transport, instance.provider, {
        model: 'nimbus-large-2',
        prompt: scenario.prompt!,
        stream: scenario.stream,
        ...(scenario.max_tokens === undefined ? {} : { maxTokens: scenario.max_tokens }),
      });
      expect(result.status).toBe(200);
      expect(result.sawEndMarker).toBe(true);
      expect(result.events.map((event) => event.text).join('')).toBe('Bonjour à tous 👋!');
      expect(result.events.map((event) => event.reasoningText).join('')).toBe('Greet them warmly.');
      expect(result.events.at(-1)?.usage).toEqual({
        inputTokens: 14,
        outputTokens: 5,
        reportedOutputTokens: 3,
        reasoningTokens: 2,
      });
    } finally {
      await transport.close();
    }

    // The request is the one the README shows.
    const [requestLine, ...rest] = documentedRequest.trimEnd().split('\n');
    const documentedBody = rest.at(-1);
    const [request] = received;
    expect(`${request?.method} ${request?.url}`).toBe(requestLine);
    expect(request?.headers).toMatchObject({
      accept: 'text/event-stream',
      'content-type': 'application/json',
      'x-client-name': 'llm-lens',
      authorization: `Bearer ${API_KEY}`,
    });
    expect(request?.body).toBe(documentedBody);
  });

  it('reports the documented mistakes through the config loader, each with its path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lens-generic-'));
    const file = join(dir, 'broken.yaml');
    writeFileSync(
      file,
      [
        'providers:',
        '  - type: generic',
        '    models: [m]',
        '    url: http://127.0.0.1:9/generate',
        '    body:',
        '      input:',
        '        text: "Q: {{promt}}"',
        '    framing: ndjson',
        '    done_data: "[DONE]"',
        '    selectors:',
        '      text: $.text',
        '      reasoning_text: $.parts[?(@.thought)].text',
        'scenarios:',
        '  - prompt: hi',
        '',
      ].join('\n'),
    );
    const error = await loadConfigFile(file, { extensions, env: {} }).catch((caught) => caught);
    expect(error).toBeInstanceOf(LensConfigError);
    const lines = (error as LensConfigError).message.split('\n');
    expect(lines[0]).toBe('invalid config (3 problems):');
    for (const problem of documentedProblems.trimEnd().split('\n')) {
      expect(
        lines.find((line) => line.endsWith(problem)),
        problem,
      ).toBeDefined();
    }
  });
});
