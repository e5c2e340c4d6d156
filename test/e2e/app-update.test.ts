import { EventEmitter } from 'node:events';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { defaultSettings } from '../../electron/contract/settings';
import { createAppHandlers } from '../../electron/main/app-actions';
import { createUpdateController, type UpdateController, type UpdaterLike } from '../../electron/main/updater';
import { createLogger } from '../../electron/engine/util/log';
import { installDesktopBridge, type DesktopBridge } from './desktop-bridge';
import { axeViolations, eventually, screenshot, startWorld, type E2eWorld } from './harness';

vi.mock('electron', () => import('../main/electron-mock'));

/**
 * The app's self-update as the user sees it, in desktop mode: the preload's window.api, main's
 * app-call validation and handlers, and main's update controller (main/updater.ts), over an
 * updater that behaves as electron-updater's AppUpdater (out/AppUpdater.js): `checkForUpdates`
 * emits `checking-for-update`, then `update-not-available` or `update-available` and returns a
 * `downloadPromise` when `autoDownload` is on; a failed check emits `error` and rejects; the
 * download emits `download-progress` ({percent, bytesPerSecond}) and then `update-downloaded`.
 * The real download is covered offline by test/main/updater.test.ts; here the test says when.
 */
class ScriptedUpdater extends EventEmitter implements UpdaterLike {
  autoDownload = true;
  autoInstallOnAppQuit = true;
  logger: unknown = null;
  installed = 0;
  /** What the next check finds. */
  next: { fail: string } | { version: string } | 'none' = 'none';
  private finish: (() => void) | undefined;

  override on(event: string, listener: (...args: never[]) => void): this {
    return super.on(event, listener as (...args: unknown[]) => void);
  }

  async checkForUpdates() {
    this.emit('checking-for-update');
    await new Promise((r) => setTimeout(r, 50));
    const next = this.next;
    if (next === 'none') {
      this.emit('update-not-available', { version: '0.1.0' });
      return { downloadPromise: null };
    }
    if ('fail' in next) {
      const err = new Error(next.fail);
      this.emit('error', err, `Cannot check for updates: ${err.message}`);
      throw err;
    }
    this.emit('update-available', { version: next.version });
    const downloadPromise = this.autoDownload ? new Promise<void>((resolve) => (this.finish = resolve)) : null;
    return { downloadPromise };
  }
  progress(percent: number, bytesPerSecond: number) {
    this.emit('download-progress', { percent, bytesPerSecond, transferred: 0, total: 0 });
  }
  downloaded(version: string) {
    this.emit('update-downloaded', { version });
    this.finish?.();
  }
  quitAndInstall() {
    this.installed++;
  }
}

