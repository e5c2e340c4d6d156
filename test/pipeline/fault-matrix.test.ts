/**
 * The fault matrix: every stand-in fault, a full disk, a corrupt segment and a settings change
 * mid-run. Each case ends with the VOD completed, or failed (or held) with a clear reason, never
 * stuck in `processing`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsInput } from '../../electron/contract/settings';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { type FaultSpec, serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type Fault, type StandInMedia, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine, type TestEngine } from './helpers';

const params = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let corrupt: StandInMedia;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let session: string;
let chatId: string;
let scratch: string;
let nextId = 8000;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-faults', params), params);
  scratch = mkdtempSync(join(tmpdir(), 'tvb-faults-'));
  // The same VOD with segment 2 replaced by noise: ffmpeg cannot read it.
  mkdirSync(join(scratch, 'corrupt'));
  corrupt = {
    segments: hls.segments.map((s) => {
      const path = join(scratch, 'corrupt', s.name);
      if (s.index === 2) writeFileSync(path, Buffer.alloc(s.bytes, 0x47));
      else copyFileSync(s.path, path);
      return { name: s.name, path, bytes: s.bytes, durationSec: s.durationSec };
    }),
  };
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

function settingsFor(login: string, extra: Partial<SettingsInput> = {}) {
  return standInSettings(twitch, {
    twitch: { clientId: twitch.clientId, channels: [{ channel: login }] },
    telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 4 },
    advanced: {
      twitch: twitch.endpoints,
      lowDiskGuardMB: 0,
      telegramServer: serverSetting(telegram),
    },
    vod: { minRetryDelaySec: 1, maxRetryDelaySec: 1, maxRetries: 4 },
    destinations: [{ kind: 'telegram', name: 'Archive', chatId }],
    ...extra,
  });
}

interface Case {
  twitchFaults?: Fault[];
  telegramFaults?: FaultSpec[];
  subOnly?: boolean;
  media?: StandInMedia;
  settings?: Partial<SettingsInput>;
  during?: (engine: TestEngine, vodId: string) => Promise<void>;
}

/** One channel and one VOD per case, so cases never see each other's VODs. */
async function runCase(c: Case): Promise<{ engine: TestEngine; vodId: string; title: string }> {
  const id = String(nextId++);
  const login = `faultcase${id}`;
  const title = `Fault case ${id}`;
  twitch.clearFaults();
  telegram.clearFaults();
  twitch.addUser({ id: `9${id}`, login });
  twitch.addVod({ id, userId: `9${id}`, title, hls: c.media ?? hls, subOnly: c.subOnly, createdAt: '2026-11-01T10:00:00Z' });
  c.twitchFaults?.forEach((f) => twitch.setFault(f));
  c.telegramFaults?.forEach((f) => telegram.setFault(f));
  const engine = await startTestEngine(settingsFor(login, c.settings), { twitchClientSecret: twitch.clientSecret, telegramSession: session });
  await c.during?.(engine, id);
  return { engine, vodId: id, title };
}

const postsOf = (title: string) => (telegram.state().messages[chatId] ?? []).filter((m) => m.text.startsWith(title)).map((m) => m.text);

async function expectCompleted(c: Case): Promise<void> {
  const { engine, vodId, title } = await runCase(c);
  try {
    await engine.waitForStatus(vodId, 'completed', 90_000);
    const total = getVod(engine.engine.db, vodId)!.parts_total!;
    expect(postsOf(title)).toEqual(Array.from({ length: total }, (_, i) => `${title} (01/11/2026) - Part ${i + 1}/${total}`));
  } finally {
    await engine.close();
  }
}

