import { nowIso, type Db } from './database';

/** The audit log: one row per step outcome, kept for the user (History) and for debugging. */
export function logOperation(db: Db, vodId: string | null, type: string, status: 'started' | 'ok' | 'failed' | 'info', details?: unknown): void {
  db.prepare(`INSERT INTO operations (vod_id, operation_type, status, timestamp, details) VALUES (?, ?, ?, ?, ?)`).run(
    vodId,
    type,
    status,
    nowIso(),
    details === undefined ? null : typeof details === 'string' ? details : JSON.stringify(details),
  );
}

export interface OperationRecord {
  id: number;
  vod_id: string | null;
  operation_type: string;
  status: string;
  timestamp: string;
  details: string | null;
}

export function operationsFor(db: Db, vodId: string, limit = 200): OperationRecord[] {
  return db.prepare(`SELECT * FROM operations WHERE vod_id = ? ORDER BY id DESC LIMIT ?`).all(vodId, limit) as OperationRecord[];
}
