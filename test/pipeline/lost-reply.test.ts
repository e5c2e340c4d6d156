/**
 * Issue 16 item 2. Before the publisher called findExistingPost for a part left `sending`, part 1
 * was posted twice here.
 *
 * Exactly-once without random-id memory: the engine is killed while Telegram has recorded a post
 * but its reply never came (holdReply), and the stand-in remembers no random ids. After the
 * restart, each part is in the chat once.
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
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings } from './helpers';

const params = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let dir: string;
let chat: string;

function startHeadless(): ChildProcess {
  return spawn(process.execPath, ['--import', TSX, 'electron/engine/host/headless.ts', '--config', join(dir, 'settings.json'), '--quiet'], { stdio: ['ignore', 'ignore', 'pipe'] });
}
function status(): string | undefined {
  const path = join(dir, 'vods.db');
  if (!existsSync(path)) return undefined;
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare(`SELECT status FROM vods WHERE id = '8001'`).get() as { status: string } | undefined)?.status;
  } catch {
    return undefined;
  } finally {
    db.close();
  }
}

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-lost-reply', params), params);
  twitch = await startTwitchStandIn({
    users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
    vods: [{ id: '8001', userId: '1001', title: 'Lost', createdAt: '2026-11-21T20:00:00Z', hls }],
  });
  dir = mkdtempSync(join(tmpdir(), 'tvb-lost-'));
  telegram = await startTelegramStandIn({ stateFile: join(dir, 'tg.json'), randomIdMemory: 0 });
  chat = `-100${telegram.state().chats.find((c) => c.title === 'VOD Archive')!.id}`;
  const settings = standInSettings(twitch, {
    telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 2 },
    advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
    destinations: [{ kind: 'telegram', name: 'Archive', chatId: chat }],
  });
  const session = await standInSession(settings);
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings));
  writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ twitchClientSecret: twitch.clientSecret, telegramSession: session }), { mode: 0o600 });
}, 120_000);
afterAll(async () => {
  await telegram?.close();
  await twitch?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('a post whose reply was lost', () => {
  it('is adopted after a restart, not posted again', async () => {
    telegram.setFault({ kind: 'holdReply', method: 'messages.SendMedia' });
    const first = startHeadless();
    const exited = new Promise((r) => first.once('exit', r));
    await expect.poll(() => (telegram.state().messages[chat] ?? []).length, { timeout: 60_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 300));
    first.kill('SIGKILL');
    await exited;
    const second = startHeadless();
    let stderr = '';
    second.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const deadline = Date.now() + 120_000;
    while (status() !== 'completed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    second.kill('SIGTERM');
    await new Promise((r) => second.once('exit', r));
    expect(status(), stderr.slice(-1500)).toBe('completed');
    const texts = (telegram.state().messages[chat] ?? []).map((m) => m.text);
    const total = texts.length ? Number(/\/(\d+)$/.exec(texts[0]!)![1]) : 0;
    expect(texts).toEqual(Array.from({ length: total }, (_, k) => `Lost (21/11/2026) - Part ${k + 1}/${total}`));
  }, 300_000);
});
