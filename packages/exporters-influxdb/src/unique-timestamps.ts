/**
 * How many recent (series, time) pairs are remembered. Records arrive in completion order,
 * so a collision is between requests that started close together: at most the requests in
 * flight at once apart. 65,536 pairs cover that at any concurrency the executor runs, in
 * about 4 MB at worst.
 */
const REMEMBERED_POINTS = 65_536;

/**
 * Keeps two points from landing on the same series at the same nanosecond. InfluxDB takes
 * a point's measurement, tag set and time as its identity: a second point there replaces
 * the first one's fields, so two requests started within the same clock tick (wall-clock
 * times read back from millisecond JSON, a coarse clock) would count as one. A repeated
 * time moves on by 1 ns until it is free; memory stays bounded by forgetting the oldest
 * pairs.
 */
export class UniqueTimestamps {
  readonly #seen = new Set<string>();
  // Series are few (provider × model × scenario × status × phase × error class): a short
  // number per series keeps each remembered pair small.
  readonly #seriesIds = new Map<string, number>();

  constructor(private readonly capacity = REMEMBERED_POINTS) {}

  /** `timestampNs`, or the first later nanosecond not yet taken in `seriesKey`. */
  claim(seriesKey: string, timestampNs: bigint): bigint {
    let id = this.#seriesIds.get(seriesKey);
    if (id === undefined) {
      id = this.#seriesIds.size;
      this.#seriesIds.set(seriesKey, id);
    }
    let time = timestampNs;
    let key = `${id} ${time}`;
    while (this.#seen.has(key)) {
      time += 1n;
      key = `${id} ${time}`;
    }
    this.#seen.add(key);
    if (this.#seen.size > this.capacity) {
      // A Set iterates in insertion order: the first entry is the oldest.
      const oldest = this.#seen.values().next().value as string;
      this.#seen.delete(oldest);
    }
    return time;
  }
}
