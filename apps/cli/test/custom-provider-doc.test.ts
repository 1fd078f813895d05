// The README's "Your own provider in one file" must run as written: its two files are
// extracted, the stand-in server started, and the README's command run against it.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run-cli.js';

const cliDir = fileURLToPath(new URL('..', import.meta.url));
// Inside the workspace, as the README says, so the adapter's imports resolve.
const dir = mkdtempSync(join(cliDir, '.doc-example-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function codeBlock(readme: string, firstLine: string): string {
  const block = [...readme.matchAll(/```js\n([\s\S]*?)```/g)]
    .map((m) => m[1]!)
    .find((code) => code.startsWith(firstLine));
  expect(block, firstLine).toBeDefined();
  return block!;
}

describe('README: your own provider in one file', () => {
  it('runs the adapter module against its stand-in server with --provider ./my-adapter.mjs', async () => {
    const readme = readFileSync(join(cliDir, 'README.md'), 'utf8');
    writeFileSync(join(dir, 'my-adapter.mjs'), codeBlock(readme, '// my-adapter.mjs'));
    writeFileSync(join(dir, 'lines-server.mjs'), codeBlock(readme, '// lines-server.mjs'));
    const server = spawn(process.execPath, [join(dir, 'lines-server.mjs'), '0'], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const port = await new Promise<number>((resolve) => {
        server.stdout!.on('data', (data: Buffer) => {
          const match = /listening on (\d+)/.exec(data.toString());
          if (match) resolve(Number(match[1]));
        });
      });
      // Port 0 asks for any free port; the server prints the one it got.
      expect(port).toBeGreaterThan(0);
      const result = await runCli([
        'benchmark',
        '--provider',
        join(dir, 'my-adapter.mjs'),
        '--base-url',
        `http://127.0.0.1:${port}`,
        '-m',
        'toy',
        '-n',
        '4',
        '-C',
        '2',
        '--json',
      ]);
      expect(result.code, result.stderr).toBe(0);
      const group = JSON.parse(result.stdout).groups[0];
      expect(group).toMatchObject({ provider: 'lines-api', model: 'toy' });
      expect(group.requests.succeeded).toBe(4);
      expect(group.tokens.output).toBe(16);
      expect(group.chunk_gap.count).toBe(12);
    } finally {
      server.kill();
    }
  });
});
