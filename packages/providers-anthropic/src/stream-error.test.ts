import { describe, expect, it } from 'vitest';
import { classifyAnthropicStreamError } from './stream-error.js';

describe('classifyAnthropicStreamError', () => {
  it('takes a type named like an Object.prototype member for an unknown type: server_error', () => {
    // Found by the fuzz suite: a plain-object lookup returned Object.prototype.constructor.
    for (const type of ['constructor', 'toString', 'hasOwnProperty', '__proto__']) {
      expect(classifyAnthropicStreamError({ message: 'm', type })).toEqual({
        errorClass: 'server_error',
        message: `error in stream: m (type ${type})`,
      });
    }
  });

  it('still classifies the documented types', () => {
    expect(classifyAnthropicStreamError({ message: 'm', type: 'billing_error' }).errorClass).toBe(
      'auth',
    );
    expect(classifyAnthropicStreamError({ message: 'm', type: 'timeout_error' }).errorClass).toBe(
      'timeout_total',
    );
  });
});
