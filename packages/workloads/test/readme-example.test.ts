// The README's example is example.mjs, and it prints what the README says it prints.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const exampleUrl = new URL('../example.mjs', import.meta.url);

/** The first fenced block of `language` after `marker` in the README. */
function block(marker: string, language: string): string {
  const start = readme.indexOf(marker);
  expect(start, `README has "${marker}"`).toBeGreaterThan(-1);
  const fence = readme.indexOf(`\`\`\`${language}\n`, start);
  const end = readme.indexOf('\n```', fence);
  return readme.slice(fence + language.length + 4, end + 1);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('README example', () => {
  it('is example.mjs', () => {
    const source = readFileSync(exampleUrl, 'utf8');
    const withoutRunLine = source.slice(source.indexOf('\n') + 1);
    expect(block('## Example', 'js')).toBe(withoutRunLine);
  });

  it('prints what the README shows', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
      lines.push(args.join(' '));
    });
    // A computed specifier: the example is JavaScript, outside the TypeScript project.
    await import(exampleUrl.href);
    expect(`${lines.join('\n')}\n`).toBe(block('It prints', 'text'));
  });
});
