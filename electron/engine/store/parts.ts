import type { Db } from './database';

export type PartState = 'planned' | 'built' | 'uploaded' | 'posted';
export interface PartRecord {
  vod_id: string;
  idx: number;
  first_segment: number;
  last_segment: number;
  planned_bytes: number;
  start_sec: number;
  duration: number;
  state: PartState;
  bytes: number | null;
  width: number | null;
  height: number | null;
  path: string | null;
  thumb_path: string | null;
  /** JSON: the uploader's resume state (file id, acknowledged parts). */
  upload_resume: string | null;
  /** JSON: the uploaded document handle, so remaining destinations post without re-uploading. */
  document: string | null;
}

export function insertPlannedPart(db: Db, vodId: string, p: { index: number; firstUnit: number; lastUnit: number; bytes: number; startSec: number; durationSec: number }): void {
  db.prepare(
    `INSERT OR IGNORE INTO parts (vod_id, idx, first_segment, last_segment, planned_bytes, start_sec, duration, state)
     VALUES (?, ?, ?, ?, ?, ?, ?, 'planned')`,
  ).run(vodId, p.index, p.firstUnit, p.lastUnit, p.bytes, p.startSec, p.durationSec);
}

export function partsOf(db: Db, vodId: string): PartRecord[] {
  return db.prepare(`SELECT * FROM parts WHERE vod_id = ? ORDER BY idx`).all(vodId) as PartRecord[];
}

export function updatePart(db: Db, vodId: string, index: number, patch: Partial<Omit<PartRecord, 'vod_id' | 'idx'>>): void {
  const keys = Object.keys(patch);
  if (keys.length === 0) return;
  db.prepare(`UPDATE parts SET ${keys.map((k) => `${k} = @${k}`).join(', ')} WHERE vod_id = @vod_id AND idx = @idx`).run({
    ...patch,
    vod_id: vodId,
    idx: index,
  });
}

export function clearParts(db: Db, vodId: string): void {
  db.prepare(`DELETE FROM parts WHERE vod_id = ?`).run(vodId);
}

/**
 * A built part came out over the ceiling: part `index` is replaced by `pieces` (its units
 * re-planned, numbered from 1), and every later part moves up to make room. One transaction, so a
 * crash leaves either the old plan or the new one.
 */
export function replacePartWithPieces(
  db: Db,
  vodId: string,
  index: number,
  pieces: Array<{ index: number; firstUnit: number; lastUnit: number; bytes: number; startSec: number; durationSec: number }>,
  startSec: number,
): void {
  const shift = pieces.length - 1;
  db.transaction(() => {
    const later = (db.prepare(`SELECT idx FROM parts WHERE vod_id = ? AND idx > ? ORDER BY idx DESC`).all(vodId, index) as Array<{ idx: number }>).map((r) => r.idx);
    const move = db.prepare(`UPDATE parts SET idx = idx + ? WHERE vod_id = ? AND idx = ?`);
    for (const idx of later) move.run(shift, vodId, idx);
    db.prepare(`DELETE FROM parts WHERE vod_id = ? AND idx = ?`).run(vodId, index);
    for (const p of pieces) insertPlannedPart(db, vodId, { ...p, index: index + p.index - 1, startSec: startSec + p.startSec });
    db.prepare(`UPDATE vods SET parts_total = parts_total + ? WHERE id = ? AND parts_total IS NOT NULL`).run(shift, vodId);
  })();
}
