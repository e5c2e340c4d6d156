import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partsOf } from '../../electron/engine/store/parts';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { LiveBroadcast } from '../fakes/twitch/live';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine, type TestEngine } from './helpers';

/*
 * A broadcast being recorded must not hold up the other VODs: it lasts hours, and between its
 * parts it neither holds the one upload slot nor one of the two places of ordinary VODs. Here an
 * ordinary VOD appears while a live capture is mid-broadcast (its first part posted, more to
 * come) and must be backed up before the broadcast ends.
 */
const liveParams = { durationSec: 60, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
const shortParams = { durationSec: 8, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
const afterEndParams = { durationSec: 30, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let live: HlsVod;
let short: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let broadcast: LiveBroadcast;
let engine: TestEngine | undefined;
let afterEnd: HlsVod;
let folder: string;
const warnings: string[] = [];
const onWarning = (w: Error) => warnings.push(`${w.name}: ${w.message}`);

beforeAll(async () => {
  live = await makeHlsVod(hlsCacheDir('pipeline-live-alongside', liveParams), liveParams);
  short = await makeHlsVod(hlsCacheDir('pipeline-live-alongside-short', shortParams), shortParams);
  afterEnd = await makeHlsVod(hlsCacheDir('pipeline-live-after-end', afterEndParams), afterEndParams);
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }], vods: [] });
  telegram = await startTelegramStandIn();
  folder = mkdtempSync(join(tmpdir(), 'tvb-live-alongside-'));
  process.on('warning', onWarning);
}, 180_000);

afterAll(async () => {
  process.off('warning', onWarning);
  await engine?.close();
  await telegram?.close();
  await twitch?.close();
  rmSync(folder, { recursive: true, force: true });
});

describe('a live capture beside ordinary VODs', () => {
  it('lets a VOD that appears mid-broadcast upload and finish before the broadcast ends', async () => {
    const chatId = `-100${telegram.state().chats.find((c) => c.title === 'VOD Archive')!.id}`;
    const settings = standInSettings(twitch, {
      telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 4 },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram), livePollMs: 500 },
      destinations: [
        { kind: 'telegram', name: 'Archive', chatId },
        { kind: 'folder', name: 'NAS', path: folder },
      ],
    });
    const session = await standInSession(settings);
    broadcast = new LiveBroadcast({ media: live, speed: 1 });
    twitch.addVod({ id: '8001', userId: '1001', title: 'Live night', createdAt: new Date().toISOString(), hls: live, broadcast });
    engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session });
    const db = engine.engine.db;

    // Mid-broadcast: the capture's first part is posted, and it waits for the next one.
    await expect.poll(() => partsOf(db, '8001').find((p) => p.idx === 1)?.state, { timeout: 60_000, interval: 100 }).toBe('posted');
    expect(broadcast.state().ended).toBe(false);

    twitch.addVod({ id: '8002', userId: '1001', title: 'Earlier stream', createdAt: '2026-11-20T18:00:00Z', hls: short });
    await engine.request('queue.checkNow');
    await engine.waitForStatus('8002', 'completed', 60_000);
    // Backed up while the broadcast still runs: nothing waited for its end.
    expect(broadcast.state().ended).toBe(false);
    expect(getVod(db, '8001')?.status).toBe('processing');

    // The capture goes on and ends as usual.
    await engine.waitForStatus('8001', 'completed', 120_000);
    const posts = (telegram.state().messages[chatId] ?? []).filter((m) => m.media);
    expect(posts.filter((m) => m.text?.startsWith('Earlier stream'))).toHaveLength(partsOf(db, '8002').length);
    expect(posts.filter((m) => m.text?.startsWith('Live night'))).toHaveLength(partsOf(db, '8001').length);
    // Following a broadcast for its whole length leaves no listener behind per idle wait.
    expect(warnings.filter((w) => w.startsWith('MaxListenersExceededWarning'))).toEqual([]);
  }, 300_000);

  it('with postAfterEnd: uploads while the broadcast runs, posts nothing before its end, then every part once with its final caption', async () => {
    await engine?.close();
    const chatId = `-100${telegram.state().chats.find((c) => c.title === 'VOD Chat')!.id}`;
    const settings = standInSettings(twitch, {
      twitch: { clientId: twitch.clientId, channels: [{ channel: 'streamer', liveMode: 'postAfterEnd' }] },
      telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 4, captionTemplate: '{title} - Part {part}/{parts}' },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram), livePollMs: 500 },
      destinations: [{ kind: 'telegram', name: 'Chat', chatId }],
    });
    const session = await standInSession(settings);
    const later = new LiveBroadcast({ media: afterEnd, speed: 1 });
    twitch.addVod({ id: '8101', userId: '1001', title: 'After the end', createdAt: new Date().toISOString(), hls: afterEnd, broadcast: later });
    engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session });
    const db = engine.engine.db;
    const posts = () => (telegram.state().messages[chatId] ?? []).filter((m) => m.media && m.text?.startsWith('After the end'));

    // A part is built and uploaded while the broadcast runs; nothing is posted yet.
    await expect.poll(() => partsOf(db, '8101').filter((p) => p.state === 'uploaded').length, { timeout: 60_000, interval: 100 }).toBeGreaterThan(0);
    expect(later.state().ended).toBe(false);
    expect(posts()).toEqual([]);
    expect(getVod(db, '8101')?.parts_total).toBeNull();

    await engine.waitForStatus('8101', 'completed', 120_000);
    expect(later.state().ended).toBe(true);
    const total = partsOf(db, '8101').length;
    expect(total).toBeGreaterThanOrEqual(2);
    expect(posts().map((m) => m.text)).toEqual(Array.from({ length: total }, (_, i) => `After the end - Part ${i + 1}/${total}`));
    // Posted once with the total known: no caption needed an edit.
    expect(posts().every((m) => m.editDate === undefined)).toBe(true);
  }, 300_000);
});
