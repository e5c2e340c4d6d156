import Database from 'better-sqlite3';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsCacheDir, makeHlsVod } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';

/**
 * The process policy, in the real headless process: an error nothing catches (injected while a VOD
 * is being processed) is logged with its stack and without the secret, the VOD is recorded as a
 * transient failure with a retry time, and the process exits 1 for its service manager to restart.
 */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const INJECT = pathToFileURL(resolve(import.meta.dirname, 'fixtures/inject-throw.ts')).href;
let twitch: TwitchStandIn;
let dir: string;

beforeAll(async () => {
  const params = { durationSec: 8, segmentSec: 2, width: 160, height: 90, videoKbps: 600 };
  const hls = await makeHlsVod(hlsCacheDir('crash-policy', params), params);
  // Slow segments keep the VOD in `processing` long enough for the injector to see it.
  twitch = await startTwitchStandIn({ latencyMs: 300, users: [{ id: '88', login: 'crashy' }], vods: [{ id: '8800', userId: '88', title: 'Crash me', hls }] });
  dir = mkdtempSync(join(tmpdir(), 'tvb-crash-policy-'));
});
afterAll(async () => {
  await twitch?.close();
  rmSync(dir, { recursive: true, force: true });
});

function runHeadless(folder: string, mode: 'throw' | 'reject'): Promise<{ code: number | null; stderr: string }> {
  mkdirSync(folder);
  const config = join(folder, 'settings.json');
  writeFileSync(
    config,
    JSON.stringify({
      twitch: { clientId: twitch.clientId, channels: [{ channel: 'crashy' }] },
      destinations: [{ kind: 'folder', name: 'Archive', path: 'archive' }],
      split: { uploadDelaySec: 0 },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0 },
    }),
  );
  const env = { ...process.env, TVB_TWITCH_CLIENT_SECRET: twitch.clientSecret, TVB_TEST_DB: join(folder, 'vods.db'), TVB_TEST_INJECT: mode };
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      ['--import', TSX, '--import', INJECT, 'electron/engine/host/headless.ts', '--quiet', '--config', config],
      { env, timeout: 90_000 },
      () => {},
    );
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => done({ code, stderr }));
  });
}

describe('an error nothing catches', () => {
  for (const mode of ['throw', 'reject'] as const) {
    it(`(${mode}) is logged with its stack, redacted; the VOD is failed-transient; the process exits 1`, async () => {
      const folder = join(dir, mode);
      const { code, stderr } = await runHeadless(folder, mode);
      expect(code).toBe(1);
      const logText = readFileSync(join(folder, 'logs', 'engine.log'), 'utf8');
      const kind = mode === 'throw' ? 'uncaught exception' : 'unhandled rejection';
      expect(logText).toContain(`${kind}, the engine stops to be restarted: Error: injected fault`);
      expect(logText).toMatch(/\n\s+at .*inject-throw\.ts/); // the stack, not just the message
      expect(logText).toContain('recorded as failed (transient): VOD 8800');
      for (const text of [logText, stderr]) expect(text).not.toContain(twitch.clientSecret);

      const db = new Database(join(folder, 'vods.db'), { readonly: true });
      const vod = db.prepare(`SELECT status, stage, retries, next_retry, error_class, last_error FROM vods WHERE id = '8800'`).get() as Record<string, unknown>;
      const op = db.prepare(`SELECT details FROM operations WHERE vod_id = '8800' AND status = 'failed' ORDER BY id DESC`).get() as { details: string };
      db.close();
      expect(vod).toMatchObject({ status: 'pending', stage: 'queued', retries: 1, error_class: 'transient' });
      expect(Date.parse(String(vod.next_retry))).toBeGreaterThan(Date.now());
      expect(String(vod.last_error)).toMatch(/internal error \(.*injected fault/);
      expect(String(vod.last_error)).not.toContain(twitch.clientSecret);
      expect(JSON.parse(op.details)).toMatchObject({ code: 'internal_error', class: 'transient' });
    }, 120_000);
  }
});
