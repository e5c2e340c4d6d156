/**
 * Issue 16 item 6: the part limit (Telegram's 2000 MiB, 4000 MiB with Premium, lowered by
 * split.maxFileSizeMB) is read at each attempt; when it changed since the VOD's parts were planned,
 * only the parts Telegram holds nothing of are planned again (pipeline/limit-change.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Settings } from '../../electron/contract/settings';
import { TELEGRAM_LIMIT_BYTES } from '../../electron/engine/media/planner';
import { getMeta } from '../../electron/engine/store/meta';
import { operationsFor } from '../../electron/engine/store/operations';
import { partsOf } from '../../electron/engine/store/parts';
import { uploadsOf } from '../../electron/engine/store/uploads';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine, type TestEngine } from './helpers';

const params = { durationSec: 60, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
const small = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
const PREMIUM_PHONE = '+15550000003';
let long: HlsVod;
let short: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let chat: string;

beforeAll(async () => {
  long = await makeHlsVod(hlsCacheDir('pipeline-part-limit', params), params);
  short = await makeHlsVod(hlsCacheDir('pipeline-part-limit-small', small), small);
  telegram = await startTelegramStandIn();
  chat = `-100${telegram.state().chats.find((c) => c.title === 'VOD Archive')!.id}`;
}, 180_000);

afterAll(async () => {
  await telegram?.close();
});

/** One VOD per test: a Twitch stand-in of its own. */
async function twitchWith(id: string, title: string, hls: HlsVod): Promise<void> {
  await twitch?.close();
  twitch = await startTwitchStandIn({
    users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
    vods: [{ id, userId: '1001', title, createdAt: '2026-11-21T20:00:00Z', hls }],
  });
}

function settings(split: Partial<Settings['split']>, postDelaySec = 0): Settings {
  return standInSettings(twitch, {
    telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 2, postDelaySec },
    split: { maxFileSizeMB: 2, minFileSizeMB: 0, mergeThresholdMB: 0, ...split } as Settings['split'],
    advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
    destinations: [{ kind: 'telegram', name: 'Archive', chatId: chat }],
  });
}

const posted = (title: string) => (telegram.state().messages[chat] ?? []).filter((m) => m.text.startsWith(title));

/** Every part posted exactly once, in order, numbered 1..N over contiguous segments. */
function expectWhole(engine: TestEngine, vodId: string, title: string): void {
  const db = engine.engine.db;
  const parts = partsOf(db, vodId);
  expect(parts.map((p) => p.idx)).toEqual(parts.map((_, i) => i + 1));
  parts.slice(1).forEach((p, i) => expect(p.first_segment).toBe(parts[i]!.last_segment + 1));
  expect(parts.every((p) => p.state === 'posted')).toBe(true);
  const messages = posted(title);
  expect(messages.map((m) => m.media?.size)).toEqual(parts.map((p) => p.bytes));
  const uploads = uploadsOf(db, vodId, getVod(db, vodId)!.generation);
  expect(uploads.map((u) => [u.part_idx, u.state])).toEqual(parts.map((p) => [p.idx, 'posted']));
  expect(new Set(uploads.map((u) => u.message_id)).size).toBe(parts.length);
}

