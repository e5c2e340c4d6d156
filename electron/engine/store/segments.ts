import type { Db } from './database';

export interface SegmentRecord {
  vod_id: string;
  idx: number;
  uri: string;
  duration: number;
  muted: number;
  bytes: number | null;
  done: number;
  stream_key: string | null;
  /** The count of `#EXT-X-DISCONTINUITY` before it in a followed live playlist (0 otherwise). */
  discontinuity_seq: number;
}

/** Records the playlist once; a second call for the same VOD keeps what was already downloaded. */
export function saveSegmentList(db: Db, vodId: string, segments: Array<{ index: number; uri: string; durationSec: number; muted: boolean }>): void {
  const insert = db.prepare(`INSERT OR IGNORE INTO segments (vod_id, idx, uri, duration, muted) VALUES (?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (const s of segments) insert.run(vodId, s.index, s.uri, s.durationSec, s.muted ? 1 : 0);
  })();
}

const MARK_DONE = `UPDATE segments SET done = 1, bytes = ?, stream_key = ? WHERE vod_id = ? AND idx = ?`;

export function markSegmentDone(db: Db, vodId: string, index: number, bytes: number, streamKey: string | null = null): void {
  db.prepare(MARK_DONE).run(bytes, streamKey, vodId, index);
}

export interface SegmentMark {
  index: number;
  bytes: number;
  streamKey: string | null;
}

/** Several finished segments in one transaction: one commit (one WAL append) for all of them. */
export function markSegmentsDone(db: Db, vodId: string, marks: readonly SegmentMark[]): void {
  if (marks.length === 0) return;
  const update = db.prepare(MARK_DONE);
  db.transaction(() => {
    for (const m of marks) update.run(m.bytes, m.streamKey, vodId, m.index);
  })();
}

export function segmentsOf(db: Db, vodId: string): SegmentRecord[] {
  return db.prepare(`SELECT * FROM segments WHERE vod_id = ? ORDER BY idx`).all(vodId) as SegmentRecord[];
}

/** The segment's file is gone (cleaned up, a crash mid-rename): fetch it again. */
export function markSegmentMissing(db: Db, vodId: string, index: number): void {
  db.prepare(`UPDATE segments SET done = 0, bytes = NULL WHERE vod_id = ? AND idx = ?`).run(vodId, index);
}

export function clearSegments(db: Db, vodId: string): void {
  db.prepare(`DELETE FROM segments WHERE vod_id = ?`).run(vodId);
}
