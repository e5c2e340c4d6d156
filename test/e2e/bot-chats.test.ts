import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../electron/contract/settings';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { axeViolations, eventually, screenshot, startWorld, type E2eWorld } from './harness';

/**
 * A bot account in the wizard's chat picker: Telegram gives bots no dialog list (the engine
 * answers BOT_NO_CHAT_LIST, telegram/gramjs/peers.ts), so the picker says to type the chat id
 * or @username and puts the cursor there, instead of showing a raw error.
 */
describe('the chat picker with a bot account', () => {
  let twitch: TwitchStandIn;
  let telegram: TelegramStandIn;
  let world: E2eWorld;
  let folder: string;

  beforeAll(async () => {
    twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }], vods: [] });
    telegram = await startTelegramStandIn();
    folder = mkdtempSync(join(tmpdir(), 'tvb-e2e-bot-'));
    const parsed = parseSettings({
      twitch: { clientId: twitch.clientId, channels: [{ channel: 'streamer' }] },
      telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH },
      destinations: [{ kind: 'folder', name: 'NAS', path: folder }],
      vod: { autoCheck: false },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    world = await startWorld({ settings: parsed.settings, secrets: { twitchClientSecret: twitch.clientSecret } });
    await world.page.getByTestId('engine-state').waitFor();
  });
  afterAll(async () => {
    await world?.close();
    await telegram?.close();
    await twitch?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('logs in as a bot, and the picker asks for the chat by id or @username', async () => {
    const { page } = world;
    await page.getByRole('tab', { name: 'Accounts' }).click();
    await page.getByRole('button', { name: 'Log in to Telegram' }).click();
    await page.locator('input[name="login-method"][value="bot"]').check();
    // The stand-in's seeded bot (test/fakes/telegram/state.ts).
    await page.locator('#tg-bot').fill('123456:STANDIN-BOT-TOKEN');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    // The account shown is the stand-in's bot.
    await page.getByText('Backup Bot').first().waitFor();

    await page.getByRole('button', { name: 'Run the setup again' }).click();
    const wizard = page.locator('section.wizard');
    await page.getByRole('button', { name: 'Test + Continue' }).click();
    await eventually(() => wizard.getAttribute('data-step')).toBe('channels');
    await page.getByRole('button', { name: 'Find channels' }).click();
    await page.locator('[data-channel="streamer"]').waitFor();
    await wizard.getByRole('button', { name: 'Continue' }).click();
    await eventually(() => wizard.getAttribute('data-step')).toBe('scope');
    await wizard.getByRole('button', { name: 'Continue' }).click();
    await eventually(() => wizard.getAttribute('data-step')).toBe('telegram');
    await wizard.getByRole('button', { name: 'Continue' }).click();
    await eventually(() => wizard.getAttribute('data-step')).toBe('destinations');

    const hint = page.getByTestId('chat-list-hint');
    await hint.waitFor();
    expect(await hint.textContent()).toBe('A bot cannot list its chats. Type the chat id (-100…) or @username below; the bot must be an administrator there.');
    expect(await page.getByTestId('wizard-error').count()).toBe(0);
    await eventually(() => page.evaluate(() => document.activeElement?.id)).toBe('wz-manual-chat');
    await screenshot(page, 'wizard-bot-chats');
    for (const colorScheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page), colorScheme).toEqual([]);
    }
    expect(world.scriptErrors()).toEqual([]);
  });
});
