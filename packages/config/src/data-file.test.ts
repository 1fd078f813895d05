import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listOf, nonNegativeNumber, strictObject, text } from '@llm-lens/config-fields';
import { describe, expect, it } from 'vitest';
import { loadDataFile } from './data-file.js';

const schema = strictObject(
  {
    prices: listOf(
      strictObject({ model: text(), input: nonNegativeNumber() }, 'a price entry'),
      'a list of price entries',
      true,
    ),
  },
  'an object with a prices list',
);
const what = { label: 'pricing file', hint: 'see --help' };
const dir = mkdtempSync(join(tmpdir(), 'lens-data-file-'));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe('loadDataFile', () => {
  it('reads and validates YAML and JSON', async () => {
    const yamlPath = file('p.yaml', 'prices:\n  - model: m\n    input: 1.5\n');
    await expect(loadDataFile(yamlPath, schema, what)).resolves.toEqual({
      prices: [{ model: 'm', input: 1.5 }],
    });
    const jsonPath = file('p.json', '{"prices":[{"model":"m","input":0}]}');
    await expect(loadDataFile(jsonPath, schema, what)).resolves.toEqual({
      prices: [{ model: 'm', input: 0 }],
    });
  });

  it('names the file, line, field and what is valid', async () => {
    const path = file('bad.yaml', 'prices:\n  - model: m\n    input: -2\n');
    await expect(loadDataFile(path, schema, what)).rejects.toThrow(
      /invalid pricing file \(1 problem\):\n.*bad\.yaml:3:\d+: prices\[0\]\.input: .*>= 0, got -2/,
    );
  });

  it('says where it looked for a missing file', async () => {
    await expect(loadDataFile(join(dir, 'nope.yaml'), schema, what)).rejects.toThrow(
      /pricing file .*nope\.yaml not found; see --help/,
    );
  });
});
