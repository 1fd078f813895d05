import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createParentDirectories, outputPathProblem, probeOutputPath } from './output-files.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-output-files-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('output paths', () => {
  it('accepts a new file under directories that do not exist yet, and creates them', () => {
    const path = join(dir, 'a', 'b', 'summary.json');
    expect(outputPathProblem(path)).toBeUndefined();
    expect(probeOutputPath(path)).toBeUndefined();
    // The parents exist now; no probe file and no output file was left behind.
    expect(readdirSync(join(dir, 'a', 'b'))).toEqual([]);
  });

  it('refuses a path under a file, and a directory given as the file', () => {
    const file = join(dir, 'README.md');
    writeFileSync(file, 'x');
    expect(outputPathProblem(join(file, 'r.jsonl'))).toBe(
      `cannot be created: ${file} is a file, not a directory`,
    );
    mkdirSync(join(dir, 'out'));
    expect(outputPathProblem(join(dir, 'out'))).toBe('is a directory; give a file path');
  });

  it('finds in milliseconds that nothing can be created under /proc, where a recursive mkdir loops', () => {
    const started = Date.now();
    expect(probeOutputPath('/proc/nope/s.json')).toBe(
      "cannot be written (ENOENT: no such file or directory, mkdir '/proc/nope'); choose a path in a directory where files can be created",
    );
    expect(Date.now() - started).toBeLessThan(1000);
    expect(() => createParentDirectories('/proc/nope/s.json')).toThrow(/ENOENT/);
  });
});
