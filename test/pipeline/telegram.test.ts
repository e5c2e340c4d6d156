import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoginStep } from '../../electron/contract/domain';
import { partsOf } from '../../electron/engine/store/parts';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine, type TestEngine } from './helpers';

const params = { durationSec: 24, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let telegram: TelegramStandIn;
let engine: TestEngine;
let channelId: string;
let groupId: string;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-telegram', params), params);
  twitch = await startTwitchStandIn({
    users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
    vods: [{ id: '6001', userId: '1001', title: 'Speedrun & <chat> night 🎉', createdAt: '2026-11-21T20:00:00Z', hls }],
  });
  telegram = await startTelegramStandIn();
  const chats = telegram.state().chats;
  channelId = `-100${chats.find((c) => c.title === 'VOD Archive')!.id}`;
  groupId = `-100${chats.find((c) => c.title === 'VOD Chat')!.id}`;
  engine = await startTestEngine(
    standInSettings(twitch, {
      telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: 4 },
      advanced: {
        twitch: twitch.endpoints,
        lowDiskGuardMB: 0,
        telegramServer: serverSetting(telegram),
      },
      destinations: [
        { kind: 'telegram', name: 'Archive', chatId: channelId },
        { kind: 'telegram', name: 'Backup chat', chatId: groupId },
      ],
    }),
    { twitchClientSecret: twitch.clientSecret },
  );
});

afterAll(async () => {
  await engine?.close();
  await telegram?.close();
  await twitch?.close();
});

describe('pipeline to Telegram through the MTProto stand-in', () => {
  it('holds the queue with "login needed" instead of retrying without a session', async () => {
    await expect.poll(() => engine.engine.status.state, { timeout: 30_000 }).toBe('loginNeeded');
    expect(telegram.state().messages[channelId] ?? []).toHaveLength(0);
  });

  it('logs in step by step: SMS code, a wrong code, the 2FA password with its hint, a wrong password', async () => {
    const steps: LoginStep[] = [];
    engine.engine.bus.subscribe((event, data) => {
      if (event === 'login') steps.push(data as LoginStep);
    });
    expect(await engine.request('telegram.login.start', { method: 'phone', phone: '+15550000002' })).toMatchObject({ step: 'code', via: 'sms' });
    expect(await engine.request('telegram.login.code', { code: '99999' })).toMatchObject({ step: 'code', error: expect.stringMatching(/code/i) });
    expect(await engine.request('telegram.login.code', { code: '22222' })).toMatchObject({ step: 'password', hint: 'the usual' });
    expect(await engine.request('telegram.login.password', { password: 'wrong' })).toMatchObject({ step: 'password', error: expect.any(String) });
    expect(await engine.request('telegram.login.password', { password: 'hunter2' })).toMatchObject({ step: 'done', account: { name: expect.stringContaining('Bob') } });
    expect(steps.map((s) => s.step)).toEqual(['code', 'code', 'password', 'password', 'done']);
    const stored = engine.persistedSecrets.filter((p) => p.telegramSession);
    expect(stored.length).toBeGreaterThan(0);
    // The session went to the host's secret store, never into settings.
    expect(JSON.stringify(engine.engine.settings)).not.toContain(stored[0].telegramSession!.slice(0, 40));
  });

  it('posts every part once to each destination, in order, as streamable video with a thumbnail', async () => {
    await engine.waitForStatus('6001', 'completed', 120_000);
    const parts = partsOf(engine.engine.db, '6001');
    expect(parts.length).toBeGreaterThanOrEqual(2);
    const state = telegram.state();
    for (const chat of [channelId, groupId]) {
      const messages = state.messages[chat] ?? [];
      expect(messages).toHaveLength(parts.length);
      messages.forEach((m, i) => {
        expect(m.text).toBe(`Speedrun & <chat> night 🎉 (21/11/2026) - Part ${i + 1}/${parts.length}`);
        expect(m.media?.video).toMatchObject({ w: 160, h: 90, supportsStreaming: true });
        expect(Math.abs((m.media?.video?.duration ?? 0) - parts[i].duration)).toBeLessThanOrEqual(1);
        expect(m.media?.thumb?.size).toBeGreaterThan(0);
        expect(m.media?.size).toBe(parts[i].bytes);
        expect(m.media?.fileName).toMatch(/\.mp4$/);
      });
    }
    // One upload per part, shared by both destinations.
    expect(state.messages[channelId]!.map((m) => m.media?.documentId)).toEqual(state.messages[groupId]!.map((m) => m.media?.documentId));
  });
});