describe('fault matrix: each case ends completed, or failed with a clear reason', () => {
  it('Twitch: expired token (401) mid-run', () => expectCompleted({ twitchFaults: [{ kind: 'expireTokens' }] }));
  it('Twitch: 429 with a reset', () => expectCompleted({ twitchFaults: [{ kind: 'rateLimit', resetInSec: 1, times: 1 }] }));
  it('Twitch: 5xx on segments, playlist and GQL', () =>
    expectCompleted({
      twitchFaults: [
        { kind: 'status', target: 'segment', status: 503, times: 3 },
        { kind: 'status', target: 'playlist', status: 502, times: 1 },
        { kind: 'status', target: 'gql', status: 500, times: 1 },
      ],
    }));
  it('Twitch: a connection dropped mid-segment', () => expectCompleted({ twitchFaults: [{ kind: 'drop', segment: 1, times: 2 }] }));
  it('Telegram: FLOOD_WAIT on a post', () => expectCompleted({ telegramFaults: [{ kind: 'floodWait', method: 'messages.SendMedia', seconds: 1, count: 1 }] }));
  it('Telegram: an RPC error on upload parts', () =>
    expectCompleted({ telegramFaults: [{ kind: 'rpcError', method: 'upload.SaveFilePart', code: 500, message: 'INTERNAL', count: 2 }] }));
  it('Telegram: a dropped connection during the upload', () => expectCompleted({ telegramFaults: [{ kind: 'dropConnection', method: 'upload.SaveFilePart', count: 1 }] }));
  it('settings changed mid-run apply at the next step without a restart', () =>
    expectCompleted({
      during: async (engine) => {
        const s = engine.engine.settings;
        const result = engine.engine.updateSettings({ ...s, telegram: { ...s.telegram, uploadConcurrency: 2, postDelaySec: 0.2 } }, { persist: false });
        expect(result.ok).toBe(true);
      },
    }));

  it('Twitch: segments refused before any part exists: last resort, a whole download by yt-dlp', async () => {
    const { engine, vodId, title } = await runCase({ twitchFaults: [{ kind: 'status', target: 'segment', status: 404, segment: 0, times: 1 }] });
    try {
      await engine.waitForStatus(vodId, 'completed', 90_000);
      const ops = engine.engine.db.prepare(`SELECT operation_type, status FROM operations WHERE vod_id = ? ORDER BY id`).all(vodId) as Array<{
        operation_type: string;
        status: string;
      }>;
      expect(ops).toContainEqual({ operation_type: 'download-whole-file', status: 'ok' });
      const total = getVod(engine.engine.db, vodId)!.parts_total!;
      expect(total).toBeGreaterThanOrEqual(2);
      expect(postsOf(title)).toEqual(Array.from({ length: total }, (_, i) => `${title} (01/11/2026) - Part ${i + 1}/${total}`));
      const posted = (telegram.state().messages[chatId] ?? []).filter((m) => m.text.startsWith(title));
      const seconds = posted.reduce((sum, m) => sum + (m.media?.video?.duration ?? 0), 0);
      expect(Math.abs(seconds - hls.durationSec)).toBeLessThanOrEqual(total); // whole seconds per part
    } finally {
      await engine.close();
    }
  });

  it('Twitch: a sub-only VOD without login fails at once with "needs a Twitch login"', async () => {
    const { engine, vodId } = await runCase({ subOnly: true });
    try {
      await engine.waitForStatus(vodId, 'failed');
      expect(getVod(engine.engine.db, vodId)).toMatchObject({ error_class: 'permanent', last_error: expect.stringContaining('needs a Twitch login') });
    } finally {
      await engine.close();
    }
  });

  it('media: a corrupt segment ends failed with the reason (after the whole-file fallback), never a part with a hole', async () => {
    const { engine, vodId } = await runCase({ media: corrupt, settings: { vod: { minRetryDelaySec: 1, maxRetryDelaySec: 1, maxRetries: 1 } } });
    try {
      await engine.waitForStatus(vodId, 'failed', 60_000);
      expect(getVod(engine.engine.db, vodId)!.last_error).toMatch(/Segment 2 is not a valid MPEG-TS segment[\s\S]*(shorter than the VOD|hole in its video)/);
      expect(postsOf(`Fault case ${vodId}`)).toEqual([]);
    } finally {
      await engine.close();
    }
  });

  it('Telegram: a session revoked elsewhere becomes "login needed", not a retry loop', async () => {
    const { engine, vodId } = await runCase({
      during: async () => {
        telegram.revokeSessions('+15550000001');
      },
    });
    try {
      await expect.poll(() => engine.engine.status.state, { timeout: 60_000 }).toBe('loginNeeded');
      const vod = getVod(engine.engine.db, vodId);
      expect(vod?.status).not.toBe('processing');
      expect(vod?.retries).toBe(0);
      expect(engine.notices.map((n) => n.kind)).toContain('loginNeeded');
    } finally {
      await engine.close();
      // Later cases need a valid session again.
      session = await standInSession(settingsFor('nobody'));
    }
  });

  const canMount = (() => {
    if (process.getuid?.() !== 0) return false;
    try {
      const probe = mkdtempSync(join(tmpdir(), 'tvb-mount-'));
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]);
      execFileSync('umount', [probe]);
      rmSync(probe, { recursive: true, force: true });
      return true;
    } catch {
      return false;
    }
  })();

  // Issue 17: a VOD short of space waits for room (polled) with the amount it needs, instead of holding the whole queue.
  it.skipIf(!canMount)('disk: a full work disk (a small tmpfs) makes the VOD wait with a clear message', async () => {
    const small = mkdtempSync(join(tmpdir(), 'tvb-tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', small]);
    const { engine, vodId } = await runCase({ settings: { paths: { workDir: small, database: '' } } });
    try {
      await expect.poll(() => getVod(engine.engine.db, vodId)?.error_class, { timeout: 60_000 }).toBe('disk');
      expect(getVod(engine.engine.db, vodId)?.last_error).toMatch(/needs .* free on .*tvb-tmpfs-.*, .* free/);
      expect(engine.notices.map((n) => n.kind)).toContain('lowDisk');
    } finally {
      await engine.close();
      execFileSync('umount', [small]);
      rmSync(small, { recursive: true, force: true });
    }
  });
});
