import { defineConfig } from 'vitest/config';
import { vitestPreset } from '@llm-lens/tooling/vitest-preset';

// Timing tests assert sub-millisecond write accuracy; running test files one at a time keeps
// this suite from competing with itself for the CPU (the whole suite still takes seconds).
export default defineConfig(vitestPreset({ fileParallelism: false }));
