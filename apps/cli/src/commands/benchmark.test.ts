import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LensConfigError } from '@llm-lens/config';
import { ExtensionRegistry } from '@llm-lens/executor';
import { providerFactories } from '@llm-lens/providers-mock';
import { afterAll, describe, expect, it } from 'vitest';
import type { CliExtensions } from '../cli-extensions.js';
import { configFromArgs } from './benchmark.js';

/** The simulator and the executor's load patterns and provider sections, as the CLI loads them. */
function simulatorOnly(): CliExtensions {
  const registry = new ExtensionRegistry();
  registry.register({ providerFactories });
  return {
    registry,
    exporters: [],
    config: registry.configExtensions(),
    providerSources: new Map(),
  };
}

/** The message of the LensConfigError `run` rejects with (fails the test otherwise). */
async function rejection(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (error) {
    if (error instanceof LensConfigError) return error.message;
    throw error;
  }
  throw new Error('expected a LensConfigError');
}

const dir = mkdtempSync(join(tmpdir(), 'lens-benchmark-flags-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('connection flags of benchmark', () => {
  it("--connection-mode and --http2 set every provider's connection settings", async () => {
    const config = await configFromArgs({ connectionMode: 'new', http2: true }, simulatorOnly());
    expect(config.providers[0]).toMatchObject({ connection_mode: 'new', http2: true });
  });

  it('reports a connection mode that is not one, by flag', async () => {
    const message = await rejection(() =>
      configFromArgs({ connectionMode: 'fresh' }, simulatorOnly()),
    );
    expect(message).toMatch(/--connection-mode: .*keep-alive.*new.*got "fresh"/);
  });
});

describe('resilience flags of benchmark', () => {
  it("--max-attempts, --rpm and --tpm set every provider's sections, --max-cost the run's budget", async () => {
    const config = await configFromArgs(
      { maxAttempts: 3, rpm: 60, tpm: 6000, maxCost: 1.5 },
      simulatorOnly(),
    );
    expect(config.providers[0]).toMatchObject({
      retries: { max_attempts: 3 },
      rate_limits: { requests_per_minute: 60, tokens_per_minute: 6000 },
    });
    expect(config.max_cost_usd).toBe(1.5);
  });

  it('reports bad values in one paragraph, by flag, with what is valid', async () => {
    const message = await rejection(() =>
      configFromArgs({ maxAttempts: 0, rpm: 2.5, maxCost: -1 }, simulatorOnly()),
    );
    expect(message.split('\n')).toEqual([
      'invalid command-line flags (3 problems):',
      '--max-attempts: must be a whole number of attempts >= 1 (1 = no retries), got 0',
      '--rpm: must be a whole number of requests per minute >= 1, got 2.5',
      '--max-cost: must be a cost in USD > 0, such as 5.00, got -1',
    ]);
  });

  it("checks a config file's sections with the executor's rules", async () => {
    const file = join(dir, 'lens.yaml');
    writeFileSync(
      file,
      [
        'providers:',
        '  - type: mock',
        '    models: [m]',
        '    retries: { max_attempts: 3, retry_on: [cancelled] }',
        '    rate_limits: { burst_requests: 5 }',
        'scenarios:',
        '  - prompt: hi',
        '',
      ].join('\n'),
    );
    const message = await rejection(() => configFromArgs({ config: file }, simulatorOnly()));
    expect(message).toContain(
      'providers[0].retries.retry_on[0]: must not be cancelled: an interrupt cancels every request in flight, and retrying them would undo it',
    );
    expect(message).toContain(
      'providers[0].rate_limits: needs requests_per_minute, tokens_per_minute or both',
    );
  });
});
