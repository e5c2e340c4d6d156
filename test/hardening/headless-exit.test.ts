import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../electron/engine/store/migrations';

/**
 * Every configuration-class problem found at start exits 2 and names the field or file (the real
 * headless entry point, in a child process). Twitch points at a closed port: none of these runs
 * gets far enough to need it.
 */
const run = promisify(execFile);
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const dir = mkdtempSync(join(tmpdir(), 'tvb-exit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A complete configuration in its own folder; `extra` patches it. */
function setup(extra: Record<string, unknown> = {}): { folder: string; config: string } {
  const folder = join(dir, `case-${++n}`);
  mkdirSync(folder);
  const config = join(folder, 'settings.json');
  const closed = 'http://127.0.0.1:9';
  writeFileSync(
    config,
    JSON.stringify({
      twitch: { clientId: 'client-id', channels: [{ channel: 'someone' }] },
      destinations: [{ kind: 'folder', name: 'Archive', path: 'archive' }],
      advanced: { twitch: { authUrl: closed, helixUrl: closed, gqlUrl: closed, usherUrl: closed, vodPageUrl: closed }, lowDiskGuardMB: 0 },
      ...extra,
    }),
  );
  writeFileSync(join(folder, 'secrets.json'), JSON.stringify({ twitchClientSecret: 'client-secret-value' }), { mode: 0o600 });
  return { folder, config };
}

async function headless(args: string[]): Promise<{ code: number; stderr: string }> {
  try {
    const { stderr } = await run(process.execPath, ['--import', TSX, 'electron/engine/host/headless.ts', '--quiet', ...args], { timeout: 60_000 });
    return { code: 0, stderr };
  } catch (error) {
    const e = error as { code: number; stderr: string };
    return { code: e.code, stderr: e.stderr };
  }
}

const legacySchema = `CREATE TABLE vods (id TEXT PRIMARY KEY, title TEXT, created_at TEXT, duration INTEGER, duration_str TEXT, status TEXT,
  retries INTEGER, last_attempt TEXT, next_retry TEXT, last_checked TEXT)`;

describe('headless exits 2 on configuration problems, naming the field or file', () => {
  it('a database from a newer version', async () => {
    const { folder, config } = setup({ paths: { database: 'newer.db' } });
    const db = new Database(join(folder, 'newer.db'));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const { code, stderr } = await headless(['--config', config]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/paths\.database: .*newer\.db.*newer version/);
  });

  it("the legacy tool's database opened in place", async () => {
    const { folder, config } = setup({ paths: { database: 'vods.db' } });
    new Database(join(folder, 'vods.db')).exec(legacySchema);
    const { code, stderr } = await headless(['--config', config]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/paths\.database: .*vods\.db.*legacy Python tool/);
    expect(stderr).not.toContain('--import-db');
  });

  it('a legacy config whose DATABASE_NAME is not a legacy database', async () => {
    const folder = join(dir, 'legacy-config');
    mkdirSync(folder);
    new Database(join(folder, 'other.db')).exec('CREATE TABLE t (x)');
    const config = join(folder, 'config.json');
    // The legacy format knows only Telegram destinations; none is contacted before the exit.
    writeFileSync(
      config,
      JSON.stringify({
        TWITCH_CLIENT_ID: 'client-id',
        TWITCH_CLIENT_SECRET: 'client-secret-value',
        TWITCH_CHANNEL_ID: '123456',
        TELEGRAM_API_ID: 12345,
        TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
        TELEGRAM_CHANNELS: [{ id: '-1001234567890', name: 'Main' }],
        DATABASE_NAME: 'other.db',
      }),
    );
    const { code, stderr } = await headless(['--config', config, '--data', join(folder, 'data')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/DATABASE_NAME in .*config\.json: .*other\.db is not a legacy vods\.db/);
  });

  it('a work folder that cannot be written', async () => {
    const { folder, config } = setup({ paths: { workDir: 'blocked/work' } });
    writeFileSync(join(folder, 'blocked'), 'a file where a folder should be');
    const { code, stderr } = await headless(['--config', config]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/paths\.workDir: .*blocked\/work cannot be written: a file is in the way/);
  });

  it('a data folder that cannot be written', async () => {
    const { folder, config } = setup();
    writeFileSync(join(folder, 'data'), 'not a folder');
    const { code, stderr } = await headless(['--config', config, '--data', join(folder, 'data')]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/--data: .*data cannot be written/);
  });

  it('a database locked by another program says locked, not damaged', async () => {
    const { folder, config } = setup({ paths: { database: 'locked.db' } });
    const holder = new Database(join(folder, 'locked.db'));
    holder.exec('CREATE TABLE t (x)');
    holder.pragma('locking_mode = EXCLUSIVE');
    holder.exec('BEGIN EXCLUSIVE');
    try {
      const { code, stderr } = await headless(['--config', config]);
      expect(code).toBe(2);
      expect(stderr).toMatch(/paths\.database: .*locked\.db is locked by another program/);
      expect(stderr).not.toMatch(/damaged/);
    } finally {
      holder.exec('ROLLBACK');
      holder.close();
    }
  });
});
