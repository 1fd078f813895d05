import { vitestPreset } from '@llm-lens/tooling/vitest-preset';
import { defineConfig } from 'vitest/config';

export default defineConfig(
  vitestPreset({
    include: ['test/**/*.test.mjs'],
    // The fast subset drives the real CLI over real sockets: about a minute on two cores.
    testTimeout: 180_000,
    hookTimeout: 180_000,
  }),
);
