import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultSettings, type Settings } from '../../electron/contract/settings';
import { contentSecurityPolicy } from '../../electron/main/security';
import { insertPlannedPart, updatePart } from '../../electron/engine/store/parts';
import { ensureUploads, markPosted } from '../../electron/engine/store/uploads';
import { insertVod, updateVod } from '../../electron/engine/store/vods';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS, eventually, screenshot, startWorld, type E2eWorld } from './harness';

/**
 * Browser mode against a real engine: settings validated inline and applied live, the queue
 * rendered from the snapshot and kept current by engine events, history, logs, keyboard use.
 * (The wizard and the queue-to-completion flow run in their own files against the stand-ins.)
 */
function readySettings(folder: string): Settings {
  const s = defaultSettings();
  s.twitch.clientId = 'e2e-client';
  s.twitch.channels = [{ channel: 'alice', destinations: [], liveMode: 'postWhileLive' }];
  s.destinations = [{ kind: 'folder', name: 'NAS', path: folder }];
  return s;
}

describe('browser mode: settings, queue, history, logs', () => {
  let world: E2eWorld;
  let folder: string;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'tvb-e2e-folder-'));
    world = await startWorld({ settings: readySettings(folder), secrets: { twitchClientSecret: 'e2e-secret-value' } });
    await world.page.getByTestId('engine-state').waitFor();
  });

  afterEach(async (ctx) => {
    // A failing step leaves a picture of the page behind for the reader.
    if (ctx.task.result?.state === 'fail' && world) await screenshot(world.page, `failed-${ctx.task.name.slice(0, 40).replace(/\W+/g, '-')}`);
  });

  afterAll(async () => {
    await world?.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('shows validation errors inline, refuses to save them, then applies a valid change without restart', async () => {
    const { page, running, host } = world;
    await page.getByRole('tab', { name: 'Settings' }).click();
    // Settings by intent: the retry knobs are under "Schedule and limits", the legacy split knobs under "Advanced".
    const view = (name: string) => page.getByRole('button', { name, exact: true }).click();

    const retries = page.getByLabel('Retries before failing');
    const smallest = page.getByLabel('Smallest part');
    await view('Schedule and limits');
    await retries.fill('lots');
    await eventually(() => page.locator('#f-vod-maxRetries-err').textContent()).toBe('Retries before failing must be a number.');
    expect(await retries.getAttribute('aria-invalid')).toBe('true');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await eventually(() => page.getByTestId('save-error').textContent()).toContain('Fix the fields');
    await retries.fill('7');
    // Rules across fields (the schema's refinements) once every field has a valid shape.
    await view('Advanced');
    await smallest.fill('5000');
    await eventually(() => page.locator('#f-split-minFileSizeMB-err').textContent()).toBe('Smallest part: must be below Largest part (4194).');
    await screenshot(page, 'settings-invalid');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await eventually(() => page.getByTestId('save-error').textContent()).toContain('Fix the fields');
    expect(host.persistedSettings).toHaveLength(0);
    expect(running.engine.settings.vod.maxRetries).toBe(5);

    await smallest.fill('1000');
    await view('Schedule and limits');
    await retries.fill('7');
    await eventually(() => page.locator('#f-vod-maxRetries-err').count()).toBe(0);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('saved').waitFor();
    // Applied live in the running engine and handed to the host to persist.
    expect(running.engine.settings.vod.maxRetries).toBe(7);
    expect(running.engine.settings.split.minFileSizeMB).toBe(1000);
    expect(host.persistedSettings.at(-1)?.vod.maxRetries).toBe(7);
  });

  it('marks readiness problems the engine reports and switches language live', async () => {
    const { page, running } = world;
    await page.getByRole('button', { name: 'Basics', exact: true }).click();
    await page.getByRole('button', { name: 'Remove alice' }).click();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByTestId('saved').waitFor();
    await eventually(() => page.getByRole('status').filter({ hasText: 'Still needed before the first run' }).textContent()).toContain(
      'Twitch channels: needs at least one Twitch channel',
    );
    // The banner names the field by its label, not its path.
    expect(await page.getByTestId('banner').textContent()).toBe('Still needed: Twitch channels');
    expect(running.engine.status.state).toBe('setupNeeded');
    // ...and by the field it concerns.
    expect(await page.locator('#section-twitch').getByRole('alert').textContent()).toContain('needs at least one Twitch channel');

    // Put the channel back through the form, and switch to Italian.
    await page.getByRole('button', { name: 'Add', exact: true }).first().click();
    await page.getByLabel('Channel 1').fill('alice');
    await page.getByLabel('Language').selectOption('it');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('tab', { name: 'Impostazioni' }).waitFor();
    expect(running.engine.settings.app.language).toBe('it');
    expect(running.engine.status.state).not.toBe('setupNeeded');
    await screenshot(page, 'settings-it');

    await page.getByLabel('Lingua').selectOption('en');
    await page.getByRole('button', { name: 'Salva', exact: true }).click();
    await page.getByRole('tab', { name: 'Settings' }).waitFor();
  });

  it('renders the queue from the snapshot and follows download and part events live', async () => {
    const { page, running } = world;
    const { engine } = running;
    const now = Date.now();
    insertVod(engine.db, {
      id: '9001',
      channel_id: '1',
      channel_name: 'alice',
      title: 'Speedrun marathon day 1',
      created_at: new Date(now - 3 * 3600_000).toISOString(),
      duration: 2 * 3600 + 5 * 60 + 9,
      duration_str: '2h5m9s',
      status: 'processing',
      url: 'https://www.twitch.tv/videos/9001',
      thumbnail_url: '',
    });
    updateVod(engine.db, '9001', { stage: 'downloading' });
    insertVod(engine.db, {
      id: '9002',
      channel_id: '1',
      channel_name: 'alice',
      title: 'Chill stream',
      created_at: new Date(now - 30 * 3600_000).toISOString(),
      duration: 3600,
      duration_str: '1h',
      status: 'pending',
      url: 'https://www.twitch.tv/videos/9002',
      thumbnail_url: '',
    });
    updateVod(engine.db, '9002', { last_error: 'usher answered 503', error_class: 'transient', retries: 1, next_retry: new Date(now + 300_000).toISOString() });

    // A reload fetches the snapshot: both VODs, the working one first.
    await page.reload();
    await page.getByRole('tab', { name: 'Queue' }).click();
    const working = page.locator('[data-vod="9001"]');
    await working.waitFor();
    expect(await page.locator('article[data-vod]').evaluateAll((els) => els.map((e) => e.getAttribute('data-vod')))).toEqual(['9001', '9002']);
    expect(await working.textContent()).toContain('2:05:09');
    const waiting = page.locator('[data-vod="9002"]');
    // In words first; the raw text one click away.
    expect(await waiting.getByRole('alert').textContent()).toContain('A temporary problem; it will be tried again by itself.');
    expect(await waiting.getByRole('alert').locator('details').textContent()).toContain('usher answered 503');
    expect(await waiting.getByTestId('vod-status').textContent()).toBe('Waiting to retry');
    expect(await waiting.textContent()).toMatch(/next retry in [45]:\d\d/);

    // Live events: download progress, then a part built and uploading, then posted.
    engine.bus.emit('download.progress', { vodId: '9001', progress: { bytes: 123_400_000, segmentsDone: 30, segmentsTotal: 60, speedBps: 8_200_000, etaSec: 15 } });
    await eventually(() => working.getByTestId('download-stats').textContent()).toMatch(/50%.*30\/60 segments.*118 MiB.*7\.82 MiB\/s.*ETA 0:15/s);
    insertPlannedPart(engine.db, '9001', { index: 1, firstUnit: 0, lastUnit: 29, bytes: 120_000_000, startSec: 0, durationSec: 300 });
    engine.bus.emit('part.progress', {
      vodId: '9001',
      part: {
        index: 1,
        bytes: 120_000_000,
        durationSec: 300,
        build: 'done',
        upload: 'active',
        uploadProgress: 0.4,
        uploadSpeedBps: 5_000_000,
        posts: [{ destinationId: 'dir:x', destinationName: 'NAS', state: 'pending' }],
      },
    });
    const part = working.locator('[data-part="1"]');
    await eventually(() => part.textContent()).toMatch(/Part 1.*114 MiB.*5:00.*Build: done.*40%.*4\.77 MiB\/s.*NAS: removed from settings/s);
    await screenshot(page, 'queue-live');

    // The whole row again from the store (what the pipeline publishes after each step).
    updatePart(engine.db, '9001', 1, { state: 'posted', bytes: 119_000_000 });
    ensureUploads(engine.db, '9001', 0, 1, [`dir:${folder}`]);
    markPosted(engine.db, { vodId: '9001', generation: 0, partIdx: 1, destination: `dir:${folder}` }, null, '/nas/part1.mp4');
    updateVod(engine.db, '9001', { status: 'completed', stage: 'done', parts_total: 1 });
    engine.publishVod('9001');
    await eventually(() => working.getByTestId('vod-status').textContent()).toContain('Backed up');
    expect(await part.textContent()).toMatch(/100%.*NAS ✓/s);
    expect(await working.getByRole('button', { name: 'Skip' }).count()).toBe(0);
  });

  it('lists finished VODs in History with search, and the tabs work from the keyboard', async () => {
    const { page } = world;
    await page.getByRole('tab', { name: 'Queue' }).focus();
    await page.keyboard.press('ArrowRight');
    await eventually(() => page.getByRole('tab', { name: 'History' }).getAttribute('aria-selected')).toBe('true');
    const row = page.locator('tr[data-vod="9001"]');
    await row.waitFor();
    await page.getByLabel('Search title, channel or id').fill('chill');
    await eventually(() => row.count()).toBe(0);
    await page.getByLabel('Search title, channel or id').fill('marathon');
    await row.waitFor();
    expect(await row.textContent()).toContain('Completed');
    await screenshot(page, 'history');

    await page.keyboard.press('Shift+Tab');
    await page.getByRole('tab', { name: 'History' }).focus();
    await page.keyboard.press('ArrowRight');
    await eventually(() => page.getByRole('tab', { name: 'Settings' }).getAttribute('aria-selected')).toBe('true');
  });

  it('shows the log tail and the Accounts page without ever showing the client secret', async () => {
    const { page } = world;
    await page.getByRole('tab', { name: 'Logs' }).click();
    await page.getByLabel('Level').selectOption('debug');
    await eventually(() => page.getByRole('log').textContent()).toMatch(/engine|database/);
    await screenshot(page, 'logs');

    await page.getByRole('tab', { name: 'Accounts' }).click();
    expect(await page.getByTestId('secret-state').textContent()).toContain('set');
    expect(await page.getByLabel(/Client Secret/).inputValue()).toBe('');
    expect(await page.content()).not.toContain('e2e-secret-value');
    await screenshot(page, 'accounts');
    // The wizard can be re-entered from here, prefilled with the current settings.
    await page.getByRole('button', { name: 'Run the setup again' }).click();
    await page.getByRole('heading', { name: 'First-run setup' }).waitFor();
    expect(await page.getByLabel('Client ID').inputValue()).toBe('e2e-client');
    await page.getByRole('button', { name: 'Close setup' }).click();
    await page.getByRole('tab', { name: 'Queue', selected: true }).waitFor();
    expect(world.pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
  });

  it('imports the legacy config.json: a summary first, then the import, secrets kept out of the page', async () => {
    const { page, running, host } = world;
    const legacy = {
      TWITCH_CLIENT_ID: 'legacy-client-id',
      TWITCH_CLIENT_SECRET: 'legacy-secret-never-shown',
      TWITCH_CHANNEL_ID: 'legacy_streamer',
      TELEGRAM_API_ID: 12345,
      TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
      TELEGRAM_CHANNELS: [{ id: '-1001234567890', name: 'Old archive' }],
      VOD_SETTINGS: { MAX_RETRIES: 9, PHRASE_IN_THUMBNAIL_URL: ['404_processing'] },
      SPLIT_SETTINGS: { MAX_FILE_SIZE_MB: 1900, MIN_FILE_SIZE_MB: 1500 },
      SOMETHING_ELSE: true,
    };
    await page.getByRole('tab', { name: 'Settings' }).click();
    await page.getByRole('button', { name: 'Import from the legacy tool' }).click();
    await page.getByLabel("The legacy tool's config.json").setInputFiles({ name: 'config.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(legacy)) });
    await page.getByRole('button', { name: 'Show what will be imported' }).click();
    const summary = page.getByTestId('import-summary');
    await summary.waitFor();
    expect(await summary.textContent()).toMatch(/legacy_streamer.*Old archive.*twitchClientSecret.*SOMETHING_ELSE/s);
    expect(running.engine.settings.twitch.clientId).toBe('e2e-client');
    await screenshot(page, 'settings-import');

    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await eventually(() => summary.textContent()).toContain('Imported.');
    expect(running.engine.settings.twitch.clientId).toBe('legacy-client-id');
    expect(running.engine.settings.vod.maxRetries).toBe(9);
    expect(running.engine.secrets.twitchClientSecret).toBe('legacy-secret-never-shown');
    expect(host.persistedSecrets.some((p) => p.patch.twitchClientSecret === 'legacy-secret-never-shown')).toBe(true);
    // The form follows the engine's new settings.
    await page.getByRole('button', { name: 'Schedule and limits', exact: true }).click();
    await eventually(() => page.getByLabel('Retries before failing').inputValue()).toBe('9');
    expect(await page.content()).not.toContain('legacy-secret-never-shown');
  });

  it('gives every control a name on every page, and follows a dark OS theme', async () => {
    const { page } = world;
    const unnamed = () =>
      page.locator('input, select, textarea, button, [role="tab"], a[href]').evaluateAll((els) =>
        els
          .filter((el) => {
            const e = el as HTMLInputElement;
            if (e.type === 'hidden' || e.closest('[hidden]')) return false;
            const named =
              (e.labels && e.labels.length > 0) ||
              e.getAttribute('aria-label') ||
              e.getAttribute('aria-labelledby') ||
              (['BUTTON', 'A'].includes(e.tagName) && (e.textContent ?? '').trim() !== '');
            return !named;
          })
          .map((el) => el.outerHTML.slice(0, 120)),
      );
    for (const tab of ['Queue', 'History', 'Settings', 'Logs', 'Accounts']) {
      await page.getByRole('tab', { name: tab }).click();
      if (tab === 'Settings') {
        for (const view of ['Basics', 'Schedule and limits', 'Advanced']) {
          await page.getByRole('button', { name: view, exact: true }).click();
          if (view === 'Advanced') await page.locator('#section-advanced summary').click();
          expect(await unnamed(), view).toEqual([]);
        }
      }
      expect(await unnamed(), tab).toEqual([]);
    }

    const dark = await world.browser.newContext({ colorScheme: 'dark', viewport: { width: 1280, height: 860 } });
    try {
      const darkPage = await dark.newPage();
      await darkPage.goto(world.server.url);
      await darkPage.locator('[data-vod="9001"]').waitFor();
      const bg = await darkPage.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
      const [r, g, b] = bg.match(/\d+/g)!.map(Number);
      expect(r + g + b).toBeLessThan(150);
      await screenshot(darkPage, 'queue-dark');
    } finally {
      await dark.close();
    }
  });

  it("runs under the desktop app's Content-Security-Policy without a violation", async () => {
    // Responses fulfilled by the test look non-local to Chromium, which would then refuse the
    // loopback WebSocket (Local Network Access); a browser without that check sees only the CSP.
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, '--disable-features=LocalNetworkAccessChecks'] });
    const dark = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    try {
      const csp = contentSecurityPolicy();
      await dark.route('**/*', async (route) => {
        const response = await route.fetch();
        await route.fulfill({ response, headers: { ...response.headers(), 'content-security-policy': csp } });
      });
      await dark.addInitScript(() => {
        const seen: string[] = [];
        (window as unknown as { __csp: string[] }).__csp = seen;
        document.addEventListener('securitypolicyviolation', (e) => seen.push(`${e.violatedDirective} ${e.blockedURI}`));
      });
      const page = await dark.newPage();
      const messages: string[] = [];
      page.on('console', (m) => messages.push(m.text()));
      await page.goto(world.server.url);
      await page
        .getByTestId('engine-state')
        .waitFor()
        .catch((e: Error) => {
          throw new Error(`${e.message}\nconsole: ${messages.join('\n')}`);
        });
      for (const tab of ['History', 'Settings', 'Logs', 'Accounts']) await page.getByRole('tab', { name: tab }).click();
      await page.getByRole('tab', { name: 'Queue' }).click();
      await page.getByRole('tab', { name: 'History' }).click();
      await page.getByRole('cell').first().waitFor();
      expect(await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp)).toEqual([]);
      expect(messages.filter((m) => /Content Security Policy/i.test(m))).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
