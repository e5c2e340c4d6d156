import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../electron/contract/settings';
import { partsOf } from '../../electron/engine/store/parts';
import { hlsCacheDir, makeHlsVod } from '../fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { eventually, screenshot, startWorld, type E2eWorld } from './harness';

/**
 * First run in a real browser against a real engine and both stand-ins: the wizard (Twitch test,
 * channel lookup, Telegram login with a wrong code and a 2FA password, chat pick, part size), then
 * the first check carries the VOD through download, parts and posting to completion in the queue.
 */
const media = { durationSec: 24, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };

describe('first-run wizard to a posted VOD', () => {
  let twitch: TwitchStandIn;
  let telegram: TelegramStandIn;
  let world: E2eWorld;

  beforeAll(async () => {
    const hls = await makeHlsVod(hlsCacheDir('e2e-wizard', media), media);
    twitch = await startTwitchStandIn({
      users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
      vods: [{ id: '7001', userId: '1001', title: 'Wizard night', createdAt: '2026-11-21T20:00:00Z', hls }],
    });
    telegram = await startTelegramStandIn();
    // Only what a user could not type in the wizard: where the stand-ins are, and quick retries.
    const parsed = parseSettings({
      advanced: {
        twitch: twitch.endpoints,
        lowDiskGuardMB: 0,
        telegramServer: serverSetting(telegram),
      },
      split: { minFileSizeMB: 0, mergeThresholdMB: 0 },
      telegram: { postDelaySec: 0 },
      vod: { minRetryDelaySec: 1, maxRetryDelaySec: 2 },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    world = await startWorld({ settings: parsed.settings });
  });

  afterEach(async (ctx) => {
    // A failing step leaves a picture of the page behind for the reader.
    if (ctx.task.result?.state === 'fail' && world) await screenshot(world.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await world?.close();
    await telegram?.close();
    await twitch?.close();
  });

  it('walks the wizard: Twitch, channels, Telegram login with a wrong code and a 2FA password, chats, part size', async () => {
    const { page, running } = world;
    const wizard = page.locator('section.wizard');
    await wizard.waitFor();
    expect(await wizard.getAttribute('data-step')).toBe('twitch');

    await page.getByLabel('Client ID').fill(twitch.clientId);
    // A secret Twitch refuses is tested before it is stored, and never kept.
    await page.getByLabel(/Client Secret/).fill('not-the-secret');
    await page.getByRole('button', { name: 'Test + Continue' }).click();
    await eventually(() => page.getByTestId('wizard-error').textContent()).toContain('Twitch refused');
    expect(running.engine.secrets.twitchClientSecret).toBeUndefined();
    expect(await wizard.getAttribute('data-step')).toBe('twitch');
    expect(await page.getByText('not set', { exact: true }).count()).toBe(1);
    await page.getByLabel(/Client Secret/).fill(twitch.clientSecret);
    await screenshot(page, 'wizard-1-twitch');
    await page.getByRole('button', { name: 'Test + Continue' }).click();
    await eventually(() => wizard.getAttribute('data-step')).toBe('channels');
    expect(running.engine.secrets.twitchClientSecret).toBe(twitch.clientSecret);

    await page.getByLabel(/Twitch channel names/).fill('streamer, nobody_here');
    await page.getByRole('button', { name: 'Find channels' }).click();
    await page.locator('[data-channel="streamer"]').waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('nobody_here');
    await screenshot(page, 'wizard-2-channels');
    await page.getByRole('button', { name: 'Continue' }).click();
    await eventually(() => wizard.getAttribute('data-step')).toBe('scope');
    expect(running.engine.settings.twitch.channels.map((c) => c.channel)).toEqual(['streamer']);

    // What to back up: new broadcasts by default; the others say what they mean before the first check.
    expect(await page.getByRole('radio', { name: 'New broadcasts from now on' }).isChecked()).toBe(true);
    expect(await page.getByTestId('scope-preview').textContent()).toContain('the next broadcast will be the first');
    await page.getByRole('radio', { name: 'Everything Twitch still has' }).check();
    await eventually(() => page.getByTestId('scope-preview').textContent()).toMatch(/^1 VOD, 0\.0 h, about [\d.]+ MiB$/);
    await screenshot(page, 'wizard-what-to-back-up');
    await page.getByRole('button', { name: 'Continue' }).click();
    await eventually(() => wizard.getAttribute('data-step')).toBe('telegram');
    expect(running.engine.settings.twitch.channels[0].backup?.mode).toBe('all');
    // One Continue at a time on the Telegram step.
    expect(await page.getByRole('button', { name: 'Continue' }).count()).toBe(0);

    await page.getByLabel('api_id').fill(String(STANDIN_API_ID));
    await page.getByLabel('api_hash').fill(STANDIN_API_HASH);
    await page.getByRole('button', { name: 'Log in to Telegram' }).click();
    const login = page.getByTestId('telegram-login');
    // The QR code is drawn from the login URL the engine gives; cancelling goes back to the choice.
    await page.getByRole('radio', { name: 'QR code' }).check();
    await page.getByRole('button', { name: 'QR code' }).click();
    await eventually(() => login.getAttribute('data-step')).toBe('qr');
    await eventually(() => page.getByRole('img', { name: 'QR code' }).getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await screenshot(page, 'wizard-3-qr');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await eventually(() => login.getAttribute('data-step')).not.toBe('qr');
    await page.getByRole('radio', { name: 'Phone number' }).check();
    await page.getByLabel('Phone number (international form)').fill('+1 555 000 0002');
    await page.getByRole('button', { name: 'Send code' }).click();
    await eventually(() => login.getAttribute('data-step')).toBe('code');
    expect(await login.textContent()).toContain('by SMS');

    await page.getByLabel('Login code').fill('99999');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await eventually(() => page.getByTestId('login-error').textContent()).toMatch(/code/i);
    await screenshot(page, 'wizard-3-wrong-code');
    await page.getByLabel('Login code').fill('22222');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await eventually(() => login.getAttribute('data-step')).toBe('password');
    expect(await login.textContent()).toContain('Hint: the usual');

    await page.getByLabel('Two-step verification password').fill('wrong');
    await page.getByRole('button', { name: 'Confirm password' }).click();
    await page.getByTestId('login-error').waitFor();
    await screenshot(page, 'wizard-4-wrong-password');
    await page.getByLabel('Two-step verification password').fill('hunter2');
    await page.getByRole('button', { name: 'Confirm password' }).click();
    await eventually(() => page.getByTestId('login-done').textContent()).toContain('Bob');
    expect(running.engine.secrets.telegramSession).toBeTruthy();
    expect(await page.content()).not.toContain('hunter2');

    await page.getByRole('button', { name: 'Continue' }).last().click();
    await eventually(() => wizard.getAttribute('data-step')).toBe('destinations');
    const archive = telegram.state().chats.find((c) => c.title === 'VOD Archive')!;
    await page.getByRole('checkbox', { name: /VOD Archive/ }).check();
    expect(await page.getByRole('checkbox', { name: /Read Only News/ }).count()).toBe(0);
    await screenshot(page, 'wizard-5-destinations');
    await page.getByRole('button', { name: 'Continue' }).click();
    await eventually(() => wizard.getAttribute('data-step')).toBe('parts');
    // Nothing starts before the part size is chosen: the destinations complete the settings.
    expect(running.engine.settings.destinations).toEqual([]);

    expect(await page.getByTestId('premium').textContent()).toContain('no Telegram Premium');
    // No part size fixed from the account: Premium stays "ask Telegram" unless forced.
    expect(await page.getByLabel('Telegram Premium').inputValue()).toBe('auto');
    expect(await page.getByLabel('Largest part (MB)').inputValue()).toBe('4194');
    // Small parts so this short VOD makes several.
    await page.getByLabel('Largest part (MB)').fill('2');
    await page.getByRole('button', { name: 'Finish and start the first check' }).click();
    await page.getByTestId('wizard-done').waitFor();
    expect(running.engine.settings.split.maxFileSizeMB).toBe(2);
    expect(running.engine.settings.telegram.premium).toBe('auto');
    expect(running.engine.settings.destinations).toEqual([{ kind: 'telegram', name: 'VOD Archive', chatId: `-100${archive.id}` }]);
    await screenshot(page, 'wizard-6-done');
  });

  it('shows the first VOD in the queue with live progress until every part is posted', async () => {
    const { page, running } = world;
    // Record every state the card shows, so fast stages are not missed between polls.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __seen: string[] }).__seen = seen;
      new MutationObserver(() => {
        const card = document.querySelector('[data-vod="7001"]');
        if (card) seen.push(card.textContent ?? '');
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Queue' }).click();
    const card = page.locator('[data-vod="7001"]');
    await card.waitFor({ timeout: 60_000 });
    await expect.poll(() => card.getAttribute('data-status'), { timeout: 90_000, interval: 250 }).toBe('completed');
    await screenshot(page, 'queue-completed');

    const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
    expect(seen.some((t) => /Downloading/.test(t))).toBe(true);
    expect(seen.some((t) => /\d+\/\d+ segments/.test(t))).toBe(true);
    expect(seen.some((t) => /(Uploading|Posting|Building) part \d+ of \d+/.test(t))).toBe(true);

    const parts = partsOf(running.engine.db, '7001');
    expect(parts.length).toBeGreaterThanOrEqual(2);
    await eventually(() => card.locator('[data-part]').count()).toBe(parts.length);
    // Every part posted, with a link to its message in the public channel (in the finished card's details).
    await card.getByText(/^Parts and posts/).click();
    const links = await card.getByRole('link', { name: /VOD Archive ✓ \(Open message\)/ }).evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toHaveLength(parts.length);
    for (const link of links) expect(link).toMatch(/^https:\/\/t\.me\/vod_archive\/\d+$/);
    const archive = telegram.state().chats.find((c) => c.title === 'VOD Archive')!;
    expect(telegram.state().messages[`-100${archive.id}`]).toHaveLength(parts.length);
  });

  it('shows the account under Accounts, logs out, rejects a malformed bot token, and logs in a Premium account', async () => {
    const { page, running } = world;
    await page.getByRole('tab', { name: 'Accounts' }).click();
    await eventually(() => page.getByTestId('tg-account').textContent()).toContain('Bob');
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByText('Not logged in.').waitFor();
    expect(running.engine.account).toBeNull();

    await page.getByRole('button', { name: 'Log in to Telegram' }).click();
    await page.getByRole('radio', { name: 'Bot token' }).check();
    await page.getByLabel('Bot token from @BotFather').fill('not-a-token');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await eventually(() => page.getByTestId('login-request-error').textContent()).toContain('must be a bot token from @BotFather');

    await page.getByRole('radio', { name: 'Phone number' }).check();
    await page.getByLabel('Phone number (international form)').fill('+15550000003');
    await page.getByRole('button', { name: 'Send code' }).click();
    await page.getByLabel('Login code').fill('33333');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await eventually(() => page.getByTestId('tg-account').textContent()).toContain('Carol');
    expect(await page.locator('.badge', { hasText: 'Premium' }).count()).toBe(1);
    await screenshot(page, 'accounts-premium');
  });

  it('refuses to save a Telegram destination the logged-in account cannot post in', async () => {
    const { page, running } = world;
    await page.getByRole('tab', { name: 'Settings' }).click();
    const before = running.engine.settings.destinations.length;
    await page.getByRole('button', { name: 'Add: Telegram chat' }).click();
    const row = page.locator('.dest').nth(before);
    await row.getByLabel('Name', { exact: true }).fill('Not mine');
    await row.getByLabel('Chat id or @username').fill('-1009999999999');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await eventually(() => page.getByTestId('save-error').textContent()).toContain('Fix the fields');
    expect(await row.textContent()).toContain('cannot post in this chat');
    expect(running.engine.settings.destinations).toHaveLength(before);
  });
});
