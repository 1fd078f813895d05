import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigExtensions } from '@llm-lens/config';
import { ExtensionRegistry } from '@llm-lens/executor';
import type { ExporterFactory } from '@llm-lens/metrics';
import {
  conversationSourceSchema,
  promptSourceSchema,
  replayConfigSchema,
} from '@llm-lens/workloads';
import { CliError } from './cli-error.js';

/** Packages of ours the CLI discovers among its dependencies. */
const DISCOVERED = /^@llm-lens\/(providers|exporters)-(?!core$)[a-z0-9-]+$/;

/** Everything the CLI can name: provider types, load patterns and output formats. */
export interface CliExtensions {
  registry: ExtensionRegistry;
  exporters: readonly ExporterFactory[];
  config: ConfigExtensions;
  /** Where each provider type comes from: its package name, or `--plugin PATH`. */
  providerSources: ReadonlyMap<string, string>;
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
  const providerSources = new Map<string, string>();
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
    const factories = module.providerFactories as ReadonlyArray<{ type: string }> | undefined;
    for (const factory of factories ?? []) providerSources.set(factory.type, label);
    for (const format of formats ?? []) {
      const clash = exporters.find((known) => known.format === format.format);
      if (clash !== undefined) {
        throw new CliError(`${label}: the output format "${format.format}" is registered twice`);
      }
      exporters.push(format);
    }
  }
  return {
    registry,
    exporters,
    // A scenario's `prompts:`, `replay:` and `conversations:` are checked by the package that loads them.
    config: {
      ...registry.configExtensions(),
      scenarioSections: {
        prompts: promptSourceSchema,
        replay: replayConfigSchema,
        conversations: conversationSourceSchema,
      },
    },
    providerSources,
  };
}

/**
 * `--provider ./my-adapter.mjs` (or a package name): a module that is not a registered
 * provider type is loaded like a `--plugin`, and the provider type it exports takes its
 * place in the arguments. It must export exactly one provider factory, or the type is
 * ambiguous. Arguments without such a value come back as they were.
 */
export async function resolveProviderModule(
  argv: readonly string[],
  extensions: CliExtensions,
  cwd = process.cwd(),
): Promise<{ argv: string[]; extensions: CliExtensions }> {
  const found = providerValue(argv);
  const types = extensions.registry.providerFactories.map((f) => f.type);
  if (found === undefined || types.includes(found.value) || !isModuleLike(found.value)) {
    return { argv: [...argv], extensions };
  }
  const url = pluginUrl(found.value, cwd, '--provider');
  let module: Record<string, unknown>;
  try {
    module = (await import(url)) as Record<string, unknown>;
  } catch (error) {
    throw new CliError(
      `--provider ${found.value}: cannot load ${url}: ${(error as Error).message}`,
    );
  }
  const factories = (module.providerFactories ?? []) as ReadonlyArray<{ type?: unknown }>;
  const moduleTypes = Array.isArray(factories) ? factories.map((f) => String(f.type)) : [];
  if (moduleTypes.length !== 1) {
    throw new CliError(
      `--provider ${found.value}: the module must export providerFactories with exactly one provider type, found ${moduleTypes.length === 0 ? 'none' : moduleTypes.join(', ')}; with several, load it with --plugin and pick one with --provider TYPE`,
    );
  }
  const loaded = await loadCliExtensions([...pluginArgs(argv), found.value], cwd);
  const rewritten = [...argv];
  rewritten[found.index] = found.inline ? `${found.flag}=${moduleTypes[0]}` : moduleTypes[0]!;
  return { argv: rewritten, extensions: loaded };
}

/** The last `--provider` / `-p` value in raw arguments, where it is. */
function providerValue(
  argv: readonly string[],
): { index: number; value: string; flag: string; inline: boolean } | undefined {
  let found: { index: number; value: string; flag: string; inline: boolean } | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') break;
    if ((arg === '--provider' || arg === '-p') && argv[i + 1] !== undefined) {
      found = { index: i + 1, value: argv[i + 1]!, flag: arg, inline: false };
      i++;
    } else if (arg.startsWith('--provider=')) {
      found = {
        index: i,
        value: arg.slice('--provider='.length),
        flag: '--provider',
        inline: true,
      };
    }
  }
  return found;
}

/** A path to a module, or a package llm-lens can resolve: not a provider type. */
function isModuleLike(value: string): boolean {
  if (value.startsWith('.') || isAbsolute(value) || /\.(m?js|cjs)$/.test(value)) return true;
  try {
    import.meta.resolve(value);
    return true;
  } catch {
    return false;
  }
}

function pluginUrl(plugin: string, cwd: string, flag = '--plugin'): string {
  if (plugin.startsWith('.') || isAbsolute(plugin)) return pathToFileURL(resolve(cwd, plugin)).href;
  try {
    return import.meta.resolve(plugin);
  } catch {
    throw new CliError(
      `${flag} ${plugin}: no such package is installed where llm-lens can find it; give a path (./my-plugin.mjs) or install the package next to llm-latency-lens`,
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
