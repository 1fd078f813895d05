import { describe, expect, it } from 'vitest';
import { defaultConfig } from './cli-overrides.js';
import { canonicalJson, configHash } from './config-hash.js';
import type { LensConfig } from './lens-config.js';

function reverseKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reverseKeys);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([key, item]) => [key, reverseKeys(item)]),
  );
}

describe('configHash', () => {
  it('is a sha256 hex digest', () => {
    expect(configHash(defaultConfig())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('does not change with key order', () => {
    const config = defaultConfig();
    const reordered = reverseKeys(config) as LensConfig;
    expect(Object.keys(reordered)[0]).toBe('fidelity');
    expect(configHash(reordered)).toBe(configHash(config));
  });

  it('changes when any value changes, including array order', () => {
    const config = defaultConfig();
    const changed = defaultConfig();
    if (changed.scenarios[0]) changed.scenarios[0].concurrency = 5;
    expect(configHash(changed)).not.toBe(configHash(config));

    const twoModels = defaultConfig();
    const swapped = defaultConfig();
    if (twoModels.providers[0] && swapped.providers[0]) {
      twoModels.providers[0].models = ['a', 'b'];
      swapped.providers[0].models = ['b', 'a'];
    }
    expect(configHash(twoModels)).not.toBe(configHash(swapped));
  });
});

describe('canonicalJson', () => {
  it('sorts keys at every depth and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });
});
