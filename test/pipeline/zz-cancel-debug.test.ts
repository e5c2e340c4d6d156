/**
 * An interrupted upload that Telegram has forgotten (its parts expired: messages.uploadMedia
 * answers FILE_PART_0_MISSING) must start over from zero, not resume the dead file id forever.
 * Reproduced on the real path: the engine against both stand-ins, the upload cut mid-file by the
 * user (Cancel), the stand-in forgets unfinished uploads, then Retry now.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partsOf } from '../../electron/engine/store/parts';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine, type TestEngine } from './helpers';

const params = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let engine: TestEngine;
let chatId: string;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-upload-expired', params), params);
  twitch = await startTwitchStandIn({
    users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
    vods: [{ id: '7101', userId: '1001', title: 'Forgotten upload', createdAt: '2026-11-01T10:00:00Z', hls }],
  });
  telegram = await startTelegramStandIn();
  chatId = `-100${telegram.state().chats.find((c) => c.title === 'VOD Archive')!.id}`;
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await telegram?.close();
  await twitch?.close();
});

describe('an upload Telegram forgot', () => {
  it('starts over from zero and completes with exactly one fresh upload of the part', async () => {
    const settings = standInSettings(twitch, {
      // One part in flight, so file part 0 is acknowledged (and recorded) before part 1 stalls (every resend too).
      telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 1 },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
      vod: { minRetryDelaySec: 1, maxRetryDelaySec: 1, maxRetries: 4 },
      destinations: [{ kind: 'telegram', name: 'Archive', chatId }],
    });
    const session = await standInSession(settings);
    telegram.setFault({ kind: 'stall', method: 'upload.SaveFilePart', part: 1, count: 1000 });
    engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session });
    const db = () => engine.engine.db;

    // Wait until part 1's upload has recorded acknowledged parts (its resume state), then cut it.
    await expect
      .poll(() => {
        const resume = partsOf(db(), '7101').find((p) => p.idx === 1)?.upload_resume;
        return resume ? (JSON.parse(resume) as { acked: number[] }).acked.length : 0;
      }, { timeout: 60_000, interval: 50 })
      .toBeGreaterThanOrEqual(1);
    const stale = JSON.parse(partsOf(db(), '7101').find((p) => p.idx === 1)!.upload_resume!) as { fileId: string };
    await engine.request('vod.cancel', { vodId: '7101' });
    await engine.waitForStatus('7101', 'failed', 30_000);
    expect(getVod(db(), '7101')!.error_class).toBe('cancelled');

    // Telegram drops unfinished uploads after a while; the saved resume state now points at nothing.
    telegram.forgetUnfinishedUploads();
    telegram.clearFaults();
    await engine.request('vod.retryNow', { vodId: '7101' });
    await engine.waitForStatus('7101', 'completed', 200_000).catch((e) => { console.log('DBG2', JSON.stringify(db().prepare('SELECT operation_type, status, details FROM operations WHERE vod_id = ?').all('7101'))); throw e; });

    const parts = partsOf(db(), '7101');
    const total = getVod(db(), '7101')!.parts_total!;
    expect(parts.length).toBe(total);
    const messages = telegram.state().messages[chatId] ?? [];
    expect(messages.map((m) => m.text)).toEqual(Array.from({ length: total }, (_, i) => `Forgotten upload (01/11/2026) - Part ${i + 1}/${total}`));
    // Part 1 was uploaded once more from zero: one finished upload of its size, under a new file id.
    const finished = telegram.state().uploads.filter((u) => u.size === parts[0].bytes);
    expect(finished).toHaveLength(1);
    expect(finished[0].fileId).not.toBe(stale.fileId);
    const ops = db().prepare(`SELECT status FROM operations WHERE vod_id = ? AND operation_type = 'process'`).all('7101') as Array<{ status: string }>;
    // Started, cancelled, started again, finished: no failed attempt in between.
    expect(ops.filter((o) => o.status === 'failed')).toHaveLength(1);
  }, 300_000);
});
