import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/store/database';
import { importLegacyDatabase, legacyTimestampToUtc } from '../../electron/engine/store/legacy-db';
import { dueVods, getVod } from '../../electron/engine/store/vods';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tvb-legacy-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A vods.db exactly as the legacy script created it (naive local timestamps). */
export function makeLegacyDb(path: string): void {
  const db = new Database(path);
  db.exec(`CREATE TABLE vods (id TEXT PRIMARY KEY, title TEXT, created_at TEXT, duration INTEGER, duration_str TEXT, status TEXT,
    retries INTEGER DEFAULT 0, last_attempt TEXT, next_retry TEXT, last_checked TEXT);
    CREATE TABLE operations (id INTEGER PRIMARY KEY AUTOINCREMENT, vod_id TEXT, operation_type TEXT, status TEXT, timestamp TEXT, details TEXT);`);
  const ins = db.prepare(`INSERT INTO vods VALUES (?,?,?,?,?,?,?,?,?,?)`);
  ins.run('1001', 'Done <b>stream</b>', '2025-03-01T18:00:00Z', 7200, '2h0m0s', 'completed', 0, '2025-03-02 10:00:00.123456', null, '2025-03-02 10:00:00');
  ins.run('1002', 'Crashed mid-way', '2025-03-02T18:00:00Z', 3600, '1h0m0s', 'processing', 1, '2025-03-03 09:00:00', null, null);
  ins.run('1003', 'Gave up', '2025-03-03T18:00:00Z', 60, '1m0s', 'failed', 5, null, null, null);
  ins.run('1004', 'Waiting', '2025-03-04T18:00:00Z', 120, '2m0s', 'pending', 2, '2025-03-05 08:00:00', '2025-03-05 08:10:00', null);
  ins.run('1005', 'Still live', '2025-03-05T18:00:00Z', 30, '30s', 'live', 0, null, null, null);
  db.prepare(`INSERT INTO operations (vod_id, operation_type, status, timestamp, details) VALUES (?,?,?,?,?)`).run('1001', 'upload', 'success', '2025-03-02 10:00:00', 'ok');
  db.close();
}

describe('legacy vods.db import', () => {
  it('keeps statuses so completed VODs are never queued again, and leaves the file untouched', () => {
    const legacyPath = join(dir, 'vods.db');
    makeLegacyDb(legacyPath);
    const before = createHash('sha256').update(readFileSync(legacyPath)).digest('hex');
    const db = openDatabase(join(dir, 'product.db'));

    const preview = importLegacyDatabase(db, legacyPath, { apply: false });
    expect(preview.vods).toBe(5);
    expect(getVod(db, '1001')).toBeUndefined();

    const summary = importLegacyDatabase(db, legacyPath, { apply: true, channelId: '42' });
    expect(summary.byStatus).toEqual({ completed: 1, pending: 2, failed: 1, live: 1 });
    expect(getVod(db, '1001')?.status).toBe('completed');
    expect(getVod(db, '1001')?.title).toBe('Done <b>stream</b>');
    expect(getVod(db, '1002')?.status).toBe('pending'); // stuck in processing -> resumable
    expect(getVod(db, '1003')).toMatchObject({ status: 'failed', retries: 5, channel_id: '42' });
    expect(getVod(db, '1004')?.next_retry).toBe(legacyTimestampToUtc('2025-03-05 08:10:00'));

    const queue = dueVods(db, '2030-01-01T00:00:00.000Z', { field: 'created_at', order: 'asc' }).map((v) => v.id);
    // A live VOD is due too: its channel's live mode decides in the conductor (an imported legacy
    // config waits for the end, pipeline/live-state.ts), never a completed one.
    expect(queue).toEqual(['1002', '1004', '1005']);

    // A second import changes nothing that is already known.
    const again = importLegacyDatabase(db, legacyPath, { apply: true });
    expect(again.alreadyKnown).toBe(5);
    expect(createHash('sha256').update(readFileSync(legacyPath)).digest('hex')).toBe(before);
    const ops = db.prepare(`SELECT operation_type FROM operations WHERE vod_id = '1001'`).all();
    expect(ops).toContainEqual({ operation_type: 'legacy:upload' });
    db.close();
  });

  it('reads naive legacy timestamps as local time and stores UTC', () => {
    const local = new Date(2025, 2, 5, 8, 10, 0);
    expect(legacyTimestampToUtc('2025-03-05 08:10:00')).toBe(local.toISOString());
    expect(legacyTimestampToUtc('2025-03-05T08:10:00Z')).toBe('2025-03-05T08:10:00.000Z');
    expect(legacyTimestampToUtc('garbage')).toBeNull();
  });

  it('says what is wrong with a file that is not a legacy database', () => {
    const db = openDatabase(join(dir, 'product.db'));
    const other = join(dir, 'other.db');
    new Database(other).exec('CREATE TABLE t (x)');
    expect(() => importLegacyDatabase(db, other, { apply: true })).toThrow(/not a legacy vods\.db: table "vods" is missing/);
    expect(() => importLegacyDatabase(db, join(dir, 'missing.db'), { apply: true })).toThrow(/cannot be opened/);
    db.close();
  });
});
