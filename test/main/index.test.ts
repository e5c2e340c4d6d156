/**
 * The wiring in electron/main/index.ts, end to end against the Electron stand-in: start-up,
 * engine init and ports, status -> tray, notices -> notifications, secrets persisted encrypted,
 * crash -> notification, close-to-tray, second launch, tray actions over main's own port, quit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { APP_CHANNEL, APP_EVENT_CHANNEL, ENGINE_PORT_CHANNEL } from '../../electron/contract/app';

vi.mock('electron', () => import('./electron-mock'));
vi.mock('electron-log/main', () => ({
  default: { transports: { file: {}, console: {} }, errorHandler: { startCatching: vi.fn() } },
}));
vi.mock('electron-store', () => {
  /** In-memory electron-store: get/set/onDidChange, as the shell uses it. */
  class Store<T extends Record<string, unknown>> {
    data: Record<string, unknown>;
    constructor(options: { defaults?: T } = {}) {
      this.data = { ...(options.defaults ?? {}) };
    }
    get(key: string) {
      return this.data[key];
    }
    set(key: string, value: unknown) {
      this.data[key] = value;
    }
    onDidChange() {
      return () => undefined;
    }
  }
  return { default: Store };
});

const electron = await import('./electron-mock');
const tmp = mkdtempSync(join(tmpdir(), 'tvb-index-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
electron.app.paths = { userData: join(tmp, 'userData'), logs: join(tmp, 'logs') };
electron.app.appPath = join(tmp, 'app');
const savedXdg = process.env.XDG_CONFIG_HOME;
process.env.XDG_CONFIG_HOME = join(tmp, 'xdg');
afterAll(() => {
  if (savedXdg === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = savedXdg;
});

await import('../../electron/main/index');
await vi.waitFor(() => expect(electron.BrowserWindow.created).toHaveLength(1));
const win = electron.BrowserWindow.created[0]!;
const tray = electron.Tray.created[0]!;
const engine = () => electron.utilityProcess.forked.at(-1)!;

describe('main process wiring', () => {
  it('starts the engine with settings, secrets and paths, and shows the window', () => {
    expect(electron.utilityProcess.forked).toHaveLength(1);
    expect(engine().modulePath).toBe(join(tmp, 'app', 'dist-electron', 'engine', 'index.js'));
    engine().emit('spawn');
    const init = engine().posted[0]!.message as { type: string; settings: { version: number }; secrets: object; paths: object };
    expect(init.type).toBe('init');
    expect(init.settings.version).toBe(1);
    expect(init.secrets).toEqual({});
    expect(init.paths).toEqual({ dataDir: join(tmp, 'userData'), logFile: join(tmp, 'logs', 'twitch-vod-backup.log'), resourcesDir: join(tmp, 'app', 'resources') });
    expect((win.options.webPreferences as { preload: string }).preload).toBe(join(tmp, 'app', 'dist-electron', 'preload', 'index.cjs'));
    win.emit('ready-to-show');
    expect(win.show).toHaveBeenCalled();
  });

  it('gives the loaded renderer and the tray their ports once the engine is ready', () => {
    win.webContents.emit('did-finish-load');
    expect(win.webContents.sent.filter((m) => m.channel === ENGINE_PORT_CHANNEL)).toHaveLength(0);
    engine().emit('message', { type: 'ready' });
    expect(win.webContents.sent.filter((m) => m.channel === ENGINE_PORT_CHANNEL)).toHaveLength(1);
    expect(engine().posted.filter((p) => (p.message as { type: string }).type === 'port')).toHaveLength(2);
  });

  it('tray Check now goes to the engine over the port main keeps for itself', () => {
    const menu = tray.menus.at(-1)!.items;
    (menu.find((i) => i.id === 'checkNow')!.click as () => void)();
    const trayPort = electron.MessageChannelMain.created.map((c) => c.port2).find((p) => p.started)!;
    expect(trayPort.posted.at(-1)).toMatchObject({ kind: 'request', method: 'queue.checkNow' });
  });

  it('the tray and the taskbar follow the engine events through the status model', async () => {
    const trayPort = electron.MessageChannelMain.created.map((c) => c.port2).find((p) => p.started)!;
    const event = (name: string, data: unknown) => trayPort.emit('message', { data: { kind: 'event', event: name, data } });
    event('status', { state: 'working', message: null, nextCheckAt: null, diskFreeBytes: null });
    event('vod', {
      id: '1', channelId: '1', channelName: 'a', title: 'Stream', createdAt: '2026-01-01T00:00:00Z', durationSec: 60, url: '', thumbnailUrl: '',
      status: 'processing', stage: 'downloading', retries: 0, nextRetryAt: null, lastError: null, errorClass: null,
      download: { bytes: 1, segmentsDone: 4, segmentsTotal: 10, speedBps: 1, etaSec: 1 }, parts: [], partsTotal: null, updatedAt: '2026-01-01T00:00:00Z',
    });
    await vi.waitFor(() => expect(tray.tooltip).toBe('Twitch VOD Backup: Working · 18% done'));
    expect((tray.image as { path: string }).path).toMatch(/tray-working\.png$/);
    expect(win.progress.at(-1)?.mode).toBe('normal');
    expect(win.progress.at(-1)?.value).toBeCloseTo(0.18);
  });

  it('a VOD notice shows a notification whose click opens that VOD', () => {
    electron.Notification.shown.length = 0;
    engine().emit('message', { type: 'notice', notice: { kind: 'vodCompleted', title: 'Backed up', body: '3 parts', vodId: '99' } });
    expect(electron.Notification.shown).toHaveLength(1);
    electron.Notification.shown[0]!.emit('click');
    expect(win.webContents.sent.at(-1)).toEqual({ channel: APP_EVENT_CHANNEL, message: { type: 'openVod', vodId: '99' } });
  });

  it('secrets from the engine are stored encrypted, never in plain text', () => {
    const session = '1AAbbCCddEEff-session-string-that-is-secret';
    engine().emit('message', { type: 'persist.secrets', patch: { telegramSession: session }, remove: [] });
    const file = readFileSync(join(tmp, 'userData', 'secrets.json'), 'utf8');
    expect(file).not.toContain(session);
    expect(file).not.toContain(Buffer.from(session).toString('base64'));
    expect(JSON.parse(file).format).toBe('safeStorage');
  });

  it('settings from the engine turn on the Linux autostart entry', () => {
    const init = electron.utilityProcess.forked[0]!.posted[0]!.message as { settings: { app: object } };
    const next = { ...init.settings, app: { ...init.settings.app, startAtLogin: true, startHidden: true } };
    engine().emit('message', { type: 'persist.settings', settings: next });
    if (process.platform === 'linux') {
      expect(readFileSync(join(tmp, 'xdg', 'autostart', 'twitch-vod-backup.desktop'), 'utf8')).toContain('--hidden');
    }
  });

  it('an engine crash notifies once per streak, marks the tray, and restarts with the saved secrets', async () => {
    electron.Notification.shown.length = 0;
    engine().crash(1);
    expect(electron.Notification.shown.map((n) => n.options.title)).toEqual(['Twitch VOD Backup restarted its engine']);
    expect((tray.image as { path: string }).path).toMatch(/tray-attention\.png$/);
    // The real 1 s backoff timer restarts it.
    await vi.waitFor(() => expect(electron.utilityProcess.forked).toHaveLength(2), { timeout: 10_000 });
    engine().emit('spawn');
    expect((engine().posted[0]!.message as { secrets: object }).secrets).toEqual({ telegramSession: '1AAbbCCddEEff-session-string-that-is-secret' });
    engine().emit('message', { type: 'ready' });
    // The renderer gets a port to the new engine.
    expect(win.webContents.sent.filter((m) => m.channel === ENGINE_PORT_CHANNEL)).toHaveLength(2);
    // A second crash soon after is part of the same streak: no second notification.
    engine().crash(1);
    expect(electron.Notification.shown).toHaveLength(1);
    await vi.waitFor(() => expect(electron.utilityProcess.forked).toHaveLength(3), { timeout: 10_000 });
    engine().emit('spawn');
    engine().emit('message', { type: 'ready' });
  });

  it('the app channel answers our window and rejects anyone else', async () => {
    const handle = electron.ipcMain.handlers.get(APP_CHANNEL)!;
    const ours = (await handle({ senderFrame: win.webContents.mainFrame }, { method: 'getStartAtLogin', params: {} })) as { ok: boolean };
    expect(ours.ok).toBe(true);
    const foreign = (await handle({ senderFrame: { url: 'app://renderer/index.html', parent: null } }, { method: 'quit', params: {} })) as { ok: boolean };
    expect(foreign).toEqual({ ok: false, error: 'Rejected.' });
  });

  it('closing hides to the tray with a one-time notice; a second launch brings the window back', () => {
    electron.Notification.shown.length = 0;
    const close = () => {
      const event = { preventDefault: vi.fn() };
      win.emit('close', event);
      return event;
    };
    expect(close().preventDefault).toHaveBeenCalled();
    expect(close().preventDefault).toHaveBeenCalled();
    expect(electron.Notification.shown.map((n) => n.options.title)).toEqual(['Still running']);
    expect(win.visible).toBe(false);
    electron.app.emit('second-instance', {}, ['tvb']);
    expect(win.visible).toBe(true);
    expect(win.focus).toHaveBeenCalled();
  });

  it('quitting stops the engine cleanly before the app exits', async () => {
    electron.app.emit('before-quit');
    const event = { preventDefault: vi.fn() };
    electron.app.emit('will-quit', event);
    expect(event.preventDefault).toHaveBeenCalled();
    expect(engine().posted.at(-1)!.message).toEqual({ type: 'shutdown' });
    expect(electron.app.quit).not.toHaveBeenCalled();
    engine().emit('exit', 0);
    await vi.waitFor(() => expect(electron.app.quit).toHaveBeenCalledTimes(1));
    expect(tray.destroy).toHaveBeenCalled();
    // Closing now really closes.
    const close = { preventDefault: vi.fn() };
    win.emit('close', close);
    expect(close.preventDefault).not.toHaveBeenCalled();
  });
});
