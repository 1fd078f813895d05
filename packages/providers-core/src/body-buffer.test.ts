import { describe, expect, it } from 'vitest';
import { BodyBuffer } from './body-buffer.js';

describe('BodyBuffer', () => {
  it('joins chunks split inside characters and drops a leading byte order mark', () => {
    const bytes = Buffer.from('\ufeff{"text":"naïve 灯台 🌊"}');
    const buffer = new BodyBuffer('a test body');
    for (let i = 0; i < bytes.length; i++) buffer.push(bytes.subarray(i, i + 1));
    expect(buffer.take()).toBe('{"text":"naïve 灯台 🌊"}');
    expect(buffer.take()).toBe('');
  });

  it('refuses a body over its limit with a protocol error naming it', () => {
    const buffer = new BodyBuffer('a test body', 10);
    buffer.push(Buffer.alloc(10, 0x61));
    expect(() => buffer.push(Buffer.alloc(1, 0x61))).toThrow(
      expect.objectContaining({ code: 'LENS_PROVIDER_PROTOCOL', errorClass: 'protocol' }),
    );
    expect(() => new BodyBuffer('x', 0)).toThrow(
      expect.objectContaining({ code: 'LENS_PROVIDER_CONFIG' }),
    );
  });
});
