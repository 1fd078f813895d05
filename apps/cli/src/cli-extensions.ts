import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigExtensions } from '@llm-lens/config';
import { ExtensionRegistry } from '@llm-lens/executor';
import type { ExporterFactory } from '@llm-lens/metrics';
import { CliError } from './cli-error.js';

/** Packages of ours the CLI discovers among its dependencies. */
const DISCOVERED = /^@llm-lens\/(providers|exporters)-(?!core$)[a-z0-9-]+$/;

/** Everything the CLI can name: provider types, load patterns and output formats. */
export interface CliExtensions {
  registry: ExtensionRegistry;
  exporters: readonly ExporterFactory[];
  config: ConfigExtensions;
}

/**
 * Loads every `@llm-lens/providers-*` and `@llm-lens/exporters-*` package the CLI depends
 * on, then each `--plugin` (a path, or a package the CLI can resolve), and collects what
 * they export: `providerFactories`, `loadPatterns`, `exporterFactories`. A new adapter or
 * format is a new package here, never an edit of the CLI's code.
 */
export async function loadCliExtensions(
  plugins: readonly string[],
  cwd = process.cwd(),
): Promise<CliExtensions> {
  const manifest = JSON.parse(
    readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
  ) as {
    dependencies?: Record<string, string>;
  };
  const packages = Object.keys(manifest.dependencies ?? {})
    .filter((name) => DISCOVERED.test(name))
    .sort();
  const sources = [
    ...packages.map((name) => ({ label: name, url: import.meta.resolve(name) })),
    ...plugins.map((plugin) => ({ label: `--plugin ${plugin}`, url: pluginUrl(plugin, cwd) })),
  ];
  const registry = new ExtensionRegistry();
  const exporters: ExporterFactory[] = [];
  for (const { label, url } of sources) {
    let module: Record<string, unknown>;
    try {
      module = (await import(url)) as Record<string, unknown>;
    } catch (error) {
      throw new CliError(`${label}: cannot load ${url}: ${(error as Error).message}`);
    }
    const hasRegistryExports = 'providerFactories' in module || 'loadPatterns' in module;
    const formats = module.exporterFactories as readonly ExporterFactory[] | undefined;
    if (!hasRegistryExports && formats === undefined) {
      throw new CliError(
        `${label}: ${url} exports none of providerFactories, loadPatterns or exporterFactories, so it adds nothing`,
      );
    }
    if (hasRegistryExports) await registry.importModule(url);
    for (const format of formats ?? []) {
      const clash = exporters.find((known) => known.format === format.format);
      if (clash !== undefined) {
        throw new CliError(`${label}: the output format "${format.format}" is registered twice`);
      }
      exporters.push(format);
    }
  }
  return { registry, exporters, config: registry.configExtensions() };
}

function pluginUrl(plugin: string, cwd: string): string {
  if (plugin.startsWith('.') || isAbsolute(plugin)) return pathToFileURL(resolve(cwd, plugin)).href;
  try {
    return import.meta.resolve(plugin);
  } catch {
    throw new CliError(
      `--plugin ${plugin}: no such package is installed where llm-lens can find it; give a path (./my-plugin.mjs) or install the package next to llm-latency-lens`,
    );
  }
}

/** The values of `--plugin` in raw arguments, before yargs parses them (they decide what it knows). */
export function pluginArgs(argv: readonly string[]): string[] {
  const plugins: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if (arg === '--plugin' && argv[i + 1] !== undefined) plugins.push(argv[++i]!);
    else if (arg.startsWith('--plugin=')) plugins.push(arg.slice('--plugin='.length));
  }
  return plugins;
}
