import { existsSync } from 'node:fs';
import { EngineError } from '../util/errors';
import { nowIso, withReadOnlyCopy, type Db } from './database';

/**
 * Imports the legacy Python tool's `vods.db` into the product database. The legacy file is read
 * from a read-only snapshot and never changed, even with a `-wal` beside it. Statuses are kept, so
 * completed VODs are never posted again; rows the product already knows are left as they are.
 *
 * The legacy script stored naive local timestamps (and compared them with UTC); they are read as
 * the local time of this computer and stored as UTC.
 */
export interface LegacyDbSummary {
  path: string;
  vods: number;
  byStatus: Record<string, number>;
  alreadyKnown: number;
  operations: number;
}

const LEGACY_STATUSES = new Set(['pending', 'processing', 'live', 'completed', 'failed']);

export function legacyTimestampToUtc(value: unknown): string | null {
  if (value === null || value === undefined || value === '') return null;
  if (typeof value === 'number') return new Date(value * (value < 1e12 ? 1000 : 1)).toISOString();
  const text = String(value).trim();
  if (/[zZ]$|[+-]\d{2}:?\d{2}$/.test(text)) {
    const d = new Date(text);
    return Number.isNaN(d.getTime()) ? null : d.toISOString();
  }
  const m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s = '0', frac = '0'] = m;
  const local = new Date(+y, +mo - 1, +d, +h, +mi, +s, Math.floor(+frac.padEnd(6, '0') / 1000));
  return local.toISOString();
}

interface LegacyVodRow {
  id: unknown;
  title?: unknown;
  created_at?: unknown;
  duration?: unknown;
  duration_str?: unknown;
  status?: unknown;
  retries?: unknown;
  last_attempt?: unknown;
  next_retry?: unknown;
  last_checked?: unknown;
}

/** The legacy file's rows, read from a read-only snapshot (withReadOnlyCopy): the file itself is never opened for writing. */
function readLegacy(path: string): { rows: LegacyVodRow[]; ops: Array<Record<string, unknown>> } {
  if (!existsSync(path)) throw new EngineError('permanent', 'legacy_db_unreadable', `The legacy database ${path} cannot be opened: it does not exist.`);
  try {
    return withReadOnlyCopy(path, (legacy) => {
      const cols = legacy.prepare(`PRAGMA table_info(vods)`).all() as Array<{ name: string }>;
      const names = new Set(cols.map((c) => c.name));
      const missing = ['id', 'status'].filter((c) => !names.has(c));
      if (cols.length === 0 || missing.length > 0) {
        throw new EngineError('permanent', 'legacy_db_shape', `${path} is not a legacy vods.db: table "vods" ${cols.length === 0 ? 'is missing' : `lacks ${missing.join(', ')}`}.`);
      }
      const rows = legacy.prepare(`SELECT * FROM vods`).all() as LegacyVodRow[];
      const hasOps = (legacy.prepare(`SELECT count(*) AS n FROM sqlite_master WHERE type='table' AND name='operations'`).get() as { n: number }).n > 0;
      const ops = hasOps ? (legacy.prepare(`SELECT * FROM operations ORDER BY id`).all() as Array<Record<string, unknown>>) : [];
      return { rows, ops };
    });
  } catch (error) {
    if (error instanceof EngineError && error.code.startsWith('legacy_')) throw error;
    const code = error instanceof EngineError ? error.code : '';
    const message = code === 'db_locked' || code === 'db_permission' ? (error as Error).message : `The legacy database ${path} is damaged: ${(error as Error).message}`;
    throw new EngineError('permanent', 'legacy_db_unreadable', message, { cause: error });
  }
}

export function importLegacyDatabase(db: Db, path: string, options: { apply: boolean; channelId?: string; channelName?: string }): LegacyDbSummary {
  const { rows, ops } = readLegacy(path);
  const summary: LegacyDbSummary = { path, vods: rows.length, byStatus: {}, alreadyKnown: 0, operations: ops.length };
  const exists = db.prepare(`SELECT 1 FROM vods WHERE id = ?`);
  const insert = db.prepare(
    `INSERT OR IGNORE INTO vods (id, channel_id, channel_name, title, created_at, duration, duration_str, status, retries,
       last_attempt, next_retry, last_checked, url, imported, updated_at)
     VALUES (@id, @channel_id, @channel_name, @title, @created_at, @duration, @duration_str, @status, @retries,
       @last_attempt, @next_retry, @last_checked, @url, 1, @now)`,
  );
  const insertOp = db.prepare(`INSERT INTO operations (vod_id, operation_type, status, timestamp, details) VALUES (?, ?, ?, ?, ?)`);
  const problems: string[] = [];

  const work = () => {
    for (const [i, row] of rows.entries()) {
      const id = String(row.id ?? '').trim();
      if (!/^\d+$/.test(id)) {
        problems.push(`vods row ${i + 1}: id ${JSON.stringify(row.id)} is not a Twitch VOD id`);
        continue;
      }
      let status = String(row.status ?? '')
        .trim()
        .toLowerCase();
      if (!LEGACY_STATUSES.has(status)) {
        problems.push(`vods row ${i + 1} (id ${id}): unknown status ${JSON.stringify(row.status)}, imported as pending`);
        status = 'pending';
      }
      // The legacy tool left crashed VODs in `processing`; they resume from the start here.
      if (status === 'processing') status = 'pending';
      summary.byStatus[status] = (summary.byStatus[status] ?? 0) + 1;
      if (exists.get(id)) {
        summary.alreadyKnown++;
        continue;
      }
      if (!options.apply) continue;
      insert.run({
        id,
        channel_id: options.channelId ?? '',
        channel_name: options.channelName ?? '',
        title: String(row.title ?? ''),
        created_at: legacyTimestampToUtc(row.created_at) ?? nowIso(),
        duration: Number.isFinite(Number(row.duration)) ? Math.max(0, Math.round(Number(row.duration))) : 0,
        duration_str: String(row.duration_str ?? ''),
        status,
        retries: Number.isFinite(Number(row.retries)) ? Math.max(0, Math.round(Number(row.retries))) : 0,
        last_attempt: legacyTimestampToUtc(row.last_attempt),
        next_retry: legacyTimestampToUtc(row.next_retry),
        last_checked: legacyTimestampToUtc(row.last_checked),
        url: `https://www.twitch.tv/videos/${id}`,
        now: nowIso(),
      });
    }
    if (options.apply) {
      for (const op of ops) {
        insertOp.run(
          op.vod_id == null ? null : String(op.vod_id),
          `legacy:${String(op.operation_type ?? 'unknown')}`,
          String(op.status ?? ''),
          legacyTimestampToUtc(op.timestamp) ?? nowIso(),
          op.details == null ? null : String(op.details),
        );
      }
      insertOp.run(null, 'import', 'ok', nowIso(), JSON.stringify({ from: path, vods: summary.vods, problems }));
    }
  };
  db.transaction(work)();
  return Object.assign(summary, problems.length ? { problems } : {});
}
