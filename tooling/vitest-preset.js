// Shared Vitest settings. Workspace packages resolve to their TypeScript sources so a
// package's tests never run against a stale dist/ of a sibling.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function workspaceAliases() {
  const aliases = {};
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const pkgFile = join(dir, name, 'package.json');
      const entry = join(dir, name, 'src', 'index.ts');
      if (!existsSync(pkgFile) || !existsSync(entry)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
      aliases[pkg.name] = entry;
    }
  }
  return aliases;
}

/** @returns {import('vitest/config').UserConfig} */
export function vitestPreset(overrides = {}) {
  return {
    resolve: { alias: workspaceAliases() },
    test: {
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      environment: 'node',
      testTimeout: 30_000,
      hookTimeout: 30_000,
      passWithNoTests: false,
      ...overrides,
    },
  };
}
