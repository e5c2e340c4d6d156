/**
 * A channel discovery cannot check is sent as an alert to the Telegram alert chat (issue 16
 * item 5), once per new problem: the engine in-process against the Twitch and Telegram stand-ins.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine } from './helpers';

let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let archiveId: string;

beforeAll(async () => {
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }] });
  telegram = await startTelegramStandIn();
  archiveId = `-100${telegram.state().chats.find((c) => c.title === 'VOD Archive')!.id}`;
});

afterAll(async () => {
  await telegram?.close();
  await twitch?.close();
});

it('sends each new channel problem to the alert chat once, not at every pass', async () => {
  const settings = standInSettings(twitch, {
    twitch: { clientId: twitch.clientId, channels: [{ channel: 'streamer' }, { channel: 'renamed_away' }] },
    telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, alerts: true },
    advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
    destinations: [{ kind: 'telegram', name: 'Archive', chatId: archiveId }],
  });
  const session = await standInSession(settings);
  const engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session });
  try {
    const alerts = () => (telegram.state().messages[archiveId] ?? []).filter((m) => m.text.includes('renamed_away'));
    await expect.poll(() => alerts().length, { timeout: 60_000 }).toBe(1);
    expect(alerts()[0].text).toMatch(/could not be checked[\s\S]*no channel "renamed_away"/);
    const listings = () => twitch.stats.requests['GET /helix/videos'] ?? 0;
    const before = listings();
    await engine.request('queue.checkNow');
    await expect.poll(listings, { timeout: 30_000 }).toBeGreaterThan(before);
    await new Promise((r) => setTimeout(r, 500));
    expect(alerts()).toHaveLength(1);
  } finally {
    await engine.close();
  }
}, 120_000);
