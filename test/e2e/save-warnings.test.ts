import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../electron/contract/settings';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { axeViolations, screenshot, startWorld, type E2eWorld } from './harness';

/**
 * PENDING (not run: `.pending.ts`): passes once settings.update answers `warnings` (INTDELIVER's
 * engine/core/queries/destination-warnings.ts); rename to `.test.ts` after that merge.
 *
 * Saving a Telegram destination the account cannot post in: the stand-in's bot is a plain member
 * of "Read Only News" (posting in a channel needs the post_messages admin right,
 * core.telegram.org/api/rights). The save goes through, and the warning is shown under that
 * destination, in words, with the engine's sentence one click away.
 */
describe('warnings on save', () => {
  let twitch: TwitchStandIn;
  let telegram: TelegramStandIn;
  let world: E2eWorld;
  let folder: string;

  beforeAll(async () => {
    twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }], vods: [] });
    telegram = await startTelegramStandIn();
    folder = mkdtempSync(join(tmpdir(), 'tvb-e2e-warn-'));
    const parsed = parseSettings({
      twitch: { clientId: twitch.clientId, channels: [{ channel: 'streamer' }] },
      telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, alerts: false },
      destinations: [{ kind: 'folder', name: 'NAS', path: folder }],
      vod: { autoCheck: false },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    world = await startWorld({ settings: parsed.settings, secrets: { twitchClientSecret: twitch.clientSecret, telegramBotToken: '123456:STANDIN-BOT-TOKEN' } });
    await world.page.getByTestId('engine-state').waitFor();
  });
  afterAll(async () => {
    await world?.close();
    await telegram?.close();
    await twitch?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('saves, and marks the destination the bot cannot post in', async () => {
    const { page } = world;
    const news = `-100${telegram.state().chats.find((c) => c.title === 'Read Only News')!.id}`;
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Add: Telegram chat' }).click();
    const row = page.locator('#section-destinations .dest').last();
    await row.getByLabel('Name', { exact: true }).fill('News');
    await row.getByLabel('Chat id or @username', { exact: true }).fill(news);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    const warning = page.getByTestId('dest-warning');
    await warning.waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('saved').textContent()).toBe('Saved and applied, with warnings: see the fields marked in amber.');
    expect(await warning.getAttribute('data-path')).toBe('destinations.1.chatId');
    expect(await warning.textContent()).toContain('The Telegram account cannot post in this chat');
    expect(await warning.locator('details').textContent()).toMatch(/This account cannot post in News: /);
    expect(world.running.engine.settings.destinations).toHaveLength(2);
    await screenshot(page, 'settings-save-warning');
    expect(await axeViolations(page)).toEqual([]);
  });
});
