/**
 * An interrupted upload that Telegram has forgotten (its parts expired: messages.uploadMedia
 * answers FILE_PART_0_MISSING, https://core.telegram.org/api/files) must start over from zero,
 * not resume the dead file id until the VOD fails. Reproduced on the real path, the engine against
 * both stand-ins, two ways: the app quits mid-upload and starts again; the user cancels mid-upload
 * and presses Retry now (which also checks that a cancelled VOD is not restarted behind the user's
 * back while its job winds down).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../electron/contract/settings';
import type { Db } from '../../electron/engine/store/database';
import { partsOf } from '../../electron/engine/store/parts';
import { getVod } from '../../electron/engine/store/vods';
import { ackedParts } from '../../electron/engine/telegram/uploader';
import type { UploadResume } from '../../electron/engine/telegram/types';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine, type TestEngine } from './helpers';

const params = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let chatId: string;
let session: string;
const scratch = mkdtempSync(join(tmpdir(), 'tvb-expired-'));

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-upload-expired', params), params);
  twitch = await startTwitchStandIn();
  telegram = await startTelegramStandIn();
  chatId = `-100${telegram.state().chats.find((c) => c.title === 'VOD Archive')!.id}`;
  session = await standInSession(settingsFor('nobody'));
}, 120_000);

afterAll(async () => {
  await telegram?.close();
  await twitch?.close();
  rmSync(scratch, { recursive: true, force: true });
});

function settingsFor(login: string): Settings {
  return standInSettings(twitch, {
    twitch: { clientId: twitch.clientId, channels: [{ channel: login }] },
    // One part in flight, so file part 0 is acknowledged (and recorded) before part 1 stalls (every resend too).
    telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 1 },
    advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
    vod: { minRetryDelaySec: 1, maxRetryDelaySec: 1, maxRetries: 4 },
    destinations: [{ kind: 'telegram', name: 'Archive', chatId }],
  });
}

/** Starts the VOD's backup with part 1's upload stuck after its first chunk; resolves once that chunk is recorded. */
async function startStuckUpload(vodId: string, dir: string): Promise<{ engine: TestEngine; settings: Settings; staleFileId: string; uploadsBefore: number }> {
  const uploadsBefore = telegram.state().uploads.length;
  const login = `expired${vodId}`;
  twitch.addUser({ id: `9${vodId}`, login });
  twitch.addVod({ id: vodId, userId: `9${vodId}`, title: `Forgotten upload ${vodId}`, createdAt: '2026-11-01T10:00:00Z', hls });
  telegram.setFault({ kind: 'stall', method: 'upload.SaveFilePart', part: 1, count: 1000 });
  const settings = settingsFor(login);
  const engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session }, { dir });
  const resume = () => partsOf(engine.engine.db, vodId).find((p) => p.idx === 1)?.upload_resume;
  await expect.poll(() => (resume() ? ackedParts(JSON.parse(resume()!) as UploadResume).length : 0), { timeout: 60_000, interval: 50 }).toBeGreaterThanOrEqual(1);
  return { engine, settings, uploadsBefore, staleFileId: (JSON.parse(resume()!) as { fileId: string }).fileId };
}

/** Telegram drops unfinished uploads after a while; the saved resume state now points at nothing. */
function telegramForgets(): void {
  telegram.forgetUnfinishedUploads();
  telegram.clearFaults();
}

function expectOneFreshUpload(db: Db, vodId: string, stuck: { staleFileId: string; uploadsBefore: number }): void {
  const parts = partsOf(db, vodId);
  const total = getVod(db, vodId)!.parts_total!;
  expect(parts.length).toBe(total);
  const posts = (telegram.state().messages[chatId] ?? []).map((m) => m.text).filter((t) => t.startsWith(`Forgotten upload ${vodId} `));
  expect(posts).toEqual(Array.from({ length: total }, (_, i) => `Forgotten upload ${vodId} (01/11/2026) - Part ${i + 1}/${total}`));
  // Part 1 was uploaded once more from zero: one finished upload of its size, under a new file id.
  const finished = telegram
    .state()
    .uploads.slice(stuck.uploadsBefore)
    .filter((u) => u.size === parts[0].bytes);
  expect(finished).toHaveLength(1);
  expect(finished[0].fileId).not.toBe(stuck.staleFileId);
}

const processOps = (db: Db, vodId: string) =>
  (db.prepare(`SELECT status FROM operations WHERE vod_id = ? AND operation_type = 'process' ORDER BY id`).all(vodId) as Array<{ status: string }>).map((o) => o.status);

describe('an upload Telegram forgot', () => {
  it('after a quit and a new start: starts over from zero and completes with exactly one fresh upload', async () => {
    const dir = join(scratch, 'quit');
    const stuck = await startStuckUpload('7101', dir);
    const { engine: first, settings } = stuck;
    await first.stop();
    telegramForgets();
    const engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session }, { dir });
    try {
      await engine.waitForStatus('7101', 'completed', 90_000);
      expectOneFreshUpload(engine.engine.db, '7101', stuck);
      // Started, interrupted by the quit, resumed, finished: no failed attempt in between.
      expect(processOps(engine.engine.db, '7101')).toEqual(['started', 'started', 'ok']);
    } finally {
      await engine.close();
    }
  }, 240_000);

  it('after Cancel and Retry now: the VOD stays stopped until asked, then completes with exactly one fresh upload', async () => {
    const stuck = await startStuckUpload('7102', join(scratch, 'cancel'));
    const { engine } = stuck;
    try {
      await engine.request('vod.cancel', { vodId: '7102' });
      await engine.waitForStatus('7102', 'failed', 30_000);
      expect(getVod(engine.engine.db, '7102')!.error_class).toBe('cancelled');
      telegramForgets();
      await engine.request('vod.retryNow', { vodId: '7102' });
      await engine.waitForStatus('7102', 'completed', 90_000);
      expectOneFreshUpload(engine.engine.db, '7102', stuck);
      // Started, cancelled, started again by Retry now, finished: nothing ran in between.
      expect(processOps(engine.engine.db, '7102')).toEqual(['started', 'failed', 'started', 'ok']);
    } finally {
      await engine.close();
    }
  }, 240_000);
});
