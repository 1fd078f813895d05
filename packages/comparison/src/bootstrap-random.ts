/**
 * The generator behind bootstrap resampling: xoshiro128** (32-bit state words, period
 * 2^128 − 1), seeded through splitmix32 so nearby seeds give unrelated streams. Not for
 * anything security-related; its job is to make the same seed give the same intervals.
 */
export class BootstrapRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const splitmix = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = splitmix();
    this.b = splitmix();
    this.c = splitmix();
    this.d = splitmix();
    // An all-zero state would stay zero forever.
    if ((this.a | this.b | this.c | this.d) === 0) this.a = 1;
  }

  /** A uniform unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** A uniform integer in [0, n), n ≤ 2^32 (multiply-shift; the bias is below n / 2^32). */
  nextBelow(n: number): number {
    return Math.floor((this.nextUint32() / 4294967296) * n);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/**
 * A 32-bit seed for one resampling stream, from the comparison's seed and labels naming the
 * stream (group, metric, run): each stream's intervals then do not depend on which other
 * metrics or groups were compared, or in what order. FNV-1a over the labels.
 */
export function streamSeed(seed: number, ...labels: readonly string[]): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  hash = Math.imul(hash, 0x01000193) >>> 0;
  for (const label of labels) {
    for (let i = 0; i < label.length; i++) {
      hash ^= label.charCodeAt(i);
      hash = Math.imul(hash, 0x01000193) >>> 0;
    }
    // A separator, so ("ab","c") and ("a","bc") differ.
    hash ^= 0xff;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}
