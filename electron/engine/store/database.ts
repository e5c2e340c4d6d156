import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EngineError } from '../util/errors';
import { MIGRATIONS, SCHEMA_VERSION } from './migrations';

export type Db = Database.Database;

/**
 * Opens (or creates) the product database: WAL, foreign keys, migrations by `user_version`.
 * A database from a newer version of the app, or one that is not a readable SQLite file, is refused
 * with a clear error and left exactly as it was: nothing is ever overwritten to "repair" it.
 */
export function openDatabase(path: string, options: { nativeBinding?: string } = {}): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const existed = path !== ':memory:' && existsSync(path);
  let db: Db;
  try {
    db = new Database(path, { nativeBinding: options.nativeBinding });
  } catch (cause) {
    throw new EngineError('permanent', 'db_unreadable', `The database ${path} cannot be opened: ${(cause as Error).message}`, { cause });
  }
  try {
    // Reading the header is the first thing that fails on a file that is not SQLite.
    const version = db.pragma('user_version', { simple: true }) as number;
    if (existed) {
      const check = db.pragma('quick_check', { simple: true }) as string;
      if (check !== 'ok') throw new Error(`integrity check failed: ${check}`);
    }
    if (version > SCHEMA_VERSION) {
      throw new EngineError(
        'permanent',
        'db_newer',
        `The database ${path} was written by a newer version of Twitch VOD Backup (schema ${version}, this version knows ${SCHEMA_VERSION}). Update the app; the file was left untouched.`,
      );
    }
    if (existed && version === 0 && isLegacyDatabase(db)) {
      throw new EngineError(
        'permanent',
        'db_legacy',
        `The database ${path} belongs to the legacy Python tool. Import it (Settings > Import, or headless --import-db) instead of opening it directly; it was left untouched.`,
      );
    }
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db, version);
    return db;
  } catch (error) {
    db.close();
    if (error instanceof EngineError) throw error;
    throw new EngineError(
      'permanent',
      'db_corrupt',
      `The database ${path} is damaged or not a Twitch VOD Backup database (${(error as Error).message}). It was left untouched; move it away to start fresh, or restore a backup.`,
      { cause: error },
    );
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
