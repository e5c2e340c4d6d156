/**
 * Issue 16 item 1: saving settings tells, by the field, which Telegram destination this account
 * cannot post in (a bot that is a plain member, not an admin, of a channel), and a VOD then fails
 * only that destination: the others get every part.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destinationKey } from '../../electron/contract/settings';
import { partsOf } from '../../electron/engine/store/parts';
import { uploadsOf } from '../../electron/engine/store/uploads';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine } from './helpers';

const params = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-destination-warnings', params), params);
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }] });
  telegram = await startTelegramStandIn();
}, 120_000);

afterAll(async () => {
  await telegram?.close();
  await twitch?.close();
});

describe('a destination a bot cannot post in', () => {
  it('is named by its field when settings are saved, and fails alone', async () => {
    const chat = (title: string) => `-100${telegram.state().chats.find((c) => c.title === title)!.id}`;
    const archive = { kind: 'telegram' as const, name: 'Archive', chatId: chat('VOD Archive') };
    // The stand-in's bot is a plain member of "Read Only News": no right to post
    // (core.telegram.org/api/rights: posting in a channel needs the post_messages admin right).
    const news = { kind: 'telegram' as const, name: 'News', chatId: chat('Read Only News') };
    const base = standInSettings(twitch, {
      telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 2, alerts: false },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
      destinations: [archive],
    });
    const engine = await startTestEngine(
      { ...base, twitch: { ...base.twitch, channels: [] } },
      { twitchClientSecret: twitch.clientSecret, telegramBotToken: '123456:STANDIN-BOT-TOKEN' },
    );
    try {
      const channel = { ...base.twitch.channels[0]!, destinations: [destinationKey(archive), destinationKey(news)] };
      const saved = (await engine.request('settings.update', {
        settings: { ...base, destinations: [archive, news], twitch: { ...base.twitch, channels: [channel] } },
      })) as { warnings: Array<{ path: string; message: string }>; settings: { destinations: unknown[] } };
      expect(saved.settings.destinations).toHaveLength(2);
      expect(saved.warnings).toEqual([{ path: 'destinations.1.chatId', message: expect.stringMatching(/^This account cannot post in News: /) }]);
      expect(engine.engine.account).toMatchObject({ bot: true });

      twitch.addVod({ id: '7501', userId: '1001', title: 'Bot night', createdAt: '2026-11-04T10:00:00Z', hls });
      await engine.request('queue.checkNow');
      await engine.waitForStatus('7501', 'failed', 120_000);
      const db = engine.engine.db;
      const parts = partsOf(db, '7501');
      const uploads = uploadsOf(db, '7501', 0);
      expect(uploads.filter((u) => u.destination === destinationKey(archive)).map((u) => u.state)).toEqual(parts.map(() => 'posted'));
      expect(uploads.filter((u) => u.destination === destinationKey(news)).some((u) => u.state === 'posted')).toBe(false);
      expect(getVod(db, '7501')).toMatchObject({ error_class: 'permanent', retries: 0 });
      expect(getVod(db, '7501')!.last_error).toMatch(/cannot post in "News"/);
      expect((telegram.state().messages[news.chatId] ?? []).length).toBe(0);
    } finally {
      await engine.close();
    }
  }, 240_000);
});
