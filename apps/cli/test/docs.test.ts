// The READMEs a new user reads first: the exit codes are one table that matches the CLI, and
// every package README says how to use it before it is published, listing what its example
// imports.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../src/cli-error.js';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const read = (path: string): string => readFileSync(`${repo}${path}`, 'utf8');

/** The rows of the markdown table whose header line is `header`, up to its first non-row line. */
function tableRows(markdown: string, header: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.indexOf(header);
  expect(start, `table "${header}"`).toBeGreaterThanOrEqual(0);
  const rows: string[] = [];
  for (const line of lines.slice(start + 2)) {
    if (!line.startsWith('|')) break;
    rows.push(line);
  }
  return rows;
}

describe('apps/cli/README.md', () => {
  it('has one exit-code table with a row for every code the CLI uses, 130 included', () => {
    const rows = tableRows(read('apps/cli/README.md'), '| code | meaning |');
    const codes = rows.map((row) => Number(row.split('|')[1]?.trim()));
    expect(codes).toEqual(Object.values(EXIT));
  });
});

describe('package READMEs', () => {
  const packages = readdirSync(`${repo}packages`);

  it.each(packages)(
    '%s says it is not published yet and how to use it from the workspace',
    (name) => {
      const readme = read(`packages/${name}/README.md`);
      const notice = readme.indexOf('Not published yet.');
      expect(notice).toBeGreaterThan(0);
      expect(readme).toContain(`"@llm-lens/${name}": "workspace:^"`);
      const install = readme.indexOf('npm install @llm-lens/');
      if (install >= 0) expect(install).toBeGreaterThan(notice);
    },
  );

  it.each(packages)('%s names every @llm-lens package its examples import', (name) => {
    const readme = read(`packages/${name}/README.md`);
    // The prose, where "depend on ..." is said: the README without its code blocks.
    const prose = readme.replace(/```[\s\S]*?```/g, '');
    const blocks = [...readme.matchAll(/```(?:js|ts|mjs)\n([\s\S]*?)```/g)].map((m) => m[1]);
    const imported = new Set(
      blocks.flatMap((code) =>
        [...(code ?? '').matchAll(/from '(@llm-lens\/[a-z-]+)/g)].map((m) => m[1]),
      ),
    );
    imported.delete(`@llm-lens/${name}`);
    for (const dependency of imported) {
      // Whole names only: @llm-lens/config must not be found inside @llm-lens/config-fields.
      expect(prose, `${name}'s README imports ${dependency}`).toMatch(
        new RegExp(`${dependency}(?![a-z-])`),
      );
    }
  });
});
