import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { contentSecurityPolicy, isAllowedExternalUrl, resolveAppFile } from '../../electron/main/security';

vi.mock('electron', () => import('./electron-mock'));
const electron = await import('./electron-mock');
const win = await import('../../electron/main/window');

const preload = '/app/dist-electron/preload/index.cjs';
const tmp = mkdtempSync(join(tmpdir(), 'tvb-window-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

beforeEach(() => {
  electron.BrowserWindow.created.length = 0;
  electron.shell.openExternal.mockClear();
});

describe('main window security', () => {
  it('creates the window with isolation, sandbox, no Node and the preload', () => {
    win.createMainWindow({ preload, show: true });
    const w = electron.BrowserWindow.created[0]!;
    const prefs = w.options.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    expect(w.webContents.loadURL).toHaveBeenCalledWith('app://renderer/index.html');
    // Shown only when ready (and only when not starting hidden).
    expect(w.show).not.toHaveBeenCalled();
    w.emit('ready-to-show');
    expect(w.show).toHaveBeenCalledTimes(1);
    win.createMainWindow({ preload, show: false });
    electron.BrowserWindow.created[1]!.emit('ready-to-show');
    expect(electron.BrowserWindow.created[1]!.show).not.toHaveBeenCalled();
  });

  it('blocks navigation away from the app and sends only allowlisted links to the browser', () => {
    win.createMainWindow({ preload, show: true });
    const contents = electron.BrowserWindow.created[0]!.webContents;
    const navigate = (url: string) => {
      const event = { preventDefault: vi.fn() };
      contents.emit('will-navigate', event, url);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(navigate('app://renderer/index.html#/history')).toBe(false);
    expect(navigate('https://evil.example/phish')).toBe(true);
    expect(navigate('file:///etc/passwd')).toBe(true);
    expect(navigate('https://www.twitch.tv/videos/1')).toBe(true); // blocked in-app, opened outside
    expect(electron.shell.openExternal).toHaveBeenCalledTimes(1);
    expect(electron.shell.openExternal).toHaveBeenCalledWith('https://www.twitch.tv/videos/1');

    const redirect = { preventDefault: vi.fn() };
    contents.emit('will-redirect', redirect, 'http://127.0.0.1:9/x');
    expect(redirect.preventDefault).toHaveBeenCalled();
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });

  it('denies every window.open, opening allowlisted https links externally', () => {
    win.createMainWindow({ preload, show: true });
    const handler = electron.BrowserWindow.created[0]!.webContents.windowOpenHandler!;
    expect(handler({ url: 'https://t.me/somechannel' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'http://t.me/insecure' })).toEqual({ action: 'deny' });
    expect(handler({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(electron.shell.openExternal.mock.calls.map((c) => c[0])).toEqual(['https://t.me/somechannel']);
  });

  it('allows only https links to known hosts', () => {
    expect(isAllowedExternalUrl('https://dev.twitch.tv/console/apps')).toBe(true);
    expect(isAllowedExternalUrl('https://my.telegram.org/apps')).toBe(true);
    expect(isAllowedExternalUrl('https://twitch.tv.evil.example/')).toBe(false);
    expect(isAllowedExternalUrl('https://user:pw@t.me/')).toBe(false);
    expect(isAllowedExternalUrl('https://t.me:8443/')).toBe(false);
    expect(isAllowedExternalUrl('file:///C:/Windows/system32/calc.exe')).toBe(false);
    expect(isAllowedExternalUrl('not a url')).toBe(false);
  });

  it('has a CSP without remote or inline code', () => {
    const csp = contentSecurityPolicy();
    const script = csp.split('; ').find((d) => d.startsWith('script-src'))!;
    expect(script).toBe("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-eval/);
    expect(csp).toContain("object-src 'none'");
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp.split('; ').find((d) => d.startsWith('connect-src'))).toBe("connect-src 'self'");
    // The dev server is allowed only when given.
    expect(contentSecurityPolicy({ devServer: 'http://localhost:5173/' })).toContain('ws://localhost:5173');
  });

  it('serves only files inside the renderer folder, with the CSP header', async () => {
    const dir = join(tmp, 'renderer');
    mkdirSync(join(dir, 'assets'), { recursive: true });
    writeFileSync(join(dir, 'index.html'), '<!doctype html><p>hi</p>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    writeFileSync(join(tmp, 'secret.txt'), 'outside');
    expect(resolveAppFile(dir, 'app://renderer/')).toBe(join(dir, 'index.html'));
    expect(resolveAppFile(dir, 'app://renderer/assets/app.js')).toBe(join(dir, 'assets', 'app.js'));
    // The URL parser folds "..": whatever comes out must stay inside the renderer folder.
    for (const evil of ['../secret.txt', '%2e%2e/secret.txt', '..%2f..%2fsecret.txt', 'assets/..%2f..%2fsecret.txt', '%2e%2e%5csecret.txt', '..%00/x']) {
      const file = resolveAppFile(dir, `app://renderer/${evil}`);
      expect(file === undefined || file.startsWith(join(dir, '/')), `${evil} -> ${file}`).toBe(true);
    }
    expect(resolveAppFile(dir, 'app://renderer/assets/..%2f..%2fsecret.txt')).toBeUndefined();
    expect(resolveAppFile(dir, 'app://other/index.html')).toBeUndefined();
    expect(resolveAppFile(dir, 'https://renderer/index.html')).toBeUndefined();

    win.serveRenderer(dir);
    const handler = electron.protocol.handlers.get('app')!;
    const ok = await handler({ url: 'app://renderer/index.html' });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(ok.headers.get('content-type')).toContain('text/html');
    expect(await ok.text()).toContain('hi');
    expect((await handler({ url: 'app://renderer/assets/..%2f..%2fsecret.txt' })).status).toBe(404);
    expect((await handler({ url: 'app://renderer/missing.js' })).status).toBe(404);
  });

  it('denies permission requests except clipboard writes', () => {
    win.hardenSession();
    const ses = electron.session.defaultSession;
    const answer = (permission: string) => {
      let granted: boolean | undefined;
      ses.permissionHandler!(null, permission, (ok) => (granted = ok));
      return granted;
    };
    expect(answer('media')).toBe(false);
    expect(answer('geolocation')).toBe(false);
    expect(answer('openExternal')).toBe(false);
    expect(answer('clipboard-sanitized-write')).toBe(true);
    expect(ses.checkHandler!(null, 'notifications')).toBe(false);
  });

  it('closing the window hides it to the tray and tells the user once', () => {
    win.createMainWindow({ preload, show: true });
    const w = electron.BrowserWindow.created[0]!;
    let notified = false;
    let quitting = false;
    const onFirstHide = vi.fn(() => (notified = true));
    win.closeToTray(w as never, { isQuitting: () => quitting, alreadyNotified: () => notified, onFirstHide });
    const close = () => {
      const event = { preventDefault: vi.fn() };
      w.emit('close', event);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(close()).toBe(true);
    expect(close()).toBe(true);
    expect(w.hide).toHaveBeenCalledTimes(2);
    expect(onFirstHide).toHaveBeenCalledTimes(1);
    quitting = true;
    expect(close()).toBe(false);
  });
});

describe('hardenWebContents', () => {
  it('attaches its handlers once even when called twice (window + web-contents-created)', () => {
    const contents = new electron.FakeWebContents();
    win.hardenWebContents(contents as never);
    win.hardenWebContents(contents as never);
    expect(contents.listenerCount('will-navigate')).toBe(1);
    const event = { preventDefault: vi.fn() };
    contents.emit('will-navigate', event, 'https://t.me/x');
    expect(electron.shell.openExternal).toHaveBeenCalledTimes(1);
  });
});

describe('window bounds and quitting', () => {
  const screen = [{ x: 0, y: 0, width: 1920, height: 1040 }];
  it('restores saved bounds only where the window can still be reached, clamped to the screen and the minimum', () => {
    expect(win.fitBounds({ x: 100, y: 80, width: 1000, height: 700 }, screen)).toEqual({ x: 100, y: 80, width: 1000, height: 700 });
    // The monitor it was on is gone.
    expect(win.fitBounds({ x: 2500, y: 80, width: 1000, height: 700 }, screen)).toBeUndefined();
    expect(win.fitBounds({ x: 10, y: 10, width: 300, height: 5000 }, screen)).toEqual({ x: 10, y: 10, width: 760, height: 1040 });
    expect(win.fitBounds({ x: 'a' } as never, screen)).toBeUndefined();
    expect(win.fitBounds(undefined, screen)).toBeUndefined();
  });

  it('saves the normal bounds after a move, once, and on close', async () => {
    const w = win.createMainWindow({ preload, show: true, bounds: { x: 5, y: 6, width: 900, height: 700 } });
    const fake = electron.BrowserWindow.created.at(-1)!;
    expect(fake.options).toMatchObject({ x: 5, y: 6, width: 900, height: 700, minWidth: 760 });
    const saved: unknown[] = [];
    win.rememberBounds(w, (b) => saved.push(b));
    fake.emit('move');
    fake.emit('resize');
    await vi.waitFor(() => expect(saved).toHaveLength(1));
    fake.emit('close', { preventDefault() {} });
    expect(saved).toEqual([fake.normalBounds, fake.normalBounds]);
  });

  it('asks before quitting while a VOD is worked on, and quits only on yes', () => {
    const facts = { active: 1, waiting: 0, failed: 0, nextRetryAt: null, progress: 0.5 };
    expect(win.shouldAskBeforeQuit({ kind: 'working', reason: null, retryAt: null, progress: 0.5, facts })).toBe(true);
    expect(win.shouldAskBeforeQuit({ kind: 'idle', reason: null, retryAt: null, progress: null, facts: { ...facts, active: 0 } })).toBe(false);
    electron.dialog.answer = 1;
    expect(win.confirmQuit(undefined, 'it')).toBe(false);
    expect(electron.dialog.asked.at(-1)).toMatchObject({ buttons: ['Esci', 'Continua'], cancelId: 1 });
    electron.dialog.answer = 0;
    expect(win.confirmQuit(undefined, 'en')).toBe(true);
  });
});

describe('failure badge', () => {
  const facts = { active: 0, waiting: 0, failed: 2, nextRetryAt: null, progress: null };
  it('counts what needs the user: failed VODs, or one for a held queue or a login', () => {
    expect(win.attentionCount({ kind: 'attention', reason: 'vodFailed', retryAt: null, progress: null, facts })).toBe(2);
    expect(win.attentionCount({ kind: 'attention', reason: 'loginNeeded', retryAt: null, progress: null, facts: { ...facts, failed: 0 } })).toBe(1);
    expect(win.attentionCount({ kind: 'working', reason: null, retryAt: null, progress: 0.1, facts })).toBe(0);
  });

  it('overlays the taskbar button on Windows and sets the badge count elsewhere, and clears both', () => {
    const w = win.createMainWindow({ preload, show: true });
    const fake = electron.BrowserWindow.created.at(-1)!;
    win.showFailureBadge(w, 2, { platform: 'win32', overlayIcon: '/tray/tray-attention.png', description: 'Needs attention' });
    win.showFailureBadge(w, 0, { platform: 'win32', overlayIcon: '/tray/tray-attention.png', description: 'Needs attention' });
    expect(fake.overlays).toEqual([
      { icon: expect.objectContaining({ path: '/tray/tray-attention.png' }), description: 'Needs attention' },
      { icon: null, description: '' },
    ]);
    win.showFailureBadge(w, 3, { platform: 'darwin', overlayIcon: '', description: '' });
    win.showFailureBadge(w, 0, { platform: 'linux', overlayIcon: '', description: '' });
    expect(electron.app.badgeCounts.slice(-2)).toEqual([3, 0]);
  });
});
