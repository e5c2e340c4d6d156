import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/store/database';
import { SCHEMA_VERSION } from '../../electron/engine/store/migrations';
import { dueVods, getVod, insertVod, updateVod } from '../../electron/engine/store/vods';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tvb-db-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const vod = (id: string, created_at: string, duration = 60) => ({
  id,
  channel_id: '1',
  channel_name: 'someone',
  title: `VOD ${id}`,
  created_at,
  duration,
  duration_str: `${duration}s`,
  status: 'pending' as const,
  url: `https://www.twitch.tv/videos/${id}`,
  thumbnail_url: '',
});

describe('database', () => {
  it('creates the schema with WAL and records the version', () => {
    const path = join(dir, 'vods.db');
    const db = openDatabase(path);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type='table'`).all() as Array<{ name: string }>).map((t) => t.name);
    expect(tables).toEqual(expect.arrayContaining(['vods', 'segments', 'parts', 'uploads', 'operations']));
    db.close();
    // Reopening runs no migration twice and keeps the data.
    const again = openDatabase(path);
    insertVod(again, vod('1', '2026-01-01T00:00:00.000Z'));
    again.close();
    expect(getVod(openDatabase(path), '1')?.title).toBe('VOD 1');
  });

  it('refuses a database from a newer version and leaves it untouched', () => {
    const path = join(dir, 'vods.db');
    const raw = new Database(path);
    raw.exec('CREATE TABLE x (y)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 7}`);
    raw.close();
    const before = sha(path);
    expect(() => openDatabase(path)).toThrow(/newer version/);
    expect(sha(path)).toBe(before);
  });

  it('refuses a corrupt file with a clear error and leaves it untouched', () => {
    const path = join(dir, 'vods.db');
    writeFileSync(path, Buffer.concat([Buffer.from('SQLite format 3\0'), Buffer.alloc(4096, 0x5a)]));
    const before = sha(path);
    expect(() => openDatabase(path)).toThrow(/damaged|not a Twitch VOD Backup database|cannot be opened/);
    expect(sha(path)).toBe(before);
    writeFileSync(path, 'this is a text file, not a database');
    expect(() => openDatabase(path)).toThrow(new RegExp(path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  });

  it('refuses to open the legacy database in place (it must be imported)', () => {
    const path = join(dir, 'legacy.db');
    const raw = new Database(path);
    raw.exec(`CREATE TABLE vods (id TEXT PRIMARY KEY, title TEXT, created_at TEXT, duration INTEGER, duration_str TEXT, status TEXT,
      retries INTEGER, last_attempt TEXT, next_retry TEXT, last_checked TEXT)`);
    raw.close();
    expect(() => openDatabase(path)).toThrow(/legacy Python tool/);
  });

  it('orders the queue by a fixed column list, never by raw input', () => {
    const db = openDatabase(join(dir, 'q.db'));
    insertVod(db, vod('1', '2026-01-03T00:00:00.000Z', 100));
    insertVod(db, vod('2', '2026-01-01T00:00:00.000Z', 300));
    insertVod(db, vod('3', '2026-01-02T00:00:00.000Z', 200));
    updateVod(db, '3', { next_retry: '2999-01-01T00:00:00.000Z' });
    const now = new Date().toISOString();
    expect(dueVods(db, now, { field: 'created_at', order: 'asc' }).map((v) => v.id)).toEqual(['2', '1']);
    expect(dueVods(db, now, { field: 'duration', order: 'desc' }).map((v) => v.id)).toEqual(['2', '1']);
    expect(dueVods(db, now, { field: 'duration', order: 'asc' }).map((v) => v.id)).toEqual(['1', '2']);
    db.close();
  });

  it("keeps a VOD's error code with its message: cleared or replaced without a code, the old code goes", () => {
    const db = openDatabase(join(dir, 'e.db'));
    insertVod(db, vod('1', '2026-01-01T00:00:00.000Z'));
    updateVod(db, '1', { last_error: 'This VOD is for subscribers only.', error_class: 'permanent', error_code: 'vod_manifest_restricted' });
    expect(getVod(db, '1')).toMatchObject({ error_code: 'vod_manifest_restricted', error_class: 'permanent' });
    updateVod(db, '1', { status: 'pending' });
    expect(getVod(db, '1')?.error_code).toBe('vod_manifest_restricted');
    updateVod(db, '1', { last_error: 'The disk is full.', error_class: 'disk' });
    expect(getVod(db, '1')).toMatchObject({ last_error: 'The disk is full.', error_code: null });
    updateVod(db, '1', { last_error: 'x', error_code: 'source_gone' });
    updateVod(db, '1', { last_error: null, error_class: null });
    expect(getVod(db, '1')).toMatchObject({ last_error: null, error_code: null });
    db.close();
  });
});
