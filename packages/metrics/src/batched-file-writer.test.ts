import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BatchedFileWriter } from './batched-file-writer.js';

const dir = mkdtempSync(join(tmpdir(), 'lens-batched-'));

describe('BatchedFileWriter', () => {
  it('writes waiting chunks together within 50 ms, and the rest and a last chunk on close', async () => {
    const path = join(dir, 'a', 'b', 'lines.txt');
    const file = new BatchedFileWriter<string>(path);
    file.push('[1');
    file.push(',2');
    await new Promise((resolve) => setTimeout(resolve, 120));
    expect(readFileSync(path, 'utf8')).toBe('[1,2');
    file.push(',3');
    await file.close(']');
    expect(readFileSync(path, 'utf8')).toBe('[1,2,3]');
    expect(file.close()).toBe(file.close());
    expect(() => file.push('x')).toThrow(/is closed/);
  });

  it('joins bytes as bytes', async () => {
    const path = join(dir, 'bytes.bin');
    const file = new BatchedFileWriter<Uint8Array>(path);
    file.push(Uint8Array.of(1, 2));
    file.push(Uint8Array.of(3));
    await file.close(Uint8Array.of(255));
    expect([...readFileSync(path)]).toEqual([1, 2, 3, 255]);
  });

  it('reports a full buffer and lets the caller wait for drain, holding at most about 1 MiB', async () => {
    const file = new BatchedFileWriter<string>(join(dir, 'big.txt'));
    const line = `${'x'.repeat(1023)}\n`;
    let fullBuffers = 0;
    let mostHeld = 0;
    for (let i = 0; i < 8192; i++) {
      mostHeld = Math.max(mostHeld, file.buffered);
      if (!file.push(line)) {
        fullBuffers++;
        await file.drain();
      }
    }
    await file.close();
    expect(fullBuffers).toBeGreaterThan(0);
    expect(mostHeld).toBeLessThanOrEqual(1024 * 1024 + 64 * 1024 + line.length);
    expect(readFileSync(join(dir, 'big.txt')).length).toBe(8192 * 1024);
  });

  it("wraps a write error in the format's own error, for push, drain and close", async () => {
    writeFileSync(join(dir, 'file'), '');
    const wrap = (error: Error) => new Error(`cannot write the thing: ${error.message}`);
    const file = new BatchedFileWriter<string>(join(dir, 'file', 'under-a-file.txt'), wrap);
    file.push('lost');
    // The file is opened in the background: its failure is known a moment later.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await expect(file.drain()).rejects.toThrow(/cannot write the thing: ENOTDIR/);
    expect(() => file.push('more')).toThrow(/cannot write the thing: ENOTDIR/);
    await expect(file.close()).rejects.toThrow(/cannot write the thing: ENOTDIR/);
  });
});
