/**
 * The live crash test: the headless engine backs up a broadcast on the Twitch stand-in's live mode
 * (in this process, on the wall clock) and is killed with SIGKILL at random moments during the
 * broadcast and after its end, restarted each time. At the end every part is in every Telegram
 * chat exactly once, in order, every caption is final, the index is posted once per chat, and no
 * segment is missing.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { LiveBroadcast } from '../fakes/twitch/live';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings } from './helpers';

const KILLS = 16;
const VOD = '7101';
const params = { durationSec: 48, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let broadcast: LiveBroadcast;
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

function status(): string | undefined {
  const path = join(dir, 'vods.db');
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT status FROM vods WHERE id = ?`).get(VOD) as { status: string } | undefined)?.status;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-live-crash', params), params);
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }], vods: [] });
  dir = mkdtempSync(join(tmpdir(), 'tvb-live-crash-'));
  telegram = await startTelegramStandIn({ stateFile: join(dir, 'telegram-state.json') });
  const state = telegram.state();
  chats = ['VOD Archive', 'VOD Chat'].map((t) => `-100${state.chats.find((c) => c.title === t)!.id}`);
  const settings = standInSettings(twitch, {
    telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 4, captionTemplate: '{title} - Part {part}/{parts}' },
    advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram), livePollMs: 500 },
    vod: { minRetryDelaySec: 1, maxRetryDelaySec: 2, maxRetries: 100, downloadConcurrency: 4 },
    destinations: chats.map((chatId, i) => ({ kind: 'telegram' as const, name: `Chat ${i + 1}`, chatId })),
  });
  const session = await standInSession(settings);
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
  writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ twitchClientSecret: twitch.clientSecret, telegramSession: session }), { mode: 0o600 });
  // The broadcast starts now (48 s in real time), muting segment 5 a second after its end.
  broadcast = new LiveBroadcast({ media: hls, speed: 1, mutedSegments: [5], muteAfterSec: 1 });
  twitch.addVod({ id: VOD, userId: '1001', title: 'Live crash', createdAt: new Date().toISOString(), hls, broadcast });
}, 120_000);

afterAll(async () => {
  await telegram?.close();
  await twitch?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('live crash safety', () => {
  it(`survives SIGKILLs during the broadcast and after its end: parts once, in order, captions final, one index`, async () => {
    const random = prng(20261201);
    let kills = 0;
    let killsAfterEnd = 0;
    // Kills spread over the broadcast, then a few after its end (edits and index at stake).
    while ((kills < KILLS || (killsAfterEnd < 3 && kills < KILLS + 8)) && status() !== 'completed') {
      const child = startHeadless();
      const exited = new Promise((resolve) => child.once('exit', resolve));
      await new Promise((r) => setTimeout(r, 1200 + random() * 2400));
      child.kill('SIGKILL');
      await exited;
      kills++;
      if (broadcast.state().ended) killsAfterEnd++;
    }
    const last = startHeadless();
    let stderr = '';
    last.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 240_000;
    while (status() !== 'completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    last.kill('SIGTERM');
    await new Promise((resolve) => last.once('exit', resolve));
    expect(status(), stderr.slice(-2000)).toBe('completed');
    process.stderr.write(`live crash test: ${kills} SIGKILLs, ${killsAfterEnd} after the end\n`);
    expect(kills).toBeGreaterThanOrEqual(8);

    const db = new Database(join(dir, 'vods.db'), { readonly: true });
    const total = (db.prepare(`SELECT parts_total AS n FROM vods WHERE id = ?`).get(VOD) as { n: number }).n;
    const covered = (db.prepare(`SELECT sum(duration) AS s FROM parts WHERE vod_id = ?`).get(VOD) as { s: number }).s;
    db.close();
    expect(total).toBeGreaterThanOrEqual(4);
    // No segment missing: the parts cover the whole broadcast.
    expect(covered).toBeCloseTo(params.durationSec, 0);
    const state = telegram.state();
    const expected = Array.from({ length: total }, (_, i) => `Live crash - Part ${i + 1}/${total}`);
    for (const chat of chats) {
      const messages = state.messages[chat] ?? [];
      expect(messages.filter((m) => m.media).map((m) => m.text)).toEqual(expected);
      expect(messages.filter((m) => !m.media)).toHaveLength(1);
    }
  }, 600_000);
});
