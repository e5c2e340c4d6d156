/**
 * The crash test: the headless engine is killed with SIGKILL at 30+ moments across a full run
 * (3 VODs of 4+ parts, 2 Telegram destinations) and restarted each time. At the end every part is
 * in every destination exactly once, in order, and no work folder is left.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings } from './helpers';

const KILLS = 30;
const VODS = ['7001', '7002', '7003'];
const params = { durationSec: 34, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let dir: string;
let chats: string[];

/** Deterministic kill moments (mulberry32), so a failure can be replayed with the same schedule. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function startHeadless(): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, 'electron/engine/host/headless.ts', '--config', join(dir, 'settings.json'), '--quiet'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function statuses(): Record<string, string> {
  const path = join(dir, 'vods.db');
  if (!existsSync(path)) return {};
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return Object.fromEntries((db.prepare(`SELECT id, status FROM vods`).all() as Array<{ id: string; status: string }>).map((r) => [r.id, r.status]));
  } catch {
    return {};
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-crash', params), params);
  twitch = await startTwitchStandIn({
    latencyMs: 20,
    connectionBytesPerSec: 250_000,
    users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
    vods: VODS.map((id, i) => ({ id, userId: '1001', title: `Crash VOD ${i + 1}`, createdAt: `2026-11-2${i}T20:00:00Z`, hls })),
  });
  dir = mkdtempSync(join(tmpdir(), 'tvb-crash-'));
  telegram = await startTelegramStandIn({ stateFile: join(dir, 'telegram-state.json'), partDelayMs: 15 });
  const state = telegram.state();
  chats = ['VOD Archive', 'VOD Chat'].map((t) => `-100${state.chats.find((c) => c.title === t)!.id}`);
  const settings = standInSettings(twitch, {
    telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 4 },
    advanced: {
      twitch: twitch.endpoints,
      lowDiskGuardMB: 0,
      telegramServer: serverSetting(telegram),
    },
    vod: { minRetryDelaySec: 1, maxRetryDelaySec: 2, maxRetries: 100, downloadConcurrency: 4 },
    destinations: chats.map((chatId, i) => ({ kind: 'telegram' as const, name: `Chat ${i + 1}`, chatId })),
  });
  // Log in once with an in-process engine to get a session for the headless runs.
  const session = await standInSession(settings);
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
  writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ twitchClientSecret: twitch.clientSecret, telegramSession: session }), { mode: 0o600 });
}, 120_000);

afterAll(async () => {
  await telegram?.close();
  await twitch?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('crash safety', () => {
  it(`survives ${KILLS} SIGKILLs: every part in every destination exactly once, in order`, async () => {
    const random = prng(20261124);
    let kills = 0;
    const done = () => VODS.every((id) => statuses()[id] === 'completed');
    // The downloads alone take 20+ s of wall time (throttled), so the kills land across the run.
    while (kills < KILLS && !done()) {
      const child = startHeadless();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Startup (tsx, database, Telegram connect) takes about half a second to a second.
      await new Promise((r) => setTimeout(r, 600 + random() * 1800));
      child.kill('SIGKILL');
      await exited;
      kills++;
    }
    // Finish the run undisturbed.
    const last = startHeadless();
    let stderr = '';
    last.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 240_000;
    while (!done() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    last.kill('SIGTERM');
    await new Promise((resolve) => last.once('exit', resolve));
    expect(statuses(), stderr.slice(-2000)).toEqual(Object.fromEntries(VODS.map((id) => [id, 'completed'])));
    process.stderr.write(`crash test: ${kills} SIGKILLs during the run\n`);
    expect(kills).toBeGreaterThanOrEqual(20);

    const state = telegram.state();
    const db = new Database(join(dir, 'vods.db'), { readonly: true });
    const expected: string[] = [];
    for (const [i, id] of VODS.entries()) {
      const total = (db.prepare(`SELECT parts_total AS n FROM vods WHERE id = ?`).get(id) as { n: number }).n;
      expect(total).toBeGreaterThanOrEqual(4);
      for (let k = 1; k <= total; k++) expected.push(`Crash VOD ${i + 1} (2${i}/11/2026) - Part ${k}/${total}`);
    }
    db.close();
    for (const chat of chats) expect((state.messages[chat] ?? []).map((m) => m.text)).toEqual(expected);
    expect(readdirSync(join(dir, 'work'))).toEqual([]);

    // Nothing fetched again beyond what was in flight at each kill (4 connections).
    const fetched = Object.values(twitch.stats.segmentFetches).reduce((a, b) => a + b, 0);
    expect(fetched).toBeLessThanOrEqual(VODS.length * hls.segments.length + kills * 4);
  }, 600_000);
});
