/**
 * Issue 13 items 3 and 4 on the real path: "retry this destination" delivers to that destination
 * only (the others, and their errors, stay as they were), and "post again" to chosen destinations
 * posts to those only.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationKey } from '../../electron/contract/settings';
import { partsOf } from '../../electron/engine/store/parts';
import { uploadsOf } from '../../electron/engine/store/uploads';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine } from './helpers';

const params = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let scratch: string;
const chat = (title: string) => `-100${telegram.state().chats.find((c) => c.title === title)!.id}`;
const sends = () => telegram.stats().requests['messages.SendMedia'] ?? 0;
const mediaIn = (chatId: string) => (telegram.state().messages[chatId] ?? []).filter((m) => m.media).length;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-destination-choice', params), params);
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }] });
  telegram = await startTelegramStandIn();
  scratch = mkdtempSync(join(tmpdir(), 'tvb-choice-'));
}, 120_000);

afterAll(async () => {
  await telegram?.close();
  await twitch?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function settingsWith(destinations: Parameters<typeof standInSettings>[1]['destinations']) {
  return standInSettings(twitch, {
    telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 4, alerts: false },
    advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
    destinations,
  });
}

describe('choosing destinations', () => {
  it('"retry this destination" posts there and leaves the other failed destination untouched', async () => {
    twitch.addVod({ id: '7401', userId: '1001', title: 'Retry one', createdAt: '2026-11-02T10:00:00Z', hls });
    const archive = { kind: 'telegram' as const, name: 'Archive', chatId: chat('VOD Archive') };
    // The stand-in answers CHAT_WRITE_FORBIDDEN to a plain member of a channel (core.telegram.org/method/messages.sendMedia).
    const news = { kind: 'telegram' as const, name: 'News', chatId: chat('Read Only News') };
    const settings = settingsWith([archive, news]);
    const session = await standInSession(settings);
    // Archive refuses during the first attempt only (core.telegram.org/method/messages.sendMedia lists CHAT_WRITE_FORBIDDEN).
    telegram.setFault({ kind: 'rpcError', method: 'messages.SendMedia', code: 403, message: 'CHAT_WRITE_FORBIDDEN', count: 1000 });
    const engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session });
    try {
      await engine.waitForStatus('7401', 'failed', 90_000);
      telegram.clearFaults();
      const db = engine.engine.db;
      const newsBefore = uploadsOf(db, '7401', 0).filter((u) => u.destination === destinationKey(news));
      const before = sends();
      await engine.request('vod.retryDestination', { vodId: '7401', destination: destinationKey(archive) });
      const parts = partsOf(db, '7401').length;
      await expect
        .poll(() => getVod(db, '7401')!.status === 'failed' && uploadsOf(db, '7401', 0).filter((u) => u.destination === destinationKey(archive) && u.state === 'posted').length, {
          timeout: 90_000,
        })
        .toBe(parts);
      expect(mediaIn(archive.chatId)).toBe(parts);
      // Only Archive was sent to; News kept its rows and its reason, and still fails the VOD.
      expect(sends() - before).toBe(parts);
      expect(uploadsOf(db, '7401', 0).filter((u) => u.destination === destinationKey(news))).toEqual(newsBefore);
      expect(getVod(db, '7401')!.last_error).toMatch(/cannot post in "News"/);
    } finally {
      telegram.clearFaults();
      await engine.close();
    }
  }, 240_000);

  it('"post again" to a chosen destination posts there only', async () => {
    twitch.addVod({ id: '7402', userId: '1001', title: 'Post again', createdAt: '2026-11-03T10:00:00Z', hls });
    const archive = { kind: 'telegram' as const, name: 'Archive', chatId: chat('VOD Chat') };
    const folder = { kind: 'folder' as const, name: 'NAS', path: join(scratch, 'again') };
    const settings = settingsWith([archive, folder]);
    const session = await standInSession(settings);
    const engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session });
    try {
      await engine.waitForStatus('7402', 'completed', 90_000);
      const db = engine.engine.db;
      const posted = mediaIn(archive.chatId);
      expect(posted).toBeGreaterThan(0);
      const vodDir = readdirSync(join(folder.path, 'Streamer')).find((d) => d.endsWith('[7402]'))!;
      rmSync(join(folder.path, 'Streamer', vodDir), { recursive: true });
      await engine.request('vod.repostTo', { vodId: '7402', destinations: [destinationKey(folder)] });
      await expect.poll(() => getVod(db, '7402')!.generation === 1 && getVod(db, '7402')!.status, { timeout: 90_000 }).toBe('completed');
      expect(uploadsOf(db, '7402', 1).map((u) => u.destination)).toEqual(partsOf(db, '7402').map(() => destinationKey(folder)));
      expect(mediaIn(archive.chatId)).toBe(posted);
      expect(readdirSync(join(folder.path, 'Streamer', vodDir)).filter((f) => f.endsWith('.mp4'))).toHaveLength(partsOf(db, '7402').length);
    } finally {
      await engine.close();
    }
  }, 240_000);
});