describe('the part limit changes between attempts', () => {
  it('a lower split.maxFileSizeMB re-plans the parts not yet posted; part 1, already posted, stays', async () => {
    await twitchWith('9101', 'Limit', long);
    const session = await standInSession(settings({}));
    const secrets = { twitchClientSecret: twitch.clientSecret, telegramSession: session };
    // Attempt 1: 4 MB parts, a long pause after each post: stopped once part 1 is in the chat.
    const first = await startTestEngine(settings({ maxFileSizeMB: 4 }, 600), secrets);
    await expect.poll(() => posted('Limit').length, { timeout: 120_000, interval: 200 }).toBe(1);
    const before = partsOf(first.engine.db, '9101');
    // Part 1 is posted; the next may be uploaded ahead during the pause (Telegram holds it: it stays).
    const kept = before.filter((p) => p.state !== 'planned' && p.state !== 'built');
    expect(before[0]!.bytes).toBeGreaterThan(2_000_000);
    expect(before.length).toBeGreaterThan(kept.length);
    await first.stop();
    // Attempt 2: 2 MB parts.
    const second = await startTestEngine(settings({ maxFileSizeMB: 2 }), secrets, { dir: first.dir });
    try {
      await second.waitForStatus('9101', 'completed', 180_000);
      const db = second.engine.db;
      const parts = partsOf(db, '9101');
      kept.forEach((k, i) => expect(parts[i]).toMatchObject({ first_segment: k.first_segment, last_segment: k.last_segment, bytes: k.bytes }));
      expect(parts.length).toBeGreaterThan(kept.length);
      for (const p of parts.slice(kept.length)) expect(p.bytes).toBeLessThanOrEqual(2_000_000);
      expect(posted('Limit')[0]!.media?.size).toBe(before[0]!.bytes);
      expectWhole(second, '9101', 'Limit');
      const change = operationsFor(db, '9101').find((o) => o.operation_type === 'part-limit');
      expect(JSON.parse(change?.details ?? '{}')).toMatchObject({ from: 4_000_000, to: 2_000_000, replannedFrom: kept.length + 1 });
    } finally {
      await second.close();
    }
  }, 400_000);

  it('the account buys Premium between attempts: the parts not yet uploaded are planned under the larger limit', async () => {
    await twitchWith('9102', 'Premium', short);
    telegram.setPremium(PREMIUM_PHONE, false);
    const big = { maxFileSizeMB: 3000 };
    const session = await standInSession(settings(big), PREMIUM_PHONE, '33333');
    const secrets = { twitchClientSecret: twitch.clientSecret, telegramSession: session };
    // Attempt 1 (no Premium): uploads stall, so the planned part reaches Telegram not at all.
    telegram.setFault({ kind: 'stall', method: 'upload.SaveFilePart', count: 1000 });
    const first = await startTestEngine(settings(big), secrets);
    await expect.poll(() => getVod(first.engine.db, '9102')?.parts_total ?? null, { timeout: 120_000, interval: 200 }).not.toBeNull();
    expect(first.engine.account).toMatchObject({ premium: false });
    const generation = getVod(first.engine.db, '9102')!.generation;
    expect(getMeta(first.engine.db, `part-limit:9102:${generation}`)).toBe(String(TELEGRAM_LIMIT_BYTES));
    await first.stop();
    telegram.clearFaults();
    telegram.setPremium(PREMIUM_PHONE, true);
    const second = await startTestEngine(settings(big), secrets, { dir: first.dir });
    try {
      await second.waitForStatus('9102', 'completed', 180_000);
      const db = second.engine.db;
      expect(second.engine.account).toMatchObject({ premium: true });
      expect(getMeta(db, `part-limit:9102:${generation}`)).toBe(String(3000 * 1_000_000));
      const change = operationsFor(db, '9102').find((o) => o.operation_type === 'part-limit');
      expect(JSON.parse(change?.details ?? '{}')).toMatchObject({ from: TELEGRAM_LIMIT_BYTES, to: 3_000_000_000, replannedFrom: 1 });
      expectWhole(second, '9102', 'Premium');
    } finally {
      await second.close();
      telegram.setPremium(PREMIUM_PHONE, true);
      await twitch.close();
    }
  }, 400_000);
  it('the account buys Premium while the engine runs: the next attempt on the same connection sees it', async () => {
    await twitchWith('9103', 'Same engine', short);
    telegram.setPremium(PREMIUM_PHONE, false);
    const big = { maxFileSizeMB: 3000 };
    const session = await standInSession(settings(big), PREMIUM_PHONE, '33333');
    telegram.setFault({ kind: 'stall', method: 'upload.SaveFilePart', count: 1000 });
    const engine = await startTestEngine(settings(big), { twitchClientSecret: twitch.clientSecret, telegramSession: session });
    try {
      const db = engine.engine.db;
      await expect.poll(() => getVod(db, '9103')?.parts_total ?? null, { timeout: 120_000, interval: 200 }).not.toBeNull();
      expect(engine.engine.account).toMatchObject({ premium: false });
      await engine.request('vod.cancel', { vodId: '9103' });
      await engine.waitForStatus('9103', 'failed', 60_000);
      telegram.clearFaults();
      telegram.setPremium(PREMIUM_PHONE, true);
      await engine.request('vod.retryNow', { vodId: '9103' });
      await engine.waitForStatus('9103', 'completed', 180_000);
      expect(engine.engine.account).toMatchObject({ premium: true });
      const change = operationsFor(db, '9103').find((o) => o.operation_type === 'part-limit');
      expect(JSON.parse(change?.details ?? '{}')).toMatchObject({ from: TELEGRAM_LIMIT_BYTES, to: 3_000_000_000, replannedFrom: 1 });
      expectWhole(engine, '9103', 'Same engine');
    } finally {
      await engine.close();
      telegram.setPremium(PREMIUM_PHONE, true);
      await twitch.close();
    }
  }, 400_000);
});
