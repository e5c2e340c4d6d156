import type { Db } from './database';
import { getMeta, setMeta } from './meta';
import type { UploadKey } from './uploads';

/**
 * Named queries for live archiving (issue 15): followed segments with their discontinuity run, the
 * caption each post carries and its edit state, and the index message per destination.
 */

/** Records newly listed live segments; a segment already recorded keeps what it has (the playlist only grows). */
export function saveLiveSegments(db: Db, vodId: string, segments: Array<{ index: number; uri: string; durationSec: number; muted: boolean; discontinuitySeq: number }>): void {
  const insert = db.prepare(`INSERT OR IGNORE INTO segments (vod_id, idx, uri, duration, muted, discontinuity_seq) VALUES (?, ?, ?, ?, ?, ?)`);
  db.transaction(() => {
    for (const s of segments) insert.run(vodId, s.index, s.uri, s.durationSec, s.muted ? 1 : 0, s.discontinuitySeq);
  })();
}

/** The caption a post carries now (stored with the message id, and after each edit). */
export function setUploadCaption(db: Db, key: UploadKey, caption: string): void {
  db.prepare(`UPDATE uploads SET caption = ? WHERE vod_id = ? AND generation = ? AND part_idx = ? AND destination = ?`).run(
    caption,
    key.vodId,
    key.generation,
    key.partIdx,
    key.destination,
  );
}

/** Telegram refused the edit for good: never tried again (the index message carries the final numbering). */
export function markCaptionRefused(db: Db, key: UploadKey, error: string): void {
  db.prepare(`UPDATE uploads SET edit_state = 'refused', error = ? WHERE vod_id = ? AND generation = ? AND part_idx = ? AND destination = ?`).run(
    error,
    key.vodId,
    key.generation,
    key.partIdx,
    key.destination,
  );
}

export interface IndexPostRecord {
  vod_id: string;
  generation: number;
  destination: string;
  seq: number;
  random_id: string;
  message_id: number | null;
  pinned: number;
}

export function indexPostsOf(db: Db, vodId: string, generation: number, destination: string): IndexPostRecord[] {
  return db.prepare(`SELECT * FROM index_posts WHERE vod_id = ? AND generation = ? AND destination = ? ORDER BY seq`).all(vodId, generation, destination) as IndexPostRecord[];
}

/** The random id goes to disk before the send: a repeat after a crash posts nothing new. */
export function ensureIndexPost(db: Db, vodId: string, generation: number, destination: string, seq: number, randomId: string): IndexPostRecord {
  db.prepare(`INSERT OR IGNORE INTO index_posts (vod_id, generation, destination, seq, random_id) VALUES (?, ?, ?, ?, ?)`).run(vodId, generation, destination, seq, randomId);
  return db.prepare(`SELECT * FROM index_posts WHERE vod_id = ? AND generation = ? AND destination = ? AND seq = ?`).get(vodId, generation, destination, seq) as IndexPostRecord;
}

export function markIndexPosted(db: Db, vodId: string, generation: number, destination: string, seq: number, messageId: number): void {
  db.prepare(`UPDATE index_posts SET message_id = ? WHERE vod_id = ? AND generation = ? AND destination = ? AND seq = ?`).run(messageId, vodId, generation, destination, seq);
}

export function markIndexPinned(db: Db, vodId: string, generation: number, destination: string, seq: number): void {
  db.prepare(`UPDATE index_posts SET pinned = 1 WHERE vod_id = ? AND generation = ? AND destination = ? AND seq = ?`).run(vodId, generation, destination, seq);
}

/** A VOD's chapters as last fetched (the shape of twitch/chapters.ts `VodChapter`). */
export interface StoredChapter {
  startSec: number;
  durationSec: number | null;
  title: string;
}

const chaptersKey = (vodId: string) => `chapters:${vodId}`;

/** The chapters last fetched ([] when none), or undefined when they were never fetched. */
export function fetchedChapters(db: Db, vodId: string): StoredChapter[] | undefined {
  return getMeta(db, chaptersKey(vodId)) === undefined ? undefined : storedChapters(db, vodId);
}

export function storedChapters(db: Db, vodId: string): StoredChapter[] {
  const raw = getMeta(db, chaptersKey(vodId));
  if (!raw) return [];
  try {
    const parsed = JSON.parse(raw) as unknown;
    return Array.isArray(parsed) ? (parsed as StoredChapter[]) : [];
  } catch {
    return [];
  }
}

export function storeChapters(db: Db, vodId: string, chapters: readonly StoredChapter[]): void {
  setMeta(db, chaptersKey(vodId), JSON.stringify(chapters.map((c) => ({ startSec: c.startSec, durationSec: c.durationSec, title: c.title }))));
}

/**
 * Whether a VOD's attempt is a live capture ('following': the playlist still grows; 'ended': the
 * broadcast is over and every segment is listed), kept so a restart mid-broadcast (the VOD is then
 * `processing`, no longer `live`) still follows; see pipeline/live-state.ts.
 */
export type LivePhase = 'following' | 'ended';

const phaseKey = (vodId: string, generation: number) => `live-capture:${vodId}:${generation}`;

export function livePhase(db: Db, vod: { id: string; generation: number }): LivePhase | undefined {
  const v = getMeta(db, phaseKey(vod.id, vod.generation));
  return v === 'following' || v === 'ended' ? v : undefined;
}

export function setLivePhase(db: Db, vod: { id: string; generation: number }, phase: LivePhase): void {
  setMeta(db, phaseKey(vod.id, vod.generation), phase);
}
