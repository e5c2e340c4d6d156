import type { Db } from './database';
import type { VodRecord } from './vods';

/** Finished VODs one page at a time (SQL LIMIT/OFFSET), so thousands of rows never load at once. */
export interface HistoryFilter {
  query: string;
  /** Channel id or display name; empty = all. */
  channel: string;
  status: 'completed' | 'failed' | 'skipped' | 'all';
  limit: number;
  offset: number;
}

function where(f: HistoryFilter): { sql: string; params: unknown[] } {
  const statuses = f.status === 'all' ? ['completed', 'failed', 'skipped'] : [f.status];
  const like = `%${f.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return {
    sql:
      `status IN (${statuses.map(() => '?').join(',')})` +
      ` AND (? = '' OR title LIKE ? ESCAPE '\\' OR id = ? OR channel_name LIKE ? ESCAPE '\\')` +
      ` AND (? = '' OR channel_id = ? OR lower(channel_name) = lower(?))`,
    params: [...statuses, f.query, like, f.query, like, f.channel, f.channel, f.channel],
  };
}

export function historyPage(db: Db, f: HistoryFilter): { records: VodRecord[]; total: number } {
  const w = where(f);
  const total = (db.prepare(`SELECT count(*) AS n FROM vods WHERE ${w.sql}`).get(...w.params) as { n: number }).n;
  const records = db.prepare(`SELECT * FROM vods WHERE ${w.sql} ORDER BY created_at DESC, id LIMIT ? OFFSET ?`).all(...w.params, f.limit, f.offset) as VodRecord[];
  return { records, total };
}

/** Channels that have finished VODs, for the history's channel filter. */
export function historyChannels(db: Db): Array<{ id: string; name: string }> {
  return db
    .prepare(`SELECT channel_id AS id, max(channel_name) AS name FROM vods WHERE status IN ('completed','failed','skipped') AND channel_id != '' GROUP BY channel_id ORDER BY name`)
    .all() as Array<{ id: string; name: string }>;
}
