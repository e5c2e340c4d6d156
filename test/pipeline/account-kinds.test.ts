/**
 * Every Telegram account kind (user, bot, Premium user) runs the whole path in the engine against
 * the stand-ins: a VOD posted to a channel by -100… id, to a channel by @username, and into a forum
 * topic. A bot cannot list its chats (messages.getDialogs is for users), so it must resolve ids and
 * usernames the way bots may; peers are cached in SQLite by their real id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Secrets } from '../../electron/contract/settings';
import { TelegramService } from '../../electron/engine/core/telegram-service';
import { partsOf } from '../../electron/engine/store/parts';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine } from './helpers';

const params = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let archiveId: string;
let forumId: string;
let publicId: string;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-account-kinds', params), params);
  twitch = await startTwitchStandIn({
    users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
    vods: [{ id: '6101', userId: '1001', title: 'Kinds night', createdAt: '2026-11-21T20:00:00Z', hls }],
  });
  telegram = await startTelegramStandIn();
  telegram.addChat({ kind: 'channel', title: 'VOD Public', username: 'vod_public' });
  const chats = telegram.state().chats;
  archiveId = `-100${chats.find((c) => c.title === 'VOD Archive')!.id}`;
  forumId = `-100${chats.find((c) => c.title === 'VOD Forum')!.id}`;
  publicId = `-100${chats.find((c) => c.title === 'VOD Public')!.id}`;
});

afterAll(async () => {
  await telegram?.close();
  await twitch?.close();
});

function settings() {
  return standInSettings(twitch, {
    telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 2 },
    advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
    destinations: [
      { kind: 'telegram', name: 'By id', chatId: archiveId },
      { kind: 'telegram', name: 'By name', chatId: '@VOD_Public' },
      { kind: 'telegram', name: 'Topic', chatId: forumId, topicId: 2 },
    ],
  });
}

const kinds: Array<{ kind: string; premium: boolean; secrets: () => Promise<Partial<Secrets>> }> = [
  { kind: 'user', premium: false, secrets: async () => ({ telegramSession: await standInSession(settings(), '+15550000001', '12345') }) },
  { kind: 'bot', premium: false, secrets: async () => ({ telegramBotToken: '123456:STANDIN-BOT-TOKEN' }) },
  { kind: 'Premium user', premium: true, secrets: async () => ({ telegramSession: await standInSession(settings(), '+15550000003', '33333') }) },
];

describe('every account kind posts a VOD by -100… id, by @username and into a forum topic', () => {
  it.each(kinds)(
    '$kind',
    async ({ kind, premium, secrets }) => {
      const before = telegram.state().messages;
      const count = (chat: string) => before[chat]?.length ?? 0;
      const start = { archive: count(archiveId), pub: count(publicId), forum: count(forumId) };
      const engine = await startTestEngine(settings(), { twitchClientSecret: twitch.clientSecret, ...(await secrets()) });
      try {
        await engine.waitForStatus('6101', 'completed', 120_000);
        expect(engine.engine.account).toMatchObject({ bot: kind === 'bot', premium });
        const parts = partsOf(engine.engine.db, '6101');
        expect(parts.length).toBeGreaterThanOrEqual(2);
        const state = telegram.state();
        const self = state.users.find((u) => u.id === Number(engine.engine.account!.id))!;
        const added = (chat: string, from: number) => (state.messages[chat] ?? []).slice(from);
        for (const [chat, from] of [
          [archiveId, start.archive],
          [publicId, start.pub],
          [forumId, start.forum],
        ] as const) {
          const messages = added(chat, from);
          expect(messages.map((m) => m.text)).toEqual(parts.map((_, i) => `Kinds night (21/11/2026) - Part ${i + 1}/${parts.length}`));
          for (const m of messages) expect(m.fromUserId).toBe(self.id);
          messages.forEach((m, i) => expect(m.media?.size).toBe(parts[i]!.bytes));
        }
        expect(added(forumId, start.forum).every((m) => m.topicId === 2)).toBe(true);
        // Peers are stored under their real ids only (an "@name" row once broke the second post).
        const rows = engine.engine.db.prepare(`SELECT id, username FROM tg_peers`).all() as Array<{ id: string; username: string | null }>;
        expect(rows.filter((r) => !/^-?\d+$/.test(r.id))).toEqual([]);
        expect(rows.find((r) => r.id === publicId)).toMatchObject({ username: 'vod_public' });
        if (kind === 'bot') expect(telegram.stats().unhandled).toEqual([]);

        // What settings.update is to report: the account's right to post in each destination.
        const service = new TelegramService(engine.engine);
        try {
          const readOnly = `-100${state.chats.find((c) => c.title === 'Read Only News')!.id}`;
          const checks = await service.checkDestinations([{ chat: archiveId }, { chat: '@vod_public' }, { chat: forumId, topicId: 2 }, { chat: readOnly }]);
          expect(checks.map((c) => [c.title, c.canPost])).toEqual([
            ['VOD Archive', true],
            ['VOD Public', true],
            ['VOD Forum', true],
            ['Read Only News', false],
          ]);
          expect(checks[3]!.reason).toMatch(/only admins with "Post messages"/);
          const problems = await service.destinationProblems([
            ...engine.engine.settings.destinations,
            { kind: 'telegram', name: 'News', chatId: readOnly },
            { kind: 'folder', name: 'Disk', path: engine.dir },
          ]);
          expect(problems).toEqual([{ path: 'destinations.3.chatId', message: expect.stringMatching(/^This account cannot post in News: only admins with "Post messages"/) }]);
        } finally {
          await service.close();
        }
      } finally {
        await engine.close();
      }
    },
    240_000,
  );
});

describe('switching accounts on the same engine', () => {
  it("a bot that replaces a user posts again: the user's access hashes are not reused", async () => {
    const session = await standInSession(settings(), '+15550000001', '12345');
    const engine = await startTestEngine(settings(), { twitchClientSecret: twitch.clientSecret, telegramSession: session });
    try {
      await engine.waitForStatus('6101', 'completed', 120_000);
      const rows = () => engine.engine.db.prepare(`SELECT id, access_hash FROM tg_peers WHERE id = ?`).get(archiveId) as { access_hash: string } | undefined;
      const userHash = rows()?.access_hash;
      expect(userHash).toBeDefined();
      await engine.request('telegram.logout');
      expect(await engine.request('telegram.login.start', { method: 'bot', token: '123456:STANDIN-BOT-TOKEN' })).toMatchObject({ step: 'done', account: { bot: true } });
      const botId = telegram.state().users.find((u) => u.bot)!.id;
      const byBot = (chat: string) => (telegram.state().messages[chat] ?? []).filter((m) => m.fromUserId === botId && m.text.startsWith('Kinds night'));
      const before = { archive: byBot(archiveId).length, pub: byBot(publicId).length, forum: byBot(forumId).length };
      const generation = getVod(engine.engine.db, '6101')!.generation;
      await engine.request('vod.repost', { vodId: '6101' });
      await expect.poll(() => getVod(engine.engine.db, '6101')?.generation, { timeout: 30_000 }).toBe(generation + 1);
      await engine.waitForStatus('6101', 'completed', 120_000);
      const parts = partsOf(engine.engine.db, '6101').length;
      expect([byBot(archiveId).length - before.archive, byBot(publicId).length - before.pub, byBot(forumId).length - before.forum]).toEqual([parts, parts, parts]);
      expect(rows()?.access_hash).not.toBe(userHash);
    } finally {
      await engine.close();
    }
  }, 240_000);
});
