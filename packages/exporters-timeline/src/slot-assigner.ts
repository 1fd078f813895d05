/**
 * Puts requests on tracks ("slots") online, as they finish, so that no two requests on a
 * track overlap and as few tracks as possible are used.
 *
 * A request goes to the track whose last request ended latest while still at or before
 * this request's start (ties: the lowest-numbered track); a new track opens only when no
 * track is free. Taking the latest-ending free track keeps the earlier-ending ones for
 * requests that started earlier: with requests arriving in end order this uses exactly as
 * many tracks as the most requests in flight at once. Taking the lowest-numbered free
 * track instead can need more: slots A = [0,10] then [10,20] and B = [0,3] then [3,30]
 * arrive as B1, A1, A2, B2, and lowest-first puts A2 on B1's track, leaving B2 a third.
 */
export class SlotAssigner {
  /** Each track's last end, sorted by end, ties by descending track number. */
  private readonly ends: bigint[] = [];
  private readonly tracks: number[] = [];

  /** Tracks opened so far. */
  get count(): number {
    return this.ends.length;
  }

  /**
   * The track (1-based) of a request from `startNs` to `endNs`. Never overlaps a request
   * already placed on that track, whatever order requests come in.
   */
  assign(startNs: bigint, endNs: bigint): number {
    // The last entry with end ≤ start: the latest-ending free track.
    let low = 0;
    let high = this.ends.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.ends[middle]! <= startNs) low = middle + 1;
      else high = middle;
    }
    let track: number;
    if (low === 0) {
      track = this.count + 1;
    } else {
      track = this.tracks[low - 1]!;
      this.ends.splice(low - 1, 1);
      this.tracks.splice(low - 1, 1);
    }
    this.insert(endNs, track);
    return track;
  }

  private insert(endNs: bigint, track: number): void {
    let low = 0;
    let high = this.ends.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const end = this.ends[middle]!;
      if (end < endNs || (end === endNs && this.tracks[middle]! > track)) low = middle + 1;
      else high = middle;
    }
    this.ends.splice(low, 0, endNs);
    this.tracks.splice(low, 0, track);
  }
}
