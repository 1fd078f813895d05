import type { ConfigExtensions } from '@llm-lens/config';
import type { ProviderFactory } from '@llm-lens/providers-core';
import { connectionProviderShape } from './connection-config.js';
import { ExecutorError } from './executor-error.js';
import { loadPatterns as builtinLoadPatterns } from './load/builtin-patterns.js';
import type { LoadPattern } from './load/load-pattern.js';
import { resilienceProviderShape } from './resilience/resilience-config.js';

/** What an extension module exports; every field is optional. */
export interface ExtensionModule {
  /** Provider types (see `ProviderFactory` in @llm-lens/providers-core). */
  readonly providerFactories?: readonly ProviderFactory[];
  /** Load patterns (see {@link LoadPattern}). */
  readonly loadPatterns?: readonly LoadPattern[];
}

/**
 * The provider types and load patterns a run may name, collected from extension modules
 * (an adapter package exports `providerFactories`, a pattern package `loadPatterns`) plus
 * this package's own patterns. Worker threads rebuild the same registry by importing the
 * same module URLs, so extensions meant for multi-threaded runs are registered by URL.
 */
export class ExtensionRegistry {
  readonly #providers = new Map<string, ProviderFactory>();
  readonly #patterns = new Map<string, LoadPattern>();
  readonly #origins = new Map<string, string>();
  readonly #moduleUrls: string[] = [];
  readonly #inMemory: string[] = [];

  constructor() {
    this.register({ loadPatterns: builtinLoadPatterns }, BUILTIN);
  }

  /** A registry with the extensions of every module at `urls` (imported in order). */
  static async fromModules(urls: readonly string[]): Promise<ExtensionRegistry> {
    const registry = new ExtensionRegistry();
    for (const url of urls) await registry.importModule(url);
    return registry;
  }

  /** Imports the module at `url` (a URL or absolute file URL) and registers what it exports. */
  async importModule(url: string): Promise<void> {
    if (this.#moduleUrls.includes(url)) return;
    let module: ExtensionModule;
    try {
      module = (await import(url)) as ExtensionModule;
    } catch (cause) {
      throw new ExecutorError(
        'LENS_EXECUTOR_EXTENSION_INVALID',
        `cannot load the extension module ${url}: ${cause instanceof Error ? cause.message : String(cause)}`,
        { cause },
      );
    }
    if (module.providerFactories === undefined && module.loadPatterns === undefined) {
      throw new ExecutorError(
        'LENS_EXECUTOR_EXTENSION_INVALID',
        `the extension module ${url} exports neither providerFactories nor loadPatterns`,
      );
    }
    this.register(module, url);
    this.#moduleUrls.push(url);
  }

  /**
   * Registers extensions given as values. `origin` (a module URL) lets worker threads
   * import them too; without it they work in the main thread only.
   */
  register(extensions: ExtensionModule, origin?: string): void {
    for (const factory of extensions.providerFactories ?? []) {
      this.#add(this.#providers, 'provider type', factory.type, factory, origin);
    }
    for (const pattern of extensions.loadPatterns ?? []) {
      this.#add(this.#patterns, 'load pattern', pattern.type, pattern, origin);
    }
  }

  #add<T>(
    map: Map<string, T>,
    kind: string,
    type: string,
    value: T,
    origin: string | undefined,
  ): void {
    const key = `${kind}\u0000${type}`;
    const existing = this.#origins.get(key);
    if (map.has(type)) {
      throw new ExecutorError(
        'LENS_EXECUTOR_EXTENSION_INVALID',
        `the ${kind} "${type}" is registered twice (by ${existing ?? 'code'} and by ${origin ?? 'code'}); each type needs a unique name`,
      );
    }
    map.set(type, value);
    if (origin !== undefined) this.#origins.set(key, origin);
    else this.#inMemory.push(`${kind} "${type}"`);
  }

  /** Module URLs registered so far, which worker threads import. */
  get moduleUrls(): readonly string[] {
    return this.#moduleUrls;
  }

  /** Extensions registered without a module URL: they cannot be used in worker threads. */
  get inMemoryExtensions(): readonly string[] {
    return this.#inMemory;
  }

  get providerFactories(): readonly ProviderFactory[] {
    return [...this.#providers.values()];
  }

  get loadPatterns(): readonly LoadPattern[] {
    return [...this.#patterns.values()];
  }

  /** The factory of a provider type; throws a message listing the registered types. */
  providerFactory(type: string): ProviderFactory {
    const factory = this.#providers.get(type);
    if (factory === undefined) {
      throw new ExecutorError(
        'LENS_EXECUTOR_EXTENSION_INVALID',
        `no provider type "${type}" is registered; registered: ${[...this.#providers.keys()].join(', ') || 'none'}`,
      );
    }
    return factory;
  }

  /** A load pattern by type; throws a message listing the registered patterns. */
  loadPattern(type: string): LoadPattern {
    const pattern = this.#patterns.get(type);
    if (pattern === undefined) {
      throw new ExecutorError(
        'LENS_EXECUTOR_EXTENSION_INVALID',
        `no load pattern "${type}" is registered; registered: ${[...this.#patterns.keys()].join(', ')}`,
      );
    }
    return pattern;
  }

  /** What the config package needs to validate files that name these extensions. */
  configExtensions(): ConfigExtensions {
    return {
      providers: this.providerFactories,
      loadPatterns: this.loadPatterns,
      // Every provider entry may carry the executor's resilience policies and connection keys.
      providerSections: { ...resilienceProviderShape, ...connectionProviderShape },
    };
  }
}

/** Origin of this package's own patterns: every thread has them without importing anything. */
const BUILTIN = 'builtin:@llm-lens/executor';
