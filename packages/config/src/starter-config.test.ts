import { z } from '@llm-lens/config-fields';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { extensions as adapters } from '../test/extensions.js';
import type { ConfigExtensions } from './config-extensions.js';
import { parseConfig } from './load-config.js';
import { STARTER_CONFIG_YAML } from './starter-config.js';

// The executor registers the provider sections the commented providers use; their values
// are checked by its schemas in apps/cli's tests. Here they only need to be known keys.
const extensions: ConfigExtensions = {
  ...adapters,
  providerSections: {
    retries: z.unknown(),
    rate_limits: z.unknown(),
    circuit_breaker: z.unknown(),
  },
};

describe('STARTER_CONFIG_YAML', () => {
  it('loads and validates as written, against the simulator only', () => {
    const config = parseConfig(parse(STARTER_CONFIG_YAML), { env: {}, extensions });
    expect(config.providers.map((p) => [p.name, p.type])).toEqual([['mock', 'mock']]);
    expect(config.scenarios.map((s) => s.name)).toEqual(['short-chat', 'system-prompt']);
    expect(config.outputs).toEqual({
      summary: 'results/summary.json',
      records: 'results/records.jsonl',
      record_tokens: false,
      max_error_rate: 0.05,
    });
    expect((config.providers[0]?.mock as { ttft_ms?: unknown } | undefined)?.ttft_ms).toEqual({
      distribution: 'lognormal',
      median_ms: 200,
      sigma: 0.3,
    });
  });

  it('still validates with the commented-out providers uncommented', () => {
    // Uncomment "  # - name:" items and their "  #   key:" lines, as a user would.
    const uncommented = STARTER_CONFIG_YAML.replace(/^ {2}# (- | {2})/gm, '  $1');
    expect(uncommented).not.toBe(STARTER_CONFIG_YAML);
    const config = parseConfig(parse(uncommented), { env: {}, extensions });
    expect(config.providers.map((p) => [p.name, p.type, p.base_url])).toEqual([
      ['mock', 'mock', undefined],
      ['local-vllm', 'openai-compatible', 'http://localhost:8000/v1'],
      ['openai', 'openai', 'https://api.openai.com/v1'],
    ]);
    expect(config.providers[2]).toMatchObject({
      retries: { max_attempts: 3 },
      rate_limits: { requests_per_minute: 500 },
    });
    const withEnv = parseConfig(parse(uncommented), {
      env: { VLLM_BASE_URL: 'http://gpu-box:9000/v1' },
      extensions,
    });
    expect(withEnv.providers[1]?.base_url).toBe('http://gpu-box:9000/v1');
  });
});
