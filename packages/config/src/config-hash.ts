import { createHash } from 'node:crypto';
import type { LensConfig } from './lens-config.js';

/**
 * sha256 (hex) of the config as canonical JSON (keys sorted, undefined dropped), so equal
 * configs hash equal whatever the key order. Safe to print: a config holds no secrets
 * (keys are read from api_key_env / api_key_file at run time).
 */
export function configHash(config: LensConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}

/** JSON with object keys sorted at every depth; array order is kept. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const sorted: Record<string, unknown> = {};
    for (const key of Object.keys(item).sort())
      sorted[key] = (item as Record<string, unknown>)[key];
    return sorted;
  });
}
