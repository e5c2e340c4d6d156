import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, openFailure } from '../../electron/engine/store/database';
import { importLegacyDatabase } from '../../electron/engine/store/legacy-db';
import { SCHEMA_VERSION } from '../../electron/engine/store/migrations';
import { getVod } from '../../electron/engine/store/vods';

/**
 * A database the app refuses or only imports is a user's file: it must stay byte for byte as it
 * was even when a `-wal` holds part of its content (a read-write open merges it on close).
 */
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'tvb-rodb-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
/** Hash of every file in the folder, so a new `-shm` or a merged `-wal` shows too. */
const folderState = () =>
  readdirSync(dir)
    .sort()
    .map((f) => `${f}:${sha(join(dir, f))}`);

/** Builds `path` (+ `path-wal`) whose last writes live only in the WAL, as after a crash of the tool that wrote it. */
function withPendingWal(path: string, setup: (db: Database.Database) => void, inWal: (db: Database.Database) => void): void {
  const writer = new Database(join(dir, 'w.db'));
  writer.pragma('journal_mode = WAL');
  setup(writer);
  writer.pragma('wal_checkpoint(TRUNCATE)');
  writer.pragma('wal_autocheckpoint = 0');
  inWal(writer);
  copyFileSync(join(dir, 'w.db'), path);
  copyFileSync(join(dir, 'w.db-wal'), `${path}-wal`);
  writer.close();
  for (const f of ['w.db', 'w.db-wal', 'w.db-shm']) rmSync(join(dir, f), { force: true });
  expect(readFileSync(`${path}-wal`).length).toBeGreaterThan(0);
}

const LEGACY_SCHEMA = `CREATE TABLE vods (id TEXT PRIMARY KEY, title TEXT, created_at TEXT, duration INTEGER, duration_str TEXT, status TEXT,
  retries INTEGER DEFAULT 0, last_attempt TEXT, next_retry TEXT, last_checked TEXT)`;

describe('refused and imported databases are never changed', () => {
  it('refuses a newer database whose version is only in its -wal, and changes no file', () => {
    const path = join(dir, 'vods.db');
    withPendingWal(
      path,
      (db) => db.exec('CREATE TABLE x (y)'),
      (db) => db.pragma(`user_version = ${SCHEMA_VERSION + 3}`),
    );
    const before = folderState();
    expect(() => openDatabase(path)).toThrow(/newer version/);
    expect(folderState()).toEqual(before);
  });

  it('refuses the legacy database in place naming only real ways to import it, and changes no file', () => {
    const path = join(dir, 'legacy.db');
    withPendingWal(
      path,
      (db) => db.exec(LEGACY_SCHEMA),
      (db) => db.exec(`INSERT INTO vods (id, status) VALUES ('7', 'completed')`),
    );
    const before = folderState();
    let message = '';
    try {
      openDatabase(path);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/legacy Python tool/);
    expect(message).toContain('Import from the legacy tool');
    expect(message).not.toMatch(/--import-db|--[a-z]/);
    expect(folderState()).toEqual(before);
  });

  it('imports a legacy database including rows only in its -wal, and changes no file', () => {
    const path = join(dir, 'vods.db');
    withPendingWal(
      path,
      (db) => {
        db.exec(LEGACY_SCHEMA);
        db.exec(`INSERT INTO vods (id, title, status) VALUES ('1001', 'checkpointed', 'completed')`);
      },
      (db) => db.exec(`INSERT INTO vods (id, title, status) VALUES ('1002', 'only in the wal', 'pending')`),
    );
    const before = folderState();
    const product = openDatabase(join(mkdtempSync(join(tmpdir(), 'tvb-rodb-p-')), 'product.db'));
    const summary = importLegacyDatabase(product, path, { apply: true });
    expect(summary.vods).toBe(2);
    expect(getVod(product, '1002')?.title).toBe('only in the wal');
    product.close();
    expect(folderState()).toEqual(before);
    expect(existsSync(`${path}-shm`)).toBe(false);
  });

  it('says a locked database is locked, not damaged', () => {
    const path = join(dir, 'vods.db');
    openDatabase(path).close();
    const holder = new Database(path);
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      expect(() => openDatabase(path)).toThrow(/locked by another program/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });

  it('names permission problems as such (root bypasses file modes here, so the SQLite codes are given directly)', () => {
    const path = join(dir, 'vods.db');
    for (const code of ['SQLITE_READONLY', 'SQLITE_READONLY_DBMOVED', 'EACCES', 'EROFS']) {
      const error = openFailure(Object.assign(new Error('attempt to write a readonly database'), { code }), path);
      expect(error.code).toBe('db_permission');
      expect(error.message).toMatch(/cannot be written/);
      expect(error.message).not.toMatch(/damaged/);
    }
    expect(openFailure(Object.assign(new Error('file is not a database'), { code: 'SQLITE_NOTADB' }), path).message).toMatch(/damaged/);
  });
});
