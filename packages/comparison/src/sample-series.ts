/**
 * A Float64Array that grows by doubling: one number per request per metric costs 8 bytes,
 * so a million requests fit in 8 MB per metric, with no per-element object.
 */
export class SampleSeries {
  #values = new Float64Array(64);
  #length = 0;

  get length(): number {
    return this.#length;
  }

  push(value: number): void {
    if (this.#length === this.#values.length) {
      const grown = new Float64Array(this.#values.length * 2);
      grown.set(this.#values);
      this.#values = grown;
    }
    this.#values[this.#length++] = value;
  }

  /** The values so far, in a new array of exactly their length. */
  toArray(): Float64Array {
    return this.#values.slice(0, this.#length);
  }
}
