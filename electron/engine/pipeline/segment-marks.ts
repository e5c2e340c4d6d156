import type { Db } from '../store/database';
import { markSegmentsDone, type SegmentMark } from '../store/segments';

/** How long a finished segment waits for its batch's commit, at most. */
const FLUSH_MS = 100;
const MAX_BATCH = 256;

/**
 * The fetch stage's record of finished segments, in batches: one transaction per FLUSH_MS (or per
 * MAX_BATCH segments) instead of a commit per segment, which on a 6000-segment VOD cost about as
 * much CPU as the fetching. Crash safety is unchanged: the fetcher reports a segment only once its
 * file is renamed into place, so a kill loses at most the last FLUSH_MS of marks, and those
 * segments are fetched again over their own files. The rest of the engine (the segment book, the
 * cut stage's wake) learns of a segment from `onRecorded`, after its mark is committed.
 */
export class SegmentMarks<M extends SegmentMark = SegmentMark> {
  private pending: M[] = [];
  private timer: NodeJS.Timeout | undefined;
  private failure: unknown;

  constructor(
    private readonly db: Db,
    private readonly vodId: string,
    private readonly onRecorded: (marks: readonly M[]) => void,
  ) {}

  /** Every mark given so far is committed (none queued, no commit failed). */
  get settled(): boolean {
    return this.pending.length === 0 && this.failure === undefined;
  }

  /** Queues a mark; throws the store's error if an earlier commit failed. */
  add(mark: M): void {
    if (this.failure !== undefined) throw this.failure;
    this.pending.push(mark);
    if (this.pending.length >= MAX_BATCH) this.flush();
    else this.timer ??= setTimeout(() => this.settle(), FLUSH_MS);
  }

  /** Commits what is queued; throws the store's error (now and on every later call). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.failure !== undefined) throw this.failure;
    const marks = this.pending;
    this.pending = [];
    if (marks.length === 0) return;
    try {
      markSegmentsDone(this.db, this.vodId, marks);
    } catch (error) {
      this.failure = error;
      throw error;
    }
    this.onRecorded(marks);
  }

  /** Commits what it can and never throws: a failure is kept for the next `add` or `flush`. */
  settle(): void {
    try {
      this.flush();
    } catch {
      // Kept in `failure`: the fetch stops on it at its next segment or at its end.
    }
  }
}
