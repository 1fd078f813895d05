import { defineConfig } from 'vitest/config';
import { vitestPreset } from '@llm-lens/tooling/vitest-preset';

export default defineConfig(vitestPreset());
