import { segmentsOf, type SegmentRecord } from '../store/segments';
import type { Db } from '../store/database';

/**
 * One attempt's segment list in memory, shared by the fetch stage (which records each finished
 * segment here after the store) and the cut stage (which plans and builds from it). Read from the
 * store once the playlist is recorded, never again per finished segment: with thousands of
 * segments a re-read per event made the cut stage quadratic.
 */
export class SegmentBook {
  private list: SegmentRecord[] = [];
  private readonly byIndex = new Map<number, SegmentRecord>();
  /** Store reads, for the test that the work per finished segment stays flat. */
  reads = 0;

  constructor(
    private readonly db: Db,
    private readonly vodId: string,
  ) {}

  /** The VOD's segments in order; empty until the fetch stage has recorded the playlist. */
  all(): readonly SegmentRecord[] {
    if (this.list.length === 0) this.load();
    return this.list;
  }

  /** The segment just downloaded (already in the store): bytes and stream key as stored. */
  done(index: number, bytes: number, streamKey: string | null): void {
    if (this.list.length === 0 || !this.byIndex.has(index)) this.load();
    const s = this.byIndex.get(index);
    if (!s) return;
    s.done = 1;
    s.bytes = bytes;
    s.stream_key = streamKey;
  }

  /** Segments `first..last` (inclusive), in order. */
  range(first: number, last: number): SegmentRecord[] {
    const pick = () => this.all().filter((s) => s.idx >= first && s.idx <= last);
    const found = pick();
    // A live broadcast's list grows in the store (the follower records it): read again when the
    // range reaches past what is known, or holds segments finished since.
    if (found.length === last - first + 1 && found.every((s) => s.done && s.bytes !== null)) return found;
    this.load();
    return pick();
  }

  private load(): void {
    this.reads++;
    this.list = segmentsOf(this.db, this.vodId);
    this.byIndex.clear();
    for (const s of this.list) this.byIndex.set(s.idx, s);
  }
}
