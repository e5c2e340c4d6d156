import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../electron/contract/settings';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { axeViolations, eventually, screenshot, startWorld, type E2eWorld } from './harness';

/**
 * A configured channel that Twitch does not know (renamed, deleted): the real discovery pass
 * against the Twitch stand-in reports it, and the window says so where the user looks: the header
 * (needs attention), a notice that opens Settings, and the line beside that channel.
 */
describe('a channel that cannot be checked', () => {
  let twitch: TwitchStandIn;
  let world: E2eWorld;
  let folder: string;

  beforeAll(async () => {
    twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }], vods: [] });
    folder = mkdtempSync(join(tmpdir(), 'tvb-e2e-chan-'));
    const parsed = parseSettings({
      twitch: { clientId: twitch.clientId, channels: [{ channel: 'streamer' }] },
      destinations: [{ kind: 'folder', name: 'NAS', path: folder }],
      vod: { autoCheck: false },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0 },
    });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    world = await startWorld({ settings: parsed.settings, secrets: { twitchClientSecret: twitch.clientSecret }, locale: 'it-IT' });
    await world.page.getByTestId('engine-state').waitFor();
  });
  afterAll(async () => {
    await world?.close();
    await twitch?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('needs attention in the header, tells in a notice that opens Settings, and marks the channel there (Italian)', async () => {
    const { page } = world;
    await eventually(() => page.getByTestId('engine-state').getAttribute('data-kind')).toBe('idle');
    // The user adds a channel that no longer exists on Twitch, and checks.
    const next = structuredClone(world.running.engine.settings);
    next.twitch.channels.push({ channel: 'renamed_away', destinations: [], liveMode: 'postWhileLive' });
    await world.running.dispatch({ kind: 'request', id: 801, method: 'settings.update', params: { settings: next } });
    await page.getByRole('button', { name: 'Controlla ora' }).click();
    await eventually(() => page.getByTestId('engine-state').getAttribute('data-kind')).toBe('attention');
    expect(await page.getByTestId('engine-state').textContent()).toContain('Serve attenzione: Controllo dei canali non riuscito');
    const notice = page.locator('.notice', { hasText: 'Un canale non può essere controllato: renamed_away' });
    await notice.waitFor();
    await notice.getByRole('button', { name: 'Apri le impostazioni' }).click();
    await page.locator('#section-twitch').waitFor();
    expect(await notice.count()).toBe(0);
    const marks = page.getByTestId('channel-problem');
    expect(await marks.count()).toBe(1);
    // Beside the channel it is about, not beside the one that works.
    expect(await page.locator('.item', { has: marks }).locator('input#ch-1').inputValue()).toBe('renamed_away');
    expect(await marks.textContent()).toMatch(/^Non controllato all’ultimo controllo: .*renamed_away/);
    await screenshot(page, 'settings-channel-problem-it');
    for (const colorScheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page), colorScheme).toEqual([]);
    }
    expect(world.scriptErrors()).toEqual([]);
  });
});
