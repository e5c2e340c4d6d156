/**
 * Issue 16 item 2, for a bot in a channel: a bot cannot read history, so the lost post is looked
 * for with channels.getMessages on the ids after the last message id recorded in that chat (stored
 * with the `sending` mark). The stand-in remembers no random ids, so without that search part 2
 * would be posted twice. The first engine stops while Telegram holds part 2's reply (its message
 * is in the chat); the second, on the same data folder, adopts it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadsOf } from '../../electron/engine/store/uploads';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine } from './helpers';

const params = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let dir: string;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-lost-reply', params), params);
  twitch = await startTwitchStandIn({
    users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
    vods: [{ id: '8101', userId: '1001', title: 'Bot lost', createdAt: '2026-11-22T20:00:00Z', hls }],
  });
  telegram = await startTelegramStandIn({ randomIdMemory: 0 });
  dir = mkdtempSync(join(tmpdir(), 'tvb-lost-bot-'));
}, 120_000);
afterAll(async () => {
  await telegram?.close();
  await twitch?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('a bot post whose reply was lost', () => {
  it('is found by message id and adopted, not posted again', async () => {
    const chat = `-100${telegram.state().chats.find((c) => c.title === 'VOD Archive')!.id}`;
    const settings = standInSettings(twitch, {
      // A pause between posts leaves time to hold part 2's reply once part 1 is in the chat.
      telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 2, postDelaySec: 2, alerts: false },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
      destinations: [{ kind: 'telegram', name: 'Archive', chatId: chat }],
    });
    const secrets = { twitchClientSecret: twitch.clientSecret, telegramBotToken: '123456:STANDIN-BOT-TOKEN' };
    const posts = () => (telegram.state().messages[chat] ?? []).filter((m) => m.media).map((m) => m.text);
    const first = await startTestEngine(settings, secrets, { dir });
    try {
      await expect.poll(() => posts().length, { timeout: 90_000, interval: 50 }).toBe(1);
      telegram.setFault({ kind: 'holdReply', method: 'messages.SendMedia' });
      await expect.poll(() => posts().length, { timeout: 30_000, interval: 50 }).toBe(2);
      expect(uploadsOf(first.engine.db, '8101', 0).map((u) => u.state)).toEqual(['posted', 'sending']);
    } finally {
      await first.stop(); // keeps the data folder: the second engine resumes from it
    }
    telegram.clearFaults();
    const second = await startTestEngine(settings, secrets, { dir });
    try {
      await second.waitForStatus('8101', 'completed', 90_000);
      const total = uploadsOf(second.engine.db, '8101', 0).length;
      expect(posts()).toEqual(Array.from({ length: total }, (_, k) => `Bot lost (22/11/2026) - Part ${k + 1}/${total}`));
      const rows = uploadsOf(second.engine.db, '8101', 0);
      expect(rows[1]!.after_message_id).toBe(rows[0]!.message_id);
    } finally {
      await second.close();
    }
  }, 300_000);
});
