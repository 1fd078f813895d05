// Shared Vitest settings. Workspace packages resolve to their TypeScript sources so a
// package's tests never run against a stale dist/ of a sibling.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

function workspaceAliases() {
  const aliases = [];
  for (const group of ['packages', 'apps']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const pkgFile = join(dir, name, 'package.json');
      if (!existsSync(pkgFile)) continue;
      const pkg = JSON.parse(readFileSync(pkgFile, 'utf8'));
      // Every export that points into dist/ maps to the source file it is built from.
      for (const [subpath, target] of Object.entries(pkg.exports ?? {})) {
        const built = typeof target === 'string' ? target : target?.import;
        if (typeof built !== 'string' || !built.startsWith('./dist/')) continue;
        const source = join(
          dir,
          name,
          built.replace(/^\.\/dist\//, 'src/').replace(/\.js$/, '.ts'),
        );
        if (!existsSync(source)) continue;
        const specifier = subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`;
        const escaped = specifier.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        aliases.push({ find: new RegExp(`^${escaped}$`), replacement: source });
      }
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
