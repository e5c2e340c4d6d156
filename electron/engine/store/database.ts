import Database from 'better-sqlite3';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { EngineError } from '../util/errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export type Db = Database.Database;

/**
 * Opens (or creates) the product database: WAL, foreign keys, migrations by `user_version`.
 * An existing file is first inspected read-only (see `withReadOnlyCopy`): a database from a newer
 * version of the app, the legacy tool's database, or a file that is not a readable SQLite database
 * is refused with a clear error before anything opens it for writing, so it is left byte for byte
 * as it was (a read-write open would merge a `-wal` beside it into the file on close).
 */
export function openDatabase(path: string, options: { nativeBinding?: string } = {}): Db {
  try {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    throw openFailure(error, path);
  }
  const existed = path !== ':memory:' && existsSync(path);
  const version = existed ? withReadOnlyCopy(path, (probe) => inspect(probe, path), options) : 0;
  let db: Db | undefined;
  try {
    db = new Database(path, { nativeBinding: options.nativeBinding });
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, version);
    return db;
  } catch (error) {
    db?.close();
    throw openFailure(error, path);
  }
}

/** The checks an existing file must pass before it is opened for writing; returns its schema version. */
function inspect(db: Db, path: string): number {
  // Reading the header is the first thing that fails on a file that is not SQLite.
  const version = db.pragma('user_version', { simple: true }) as number;
  const check = db.pragma('quick_check', { simple: true }) as string;
  if (check !== 'ok') throw new Error(`integrity check failed: ${check}`);
  if (version > SCHEMA_VERSION) {
    throw new EngineError(
      'permanent',
      'db_newer',
      `The database ${path} was written by a newer version of Twitch VOD Backup (schema ${version}, this version knows ${SCHEMA_VERSION}). Update the app; the file was left untouched.`,
    );
  }
  if (version === 0 && isLegacyDatabase(db)) {
    throw new EngineError(
      'permanent',
      'db_legacy',
      `The database ${path} belongs to the legacy Python tool and cannot be used in place; it was left untouched. ` +
        'Import it instead: in the app, Settings > "Import from the legacy tool"; headless, start with the legacy config.json ' +
        '(its DATABASE_NAME names this file) and leave paths.database empty or pointing to a new file.',
    );
  }
  return version;
}

/**
 * Runs `read` on a read-only connection to a snapshot of `path`: the file and its `-wal` are copied
 * to a temporary folder first, so that SQLite's WAL recovery and its `-shm`/`-wal` side files happen
 * on the copy and nothing beside the user's file is created or changed. (better-sqlite3 is not
 * built with URI filenames, so `?immutable=1` is not available; a read-only connection in place
 * still creates `-shm`/`-wal` beside a WAL-mode file.)
 */
export function withReadOnlyCopy<T>(path: string, read: (db: Db) => T, options: { nativeBinding?: string } = {}): T {
  const tmp = mkdtempSync(join(tmpdir(), 'tvb-ro-'));
  try {
    const copy = join(tmp, 'snapshot.db');
    try {
      copyFileSync(path, copy);
      if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
    } catch (error) {
      throw openFailure(error, path);
    }
    let db: Db | undefined;
    try {
      db = new Database(copy, { readonly: true, fileMustExist: true, nativeBinding: options.nativeBinding });
      return read(db);
    } catch (error) {
      throw openFailure(error, path);
    } finally {
      db?.close();
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * What went wrong opening `path`, in words: a lock or a permission problem is named as such (the
 * file is fine, something else holds it or the account may not write it); only an unreadable
 * file is called damaged.
 */
export function openFailure(error: unknown, path: string): EngineError {
  if (error instanceof EngineError) return error;
  const code = String((error as { code?: unknown })?.code ?? '');
  const reason = (error as Error)?.message ?? String(error);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new EngineError(
      'permanent',
      'db_locked',
      `The database ${path} is locked by another program (${reason}). Close the other program (another copy of this app, a database browser) and start again; the file was left untouched.`,
      { cause: error },
    );
  }
  if (code.startsWith('SQLITE_READONLY') || code === 'EACCES' || code === 'EPERM' || code === 'EROFS' || (code.startsWith('SQLITE_CANTOPEN') && !canWrite(path))) {
    return new EngineError(
      'permanent',
      'db_permission',
      `The database ${path} cannot be written: this account has no write permission on it or its folder, or the disk is read-only (${reason}). Fix the permissions or choose another file in paths.database.`,
      { cause: error },
    );
  }
  if (['ENOENT', 'ENOTDIR', 'EEXIST', 'ENAMETOOLONG', 'ELOOP', 'EISDIR'].includes(code)) {
    return new EngineError('permanent', 'db_path', `The database path ${path} cannot be used: ${reason}. Choose another file in paths.database.`, { cause: error });
  }
  return new EngineError(
    'permanent',
    'db_corrupt',
    `The database ${path} is damaged or not a Twitch VOD Backup database (${reason}). It was left untouched; move it away to start fresh, or restore a backup.`,
    { cause: error },
  );
}

function canWrite(path: string): boolean {
  try {
    accessSync(existsSync(path) ? path : dirname(path), constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function migrate(db: Db, from: number): void {
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** The legacy script's database: `vods` with its columns but no `generation`, `operations` beside it. */
export function isLegacyDatabase(db: Db): boolean {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>;
  if (!tables.some((t) => t.name === 'vods')) return false;
  const columns = db.prepare(`PRAGMA table_info(vods)`).all() as Array<{ name: string }>;
  return columns.some((c) => c.name === 'duration_str') && !columns.some((c) => c.name === 'generation');
}

export const nowIso = (): string => new Date().toISOString();
