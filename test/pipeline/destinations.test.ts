/**
 * Which destinations a VOD reaches: only its own channel's (matched by channel id, never "the
 * first channel"), and a Telegram chat this account may not write to fails alone, with what to do,
 * while the other destinations still get every part. Also: the VOD's audit log over the protocol.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partsOf } from '../../electron/engine/store/parts';
import { uploadsOf } from '../../electron/engine/store/uploads';
import { getVod, insertVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine, type TestEngine } from './helpers';

const params = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let scratch: string;
let chatId: string;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-destinations', params), params);
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }] });
  telegram = await startTelegramStandIn();
  chatId = `-100${telegram.state().chats.find((c) => c.title === 'VOD Archive')!.id}`;
  scratch = mkdtempSync(join(tmpdir(), 'tvb-dest-'));
}, 120_000);

afterAll(async () => {
  await telegram?.close();
  await twitch?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('destinations', () => {
  it('a VOD of a channel that is not configured fails with the reason and is posted nowhere', async () => {
    const archive = join(scratch, 'unknown-channel');
    const engine: TestEngine = await startTestEngine(standInSettings(twitch, { destinations: [{ kind: 'folder', name: 'NAS', path: archive }] }), {
      twitchClientSecret: twitch.clientSecret,
    });
    try {
      // A row left from a channel removed from the settings (or imported from the legacy tool).
      insertVod(engine.engine.db, {
        id: '7301',
        channel_id: '4040',
        channel_name: 'Someone else',
        title: 'Not ours',
        created_at: '2026-11-01T10:00:00Z',
        duration: 12,
        duration_str: '0h0m12s',
        status: 'pending',
        url: '',
        thumbnail_url: '',
      });
      await engine.request('queue.checkNow');
      await engine.waitForStatus('7301', 'failed', 60_000);
      expect(getVod(engine.engine.db, '7301')!.last_error).toMatch(/not among the configured channels/);
      expect(() => readdirSync(archive)).toThrow();
      const log = (await engine.request('vod.operations', { vodId: '7301' })) as Array<{ type: string; status: string }>;
      expect(log[0]).toMatchObject({ type: 'process', status: 'failed' });
      await expect(engine.request('vod.operations', { vodId: '999999' })).rejects.toThrow(/No VOD 999999/);
    } finally {
      await engine.close();
    }
  }, 120_000);

  it('a chat the account may not write to fails alone, saying what to do; the folder gets every part', async () => {
    twitch.addVod({ id: '7302', userId: '1001', title: 'Forbidden chat', createdAt: '2026-11-01T10:00:00Z', hls });
    const archive = join(scratch, 'forbidden');
    const settings = standInSettings(twitch, {
      telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 4 },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
      destinations: [
        { kind: 'telegram', name: 'Archive', chatId },
        { kind: 'folder', name: 'NAS', path: archive },
      ],
    });
    const session = await standInSession(settings);
    // https://core.telegram.org/method/messages.sendMedia lists CHAT_WRITE_FORBIDDEN (403).
    telegram.setFault({ kind: 'rpcError', method: 'messages.SendMedia', code: 403, message: 'CHAT_WRITE_FORBIDDEN', count: 1000 });
    const engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session });
    try {
      await engine.waitForStatus('7302', 'failed', 90_000);
      const vod = getVod(engine.engine.db, '7302')!;
      expect(vod.error_class).toBe('permanent');
      expect(vod.last_error).toMatch(/cannot post in "Archive".*Post messages.*Retry now/);
      expect(vod.retries).toBe(0);
      const parts = partsOf(engine.engine.db, '7302');
      const uploads = uploadsOf(engine.engine.db, '7302', 0);
      expect(uploads.filter((u) => u.destination.startsWith('dir:')).map((u) => u.state)).toEqual(parts.map(() => 'posted'));
      expect(uploads.filter((u) => u.destination.startsWith('tg:')).every((u) => u.state !== 'posted')).toBe(true);
      const [vodDir] = readdirSync(join(archive, 'Streamer'));
      expect(readdirSync(join(archive, 'Streamer', vodDir)).filter((f) => f.endsWith('.mp4'))).toHaveLength(parts.length);
      // Nothing was posted there (the failure alert is a text message to the alert chat).
      expect((telegram.state().messages[chatId] ?? []).filter((m) => m.media)).toHaveLength(0);
    } finally {
      telegram.clearFaults();
      await engine.close();
    }
  }, 180_000);
});
