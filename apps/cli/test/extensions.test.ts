// New providers, load patterns and output formats come from packages the CLI discovers or
// modules given with --plugin: none of them needs an edit of the CLI.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-extensions-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const PLUGIN = fileURLToPath(new URL('./fixtures/fake-plugin.mjs', import.meta.url));

describe('--plugin', () => {
  it('adds a provider type, a load pattern and an output format that run end to end', async () => {
    const config = join(dir, 'fake.yaml');
    writeFileSync(
      config,
      [
        'providers: [{ name: fake, type: fake, models: [f-1], tokens: 6, ttft_ms: 15, itl_ms: 2 }]',
        'scenarios: [{ name: paced, prompt: hi, requests: 5, concurrency: 5, load: { type: paced, gap_ms: 10 } }]',
      ].join('\n'),
    );
    const output = join(dir, 'run.lines');
    const result = await runCli([
      'benchmark',
      '--plugin',
      PLUGIN,
      '-c',
      config,
      '-o',
      output,
      '--json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const group = JSON.parse(result.stdout).groups[0];
    expect(group).toMatchObject({ provider: 'fake', model: 'f-1', scenario: 'paced' });
    expect(group.requests).toMatchObject({ planned: 5, succeeded: 5 });
    expect(group.tokens.output).toBe(30);
    expect(readFileSync(output, 'utf8')).toMatch(/^fake f-1 paced \d+(\.\d+)?\n$/);
    // The plugin's settings are validated like any other: a typo is named with a suggestion.
    writeFileSync(config, readFileSync(config, 'utf8').replace('itl_ms: 2', 'itl_mss: 2'));
    const typo = await runCli(['validate', '--plugin', PLUGIN, '-c', config]);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('providers[0].itl_mss: unknown key, did you mean "itl_ms"?');
  });

  it('lists what plugins add in --help, and names a plugin that adds nothing', async () => {
    const help = await runCli(['benchmark', '--plugin', PLUGIN, '--help']);
    expect(help.stdout).toContain('"fake"');
    // --export lists every format with its files; the text wraps, so spaces are evened out.
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/Formats: .*\blines \(\.lines\)/);
    const empty = join(dir, 'empty.mjs');
    writeFileSync(empty, 'export const nothing = 1;\n');
    const result = await runCli(['benchmark', '--plugin', empty]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /exports none of providerFactories, loadPatterns or exporterFactories/,
    );
  });
});

describe('--provider with a module', () => {
  it('loads the module and uses the one provider type it exports', async () => {
    const result = await runCli(
      [
        'benchmark',
        '--provider',
        './fixtures/fake-plugin.mjs',
        '-m',
        'f-1',
        '-n',
        '3',
        '-w',
        '0',
        '--json',
      ],
      { cwd: fileURLToPath(new URL('.', import.meta.url)) },
    );
    expect(result.code, result.stderr).toBe(0);
    const group = JSON.parse(result.stdout).groups[0];
    expect(group).toMatchObject({ provider: 'fake', model: 'f-1' });
    expect(group.requests.succeeded).toBe(3);
  });

  it('says what a module must export when it has no provider type', async () => {
    const empty = join(dir, 'no-provider.mjs');
    writeFileSync(empty, 'export const loadPatterns = [];\n');
    const result = await runCli(['benchmark', '--provider', empty, '-m', 'x']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /--provider .*no-provider\.mjs: the module must export providerFactories with exactly one provider type, found none/,
    );
  });
});
