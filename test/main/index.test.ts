/**
 * The wiring in electron/main/index.ts, end to end against the Electron stand-in: start-up,
 * engine init and ports, status -> tray, notices -> notifications, secrets persisted encrypted,
 * crash -> notification, close-to-tray, second launch, tray actions over main's own port, quit.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EventEmitter } from 'node:events';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { APP_CHANNEL, APP_EVENT_CHANNEL, ENGINE_PORT_CHANNEL } from '../../electron/contract/app';
import { vodRowFixture } from '../fakes/vod-row';

vi.mock('electron', () => import('./electron-mock'));
/** electron-log's main instance: what main writes to the one log file, by scope and level. */
const written = vi.hoisted(() => [] as Array<{ scope: string; level: string; text: string }>);
vi.mock('electron-log/main', () => ({
  default: {
    transports: { file: {}, console: {} },
    errorHandler: { startCatching: vi.fn() },
    scope: (scope: string) => Object.fromEntries(['debug', 'info', 'warn', 'error'].map((level) => [level, (text: string) => written.push({ scope, level, text })])),
  },
}));
/** electron-updater's platform updater (its own logic is exercised in test/main/updater.test.ts). */
const updater = vi.hoisted(() => ({ current: undefined as undefined | (EventEmitter & { quitAndInstall: ReturnType<typeof vi.fn> }) }));
vi.mock('electron-updater', async () => {
  const { EventEmitter } = await import('node:events');
  const autoUpdater = Object.assign(new EventEmitter(), {
    autoDownload: true,
    autoInstallOnAppQuit: true,
    logger: null,
    checkForUpdates: vi.fn(async () => null),
    quitAndInstall: vi.fn(),
  });
  updater.current = autoUpdater;
  return { autoUpdater };
});
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
const status = (state: string, summary = '') => ({ type: 'status', status: { state, message: null, nextCheckAt: null, diskFreeBytes: null }, summary });

describe('main process wiring', () => {
  it('starts the engine with settings, secrets and paths, and shows the window', () => {
    expect(electron.utilityProcess.forked).toHaveLength(1);
    expect(engine().modulePath).toBe(join(tmp, 'app', 'dist-electron', 'engine', 'index.js'));
    engine().emit('spawn');
    const init = engine().posted[0]!.message as { type: string; settings: { version: number }; secrets: object; paths: object };
    expect(init.type).toBe('init');
    expect(init.settings.version).toBe(2);
    expect(init.secrets).toEqual({});
    // No log file of the engine's own: its lines come to main (see the log test below).
    expect(init.paths).toEqual({ dataDir: join(tmp, 'userData'), logFile: '', resourcesDir: join(tmp, 'app', 'resources') });
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
    event(
      'vod',
      vodRowFixture({
        channelName: 'a',
        title: 'Stream',
        status: 'processing',
        stage: 'downloading',
        download: { bytes: 1, segmentsDone: 4, segmentsTotal: 10, speedBps: 1, etaSec: 1 },
      }),
    );
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

  it("engine log lines go into main's one log file", () => {
    engine().emit('message', { type: 'log', line: { time: new Date().toISOString(), level: 'warn', scope: 'scheduler', message: 'a line from the engine' } });
    expect(written).toContainEqual({ scope: 'scheduler', level: 'warn', text: 'a line from the engine' });
  });

  it('a downloaded app update waits while the engine works and installs once the engine says it is safe', async () => {
    const u = updater.current!;
    const events = () =>
      win.webContents.sent
        .filter((m) => m.channel === APP_EVENT_CHANNEL && (m.message as { type: string }).type === 'update')
        .map((m) => (m.message as { update: { state: string } }).update.state);
    u.emit('update-available', { version: '0.2.0' });
    u.emit('download-progress', { percent: 50, bytesPerSecond: 1000 });
    u.emit('update-downloaded', { version: '0.2.0' });
    const asks = () => engine().posted.filter((p) => (p.message as { type: string }).type === 'safePoint.request').length;
    await vi.waitFor(() => expect(asks()).toBe(1));
    engine().emit('message', { type: 'safePoint', safe: false, reason: 'working' });
    await new Promise((r) => setTimeout(r, 20));
    expect(u.quitAndInstall).not.toHaveBeenCalled();
    // The engine's next status change: asked again, now it is idle.
    engine().emit('message', status('idle'));
    await vi.waitFor(() => expect(asks()).toBe(2));
    engine().emit('message', { type: 'safePoint', safe: true, reason: 'idle' });
    await vi.waitFor(() => expect(u.quitAndInstall).toHaveBeenCalledWith(true, true));
    expect(events()).toEqual(expect.arrayContaining(['downloading', 'waiting', 'installing']));
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
