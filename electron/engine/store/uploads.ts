import { nowIso, type Db } from './database';

/** One part in one destination: the unit of "posted exactly once". */
export interface UploadRecord {
  vod_id: string;
  generation: number;
  part_idx: number;
  destination: string;
  state: 'pending' | 'sending' | 'posted' | 'failed';
  random_id: string | null;
  message_id: number | null;
  link: string | null;
  posted_at: string | null;
  error: string | null;
  /** The highest message id recorded in that chat when the send began (see markSending). */
  after_message_id: number | null;
  /** The caption as sent, or as last edited (live posts: edited to the final text at the end). */
  caption: string | null;
  /** 'refused': Telegram refused the caption edit for good (the index carries the final numbering). */
  edit_state: 'refused' | null;
}

export function ensureUploads(db: Db, vodId: string, generation: number, partIdx: number, destinations: string[]): void {
  const insert = db.prepare(`INSERT OR IGNORE INTO uploads (vod_id, generation, part_idx, destination, state) VALUES (?, ?, ?, ?, 'pending')`);
  db.transaction(() => destinations.forEach((d) => insert.run(vodId, generation, partIdx, d)))();
}

export function uploadsOf(db: Db, vodId: string, generation: number): UploadRecord[] {
  return db.prepare(`SELECT * FROM uploads WHERE vod_id = ? AND generation = ? ORDER BY part_idx, destination`).all(vodId, generation) as UploadRecord[];
}

/**
 * Before a send, the random id goes to disk: Telegram drops a second message with the same
 * random id (for as long as it remembers it), so a send repeated after a crash cannot post twice.
 * With it goes the highest message id recorded so far in that chat (any topic: a chat's ids are
 * one sequence), kept from the first mark: a post whose reply was lost is newer than that.
 */
export function markSending(db: Db, key: UploadKey, randomId: string): void {
  const chat = key.destination.startsWith('tg:') ? key.destination.replace(/\/\d+$/, '') : key.destination;
  const last = db
    .prepare(`SELECT MAX(message_id) AS id FROM uploads WHERE state = 'posted' AND (destination = ? OR destination LIKE ? ESCAPE '\\')`)
    .get(chat, `${chat.replace(/[\\%_]/g, (c) => `\\${c}`)}/%`) as { id: number | null };
  db.prepare(
    `UPDATE uploads SET state = 'sending', random_id = ?, after_message_id = COALESCE(after_message_id, ?)
     WHERE vod_id = ? AND generation = ? AND part_idx = ? AND destination = ?`,
  ).run(randomId, last.id, key.vodId, key.generation, key.partIdx, key.destination);
}

export function markPosted(db: Db, key: UploadKey, messageId: number | null, link: string | null): void {
  db.prepare(
    `UPDATE uploads SET state = 'posted', message_id = ?, link = ?, posted_at = ?, error = NULL
     WHERE vod_id = ? AND generation = ? AND part_idx = ? AND destination = ?`,
  ).run(messageId, link, nowIso(), key.vodId, key.generation, key.partIdx, key.destination);
}

export function markUploadError(db: Db, key: UploadKey, error: string): void {
  db.prepare(`UPDATE uploads SET error = ? WHERE vod_id = ? AND generation = ? AND part_idx = ? AND destination = ?`).run(
    error,
    key.vodId,
    key.generation,
    key.partIdx,
    key.destination,
  );
}

export interface UploadKey {
  vodId: string;
  generation: number;
  partIdx: number;
  destination: string;
}
