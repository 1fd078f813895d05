import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mockProviderFactory, readWriteLogFile, spawnSimulator } from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-spawn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the simulator in a child process', () => {
  it('serves requests and leaves a write log that joins by x-request-id', async () => {
    const writeLogFile = join(dir, 'writes.jsonl');
    const simulator = await spawnSimulator({ ttftMs: 5, itlMs: 1, outputTokens: 3, writeLogFile });
    const response = await fetch(`${simulator.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-7' },
      body: JSON.stringify({
        model: 'm',
        messages: [{ role: 'user', content: 'hi' }],
        stream: true,
      }),
    });
    expect(response.status).toBe(200);
    await response.text();
    expect(await simulator.cpuUs()).toBeGreaterThan(0);
    const { stats } = await simulator.close();
    expect(stats.requests).toBe(1);
    const log = readWriteLogFile(writeLogFile);
    expect(log.get('req-7')?.tokenWritesNs).toHaveLength(3);
  });
});

describe('type: mock', () => {
  it('starts a simulator for the run and sends other threads to it as openai-compatible', async () => {
    const instance = await mockProviderFactory.create(
      { name: 'sim', type: 'mock', models: ['m'], api: 'chat', mock: { seed: 3 } },
      { env: {}, baseDir: dir },
    );
    try {
      expect(instance.endpoint).toMatch(/^built-in simulator at http:\/\/127\.0\.0\.1:\d+\/v1$/);
      expect(instance.secrets).toEqual([]);
      expect(instance.portable?.type).toBe('openai-compatible');
      expect(instance.portable?.settings).toMatchObject({
        name: 'sim',
        type: 'openai-compatible',
        models: ['m'],
        base_url: instance.endpoint.replace('built-in simulator at ', ''),
      });
      expect(instance.portable?.settings).not.toHaveProperty('mock');
      const request = instance.provider.buildRequest({ model: 'm', prompt: 'hi', stream: true });
      const response = await fetch(request.url, {
        method: 'POST',
        headers: request.headers,
        body: request.body ?? null,
      });
      expect(response.status).toBe(200);
      await response.text();
    } finally {
      await instance.close?.();
    }
  });
});
