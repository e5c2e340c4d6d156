import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../electron/contract/settings';
import { hlsCacheDir, makeHlsVod } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { eventually, screenshot, startWorld, type E2eWorld } from './harness';

/**
 * A subscriber-only VOD with a stale playback token, on the real path: the engine asks the Twitch
 * stand-in's GQL with the token (401), again without it, usher refuses (403
 * vod_manifest_restricted), the VOD fails for good as `playback_token_rejected`, and its card
 * says what to do (a fresh auth-token in Accounts), in both languages, the engine's text one
 * click away.
 */
describe('a sub-only VOD with a stale playback token', () => {
  let twitch: TwitchStandIn;
  let world: E2eWorld;
  let folder: string;

  beforeAll(async () => {
    const media = { durationSec: 8, segmentSec: 2, width: 160, height: 90, videoKbps: 400 };
    const hls = await makeHlsVod(hlsCacheDir('e2e-sub-only', media), media);
    twitch = await startTwitchStandIn({
      users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
      vods: [{ id: '7301', userId: '1001', title: 'Subscribers night', createdAt: '2026-11-21T20:00:00Z', hls, subOnly: true }],
    });
    folder = mkdtempSync(join(tmpdir(), 'tvb-e2e-sub-'));
    const parsed = parseSettings({
      twitch: { clientId: twitch.clientId, channels: [{ channel: 'streamer' }] },
      destinations: [{ kind: 'folder', name: 'NAS', path: folder }],
      vod: { autoCheck: false },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0 },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    world = await startWorld({ settings: parsed.settings, secrets: { twitchClientSecret: twitch.clientSecret, twitchPlaybackToken: 'a-logged-out-auth-token' } });
    await world.page.getByTestId('engine-state').waitFor();
  });
  afterAll(async () => {
    await world?.close();
    await twitch?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('tells to copy a fresh auth-token into Accounts', async () => {
    const { page } = world;
    await page.getByRole('button', { name: 'Check now' }).click();
    const card = page.locator('[data-vod="7301"]');
    await card.waitFor();
    await eventually(() => card.textContent()).toContain('Copy a fresh auth-token cookie into Accounts > Twitch playback token, then press Retry now.');
    expect(await card.locator('details code').textContent()).toMatch(/rejected the playback token/);
    expect(await page.getByTestId('engine-state').getAttribute('data-kind')).toBe('attention');
    await screenshot(page, 'queue-sub-only-token-rejected');

    const next = structuredClone(world.running.engine.settings);
    next.app.language = 'it';
    await world.running.dispatch({ kind: 'request', id: 701, method: 'settings.update', params: { settings: next } });
    await eventually(() => card.textContent()).toContain('Copia un cookie auth-token nuovo in Account > Token di riproduzione Twitch, poi premi Riprova ora.');
    expect(world.scriptErrors()).toEqual([]);
  });
});
