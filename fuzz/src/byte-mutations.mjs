/**
 * Byte-level mutation operators shared by every protocol. A protocol module decides where
 * they land (it knows where its field names, payloads and end markers are); these only
 * change bytes and say what they did, so a failure report can name the mutation.
 */

/**
 * Bytes worth inserting into any text protocol: line ends, field and string delimiters, NUL,
 * a byte that is never valid UTF-8, and lone lead bytes of 2-, 3- and 4-byte sequences.
 */
export const STRUCTURAL_BYTES = [0x0a, 0x0d, 0x3a, 0x22, 0x7b, 0x00, 0xff, 0xc3, 0xe2, 0xf0];

/** A short readable name for a byte value. */
export function byteName(byte) {
  if (byte >= 0x21 && byte <= 0x7e) return JSON.stringify(String.fromCharCode(byte));
  return `0x${byte.toString(16).padStart(2, '0')}`;
}

/** Flips bit `bit` of the byte at `offset`. */
export function flipBit(body, offset, bit) {
  const out = Buffer.from(body);
  out[offset] ^= 1 << bit;
  return { body: out, description: `flip bit ${bit} at ${offset}` };
}

/** Deletes `count` bytes at `offset`. */
export function deleteBytes(body, offset, count) {
  const end = Math.min(body.length, offset + count);
  return {
    body: Buffer.concat([body.subarray(0, offset), body.subarray(end)]),
    description: `delete ${end - offset} byte(s) at ${offset}`,
  };
}

/** Inserts `bytes` before the byte at `offset`. */
export function insertBytes(body, offset, bytes) {
  const names = Array.from(bytes.subarray(0, 8), byteName).join(' ');
  return {
    body: Buffer.concat([body.subarray(0, offset), bytes, body.subarray(offset)]),
    description: `insert ${names}${bytes.length > 8 ? ' …' : ''} at ${offset}`,
  };
}

/** Keeps the first `offset` bytes; `label` names the place of the cut. */
export function truncate(body, offset, label) {
  return { body: body.subarray(0, offset), description: `truncate at ${offset} (${label})` };
}
