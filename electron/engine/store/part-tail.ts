import type { Db } from './database';
import { markSegmentMissing } from './segments';

/**
 * Forgets parts `fromIdx` and after of one VOD (with their upload rows of this generation) so the
 * cut stage plans them again: the part count goes back to unknown and the segments whose files are
 * gone (`gone(idx)`) are marked missing, to be fetched again. One transaction: a crash leaves the
 * old plan or the new one.
 */
export function dropPartsFrom(db: Db, vodId: string, generation: number, fromIdx: number, gone: (segmentIdx: number) => boolean): void {
  db.transaction(() => {
    const range = db.prepare(`SELECT MIN(first_segment) AS first, MAX(last_segment) AS last FROM parts WHERE vod_id = ? AND idx >= ?`).get(vodId, fromIdx) as {
      first: number | null;
      last: number | null;
    };
    db.prepare(`DELETE FROM uploads WHERE vod_id = ? AND generation = ? AND part_idx >= ?`).run(vodId, generation, fromIdx);
    db.prepare(`DELETE FROM parts WHERE vod_id = ? AND idx >= ?`).run(vodId, fromIdx);
    db.prepare(`UPDATE vods SET parts_total = NULL WHERE id = ?`).run(vodId);
    if (range.first === null || range.last === null) return;
    const done = db.prepare(`SELECT idx FROM segments WHERE vod_id = ? AND done = 1 AND idx BETWEEN ? AND ?`).all(vodId, range.first, range.last) as Array<{ idx: number }>;
    for (const s of done) if (gone(s.idx)) markSegmentMissing(db, vodId, s.idx);
  })();
}