describe('app self-update in the window', () => {
  let world: E2eWorld;
  let bridge: DesktopBridge;
  let updater: ScriptedUpdater;
  let updates: UpdateController;
  /** The engine's answer to "is no upload in flight?" (main asks it over the host channel). */
  let safe = false;

  beforeAll(async () => {
    const settings = defaultSettings();
    settings.vod.autoCheck = false;
    // Settings saved from the window reach the controller (what main should do on `persist.settings`).
    // main reads its own store (settings.get()), saved before the engine applies them.
    let stored = settings;
    world = await startWorld({ settings, onPersistSettings: (next) => ((stored = next), updates.settingsChanged()) });
    const { page } = world;
    updater = new ScriptedUpdater();
    updates = createUpdateController({
      updater,
      enabled: () => stored.app.autoUpdate,
      askSafePoint: async () => safe,
      onStatus: (update) => void bridge?.sendAppEvent({ type: 'update', update }).catch(() => {}),
      log: createLogger('e2e.updates'),
      // Timed checks are not part of this test: the user's "Check for updates" is.
      schedule: () => () => {},
    });
    const handlers = createAppHandlers({
      version: '0.1.0',
      platform: 'linux',
      arch: 'x64',
      packaged: true,
      dataDir: world.dir,
      logFile: '',
      workDir: () => world.dir,
      toolSearch: () => ({}) as never,
      storageInfo: () => ({ backend: 'gnome_libsecret', encrypted: true, warning: null }),
      openPath: async () => '',
      showItemInFolder: () => {},
      folderDestinations: () => [],
      openExternal: () => false,
      getStartAtLogin: () => ({ enabled: false, startHidden: true, supported: true }),
      setStartAtLogin: (enabled, startHidden) => ({ enabled, startHidden, supported: true }),
      describeTools: async () => [],
      updateYtDlp: async () => ({ updated: false, message: 'not in this test', version: null }),
      updateStatus: () => updates.status(),
      checkForUpdates: () => updates.check({ manual: true }),
      quit: () => {},
    });
    bridge = await installDesktopBridge(page, handlers);
    await page.setViewportSize({ width: 1000, height: 800 });
    await page.reload();
    await page.getByTestId('engine-state').waitFor();
  });
  afterAll(async () => {
    updates?.stop();
    await world?.close();
  });

  const openApp = async () => {
    const { page } = world;
    await page.getByRole('tab', { name: /settings|impostazioni/i }).click();
    await page.locator('#section-app').waitFor();
  };
  const card = () => world.page.getByTestId('app-update');

  it('runs the window in desktop mode through the preload API', async () => {
    const { page } = world;
    expect(await page.evaluate(() => typeof window.api?.app.getUpdateStatus)).toBe('function');
    await openApp();
    await eventually(() => card().getAttribute('data-state')).toBe('idle');
    expect(await card().textContent()).toContain('New versions are looked for at start and once a day.');
    expect(world.scriptErrors()).toEqual([]);
  });

  it('follows the automatic-updates switch', async () => {
    const { page, running } = world;
    const toggle = page.locator('#section-app').getByLabel('Check for updates automatically');
    await toggle.uncheck();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await eventually(() => card().getAttribute('data-state')).toBe('disabled');
    expect(running.engine.settings.app.autoUpdate).toBe(false);
    expect(updater.autoDownload).toBe(false);
    expect(await card().textContent()).toContain('Automatic updates are off');
    await toggle.check();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await eventually(() => card().getAttribute('data-state')).toBe('idle');
    expect(updater.autoDownload).toBe(true);
  });

  it('says a failed check calmly, with the cause one click away', async () => {
    updater.next = { fail: 'net::ERR_INTERNET_DISCONNECTED' };
    await card().getByRole('button', { name: 'Check for updates' }).click();
    await eventually(() => card().getAttribute('data-state')).toBe('error');
    expect(await card().textContent()).toContain('Could not look for updates; the app tries again tomorrow.');
    const details = card().locator('details');
    expect(await details.locator('summary').textContent()).toBe('Technical details');
    expect(await details.textContent()).toContain('net::ERR_INTERNET_DISCONNECTED');
  });

  it('downloads with progress, then waits for no upload in flight, in a banner', async () => {
    const { page } = world;
    updater.next = { version: '0.2.0' };
    await card().getByRole('button', { name: 'Check for updates' }).click();
    await eventually(() => card().getAttribute('data-state')).toBe('downloading');
    updater.progress(42.7, 3_500_000);
    await eventually(() => card().textContent()).toContain('42%');
    expect(await axeViolations(page)).toEqual([]);
    expect(await card().textContent()).toContain('Downloading version 0.2.0 in the background…');
    expect(await card().textContent()).toContain('3.34 MiB/s');
    expect(await card().getByRole('progressbar').getAttribute('aria-valuenow')).toBe('42');
    // Checking again while a download runs makes no sense.
    expect(await card().getByRole('button', { name: 'Check for updates' }).isDisabled()).toBe(true);
    expect(await page.getByTestId('update-banner').count()).toBe(0);
    await card().scrollIntoViewIfNeeded();
    await page.locator('#section-app').screenshot({ path: await screenshotPath('update-downloading') });

    safe = false; // an upload is running
    updater.downloaded('0.2.0');
    await eventually(() => card().getAttribute('data-state')).toBe('waiting');
    expect(await page.getByTestId('update-banner').textContent()).toBe('Version 0.2.0 is ready: it installs when no upload is running.');
    expect(updater.installed).toBe(0);
    await screenshot(page, 'update-waiting');
    // The card, its progress and the banner pass axe in both themes (desktop mode shows them only).
    for (const colorScheme of ['dark', 'light'] as const) {
      await page.emulateMedia({ colorScheme });
      expect(await axeViolations(page), colorScheme).toEqual([]);
    }

    // The same, in Italian.
    const next = structuredClone(world.running.engine.settings);
    next.app.language = 'it';
    await world.running.dispatch({ kind: 'request', id: 901, method: 'settings.update', params: { settings: next } });
    await eventually(() => page.getByTestId('update-banner').textContent()).toBe('La versione 0.2.0 è pronta: si installa quando nessun caricamento è in corso.');
    expect(await card().textContent()).toContain('Aggiornamenti dell’app');
    await screenshot(page, 'update-waiting-it');

    // The engine's next status change at a safe point installs it (main: engineStatus -> engineStatusChanged).
    safe = true;
    updates.engineStatusChanged();
    await eventually(() => card().getAttribute('data-state')).toBe('installing');
    expect(updater.installed).toBe(1);
    expect(await page.getByTestId('update-banner').textContent()).toBe('Installazione della versione 0.2.0; l’app si riavvia da sola.');
    expect(world.scriptErrors()).toEqual([]);
  });
});

async function screenshotPath(name: string): Promise<string> {
  const { mkdirSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { SCREENSHOTS } = await import('./harness');
  mkdirSync(SCREENSHOTS, { recursive: true });
  return join(SCREENSHOTS, `${name}.png`);
}
