import type { VodStage, VodStatus } from '../../contract/domain';
import type { ErrorClass } from '../util/errors';
import { nowIso, type Db } from './database';

/** One row of `vods`, as stored (timestamps are ISO 8601 UTC strings). */
export interface VodRecord {
  id: string;
  channel_id: string;
  channel_name: string;
  title: string;
  created_at: string;
  duration: number;
  duration_str: string;
  status: VodStatus;
  stage: VodStage;
  retries: number;
  last_attempt: string | null;
  next_retry: string | null;
  last_checked: string | null;
  last_error: string | null;
  error_class: ErrorClass | null;
  /** The EngineError code of `last_error` (e.g. `vod_manifest_restricted`); null with it. */
  error_code: string | null;
  url: string;
  thumbnail_url: string;
  stream_id: string | null;
  published_at: string | null;
  muted_segments: string | null;
  quality: string | null;
  parts_total: number | null;
  missing_since: string | null;
  generation: number;
  imported: number;
  updated_at: string;
}

export type NewVod = Pick<VodRecord, 'id' | 'channel_id' | 'channel_name' | 'title' | 'created_at' | 'duration' | 'duration_str' | 'status' | 'url' | 'thumbnail_url'> &
  Partial<Pick<VodRecord, 'stream_id' | 'published_at' | 'muted_segments'>>;

export function insertVod(db: Db, vod: NewVod): void {
  const now = nowIso();
  db.prepare(
    `INSERT INTO vods (id, channel_id, channel_name, title, created_at, duration, duration_str, status, url, thumbnail_url,
       stream_id, published_at, muted_segments, last_checked, updated_at)
     VALUES (@id, @channel_id, @channel_name, @title, @created_at, @duration, @duration_str, @status, @url, @thumbnail_url,
       @stream_id, @published_at, @muted_segments, @now, @now)`,
  ).run({ stream_id: null, published_at: null, muted_segments: null, ...vod, now });
}

export function getVod(db: Db, id: string): VodRecord | undefined {
  return db.prepare(`SELECT * FROM vods WHERE id = ?`).get(id) as VodRecord | undefined;
}

/** What the queue shows: every VOD not finished, plus those finished since `since` (ISO). */
export function queueVods(db: Db, since: string): VodRecord[] {
  return db.prepare(`SELECT * FROM vods WHERE status NOT IN ('completed','skipped','failed') OR updated_at >= ? ORDER BY created_at DESC`).all(since) as VodRecord[];
}

/** How many VODs wait for their turn (pending or still live). */
export function waitingCount(db: Db): number {
  return (db.prepare(`SELECT count(*) AS n FROM vods WHERE status IN ('pending','live')`).get() as { n: number }).n;
}

/** The earliest scheduled retry, or null. */
export function nextRetryAt(db: Db): string | null {
  return (db.prepare(`SELECT min(next_retry) AS t FROM vods WHERE status IN ('pending','live') AND next_retry IS NOT NULL`).get() as { t: string | null }).t;
}

/** Imported legacy rows carry no channel: the channel Twitch lists them under adopts them. */
export function adoptVods(db: Db, channelId: string, channelName: string, vodIds: readonly string[]): void {
  const adopt = db.prepare(`UPDATE vods SET channel_id = ?, channel_name = ? WHERE id = ? AND channel_id = ''`);
  db.transaction(() => vodIds.forEach((id) => adopt.run(channelId, channelName, id)))();
}

export function knownStatuses(db: Db, channelId?: string): Map<string, VodStatus> {
  const rows = (channelId ? db.prepare(`SELECT id, status FROM vods WHERE channel_id = ?`).all(channelId) : db.prepare(`SELECT id, status FROM vods`).all()) as Array<{
    id: string;
    status: VodStatus;
  }>;
  return new Map(rows.map((r) => [r.id, r.status]));
}

const UPDATABLE = new Set<keyof VodRecord>([
  'channel_id',
  'channel_name',
  'title',
  'duration',
  'duration_str',
  'status',
  'stage',
  'retries',
  'last_attempt',
  'next_retry',
  'last_checked',
  'last_error',
  'error_class',
  'error_code',
  'url',
  'thumbnail_url',
  'muted_segments',
  'quality',
  'parts_total',
  'missing_since',
  'generation',
]);

/** Updates the named columns (and `updated_at`); the column list is fixed, never user input. */
export function updateVod(db: Db, id: string, update: Partial<VodRecord>): void {
  // An error cleared or replaced without a code takes its old code with it.
  const patch = 'last_error' in update && !('error_code' in update) ? { ...update, error_code: null } : update;
  const keys = Object.keys(patch).filter((k) => UPDATABLE.has(k as keyof VodRecord));
  if (keys.length === 0) return;
  const sets = keys.map((k) => `${k} = @${k}`).join(', ');
  db.prepare(`UPDATE vods SET ${sets}, updated_at = @updated_at WHERE id = @id`).run({ ...patch, id, updated_at: nowIso() });
}

/**
 * The queue: VODs due for work, in the configured order; a `live` one too (its channel's live mode
 * decides in the conductor, pipeline/live-state.ts). The ORDER BY is chosen from a fixed list
 * (the legacy tool pasted the setting into SQL).
 */
export function dueVods(db: Db, now: string, ordering: { field: 'created_at' | 'duration'; order: 'asc' | 'desc' }): VodRecord[] {
  const column = ordering.field === 'duration' ? 'duration' : 'created_at';
  const direction = ordering.order === 'desc' ? 'DESC' : 'ASC';
  return db
    .prepare(
      `SELECT * FROM vods WHERE status IN ('pending','processing','live') AND (next_retry IS NULL OR next_retry <= ?)
       ORDER BY ${column} ${direction}, id ${direction}`,
    )
    .all(now) as VodRecord[];
}
