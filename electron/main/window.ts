import { app, BrowserWindow, dialog, nativeImage, protocol, session, shell, type WebContents } from 'electron';
import type { AppStatus } from '../contract/status';
import { shellText, type ShellLanguage } from '../contract/shell-text';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { createLogger } from '../engine/util/log';
import { ALLOWED_PERMISSIONS, APP_ORIGIN, APP_SCHEME, contentSecurityPolicy, isAllowedExternalUrl, isAppUrl, resolveAppFile, secureWebPreferences } from './security';

const log = createLogger('main.window');

/** Must run before `app.ready`: lets app:// behave like a normal secure origin. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

/** Serves the built renderer from app://renderer/ with the CSP header on every response. */
export function serveRenderer(rendererDir: string): void {
  const csp = contentSecurityPolicy();
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      // readFile works inside app.asar: Electron's fs reads the archive.
      const body = await readFile(file);
      return new Response(body, {
        headers: {
          'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
          'Content-Security-Policy': csp,
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}

/**
 * Applies the navigation rules to any web contents: nothing but our renderer is ever shown,
 * `window.open` never creates a window, allowlisted links go to the browser, webviews are refused.
 */
const hardened = new WeakSet<WebContents>();

export function hardenWebContents(contents: WebContents, devServer?: string): void {
  // Called for the main window and again from app's 'web-contents-created': attach once.
  if (hardened.has(contents)) return;
  hardened.add(contents);
  const block = (event: { preventDefault(): void }, url: string) => {
    if (isAppUrl(url, devServer)) return;
    event.preventDefault();
    log.warn('Blocked navigation', { url: safeUrl(url) });
    openExternalIfAllowed(url);
  };
  contents.on('will-navigate', block);
  contents.on('will-redirect', block);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url);
    return { action: 'deny' };
  });
}

export function openExternalIfAllowed(url: string): boolean {
  if (!isAllowedExternalUrl(url)) return false;
  void shell.openExternal(url).catch((err: unknown) => log.warn('Could not open link', err));
  return true;
}

/** Denies every permission request but the few the UI uses, and adds the CSP for the dev server. */
export function hardenSession(devServer?: string): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
  ses.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission));
  if (devServer) {
    const csp = contentSecurityPolicy({ devServer });
    ses.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
  }
}

export interface MainWindowOptions {
  preload: string;
  /** Vite dev server URL in development; the app:// origin otherwise. */
  devServer?: string;
  show: boolean;
  icon?: string;
  /** Where the window was last (see `fitBounds`); the default size centred otherwise. */
  bounds?: Bounds;
}

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}
const MIN = { width: 760, height: 520 };

/**
 * The saved bounds if the window would still be reachable on one of today's screens (a monitor
 * may have been unplugged): at least 100x50 px of its top strip inside a work area. Sizes are
 * clamped to the minimum and to that work area.
 */
export function fitBounds(saved: Partial<Bounds> | undefined, workAreas: Bounds[]): Bounds | undefined {
  if (!saved || ![saved.x, saved.y, saved.width, saved.height].every((n) => typeof n === 'number' && Number.isFinite(n))) return undefined;
  const b = saved as Bounds;
  const area = workAreas.find((a) => {
    const w = Math.min(b.x + b.width, a.x + a.width) - Math.max(b.x, a.x);
    const h = Math.min(b.y + 50, a.y + a.height) - Math.max(b.y, a.y);
    return w >= 100 && h >= 50;
  });
  if (!area) return undefined;
  const width = Math.min(Math.max(b.width, MIN.width), area.width);
  const height = Math.min(Math.max(b.height, MIN.height), area.height);
  return { x: Math.round(b.x), y: Math.round(b.y), width: Math.round(width), height: Math.round(height) };
}

/** Saves the window's normal (not maximised) bounds after it moved or resized, at most twice a second. */
export function rememberBounds(win: BrowserWindow, save: (b: Bounds) => void): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const later = () => {
    if (timer) return;
    timer = setTimeout(() => {
      timer = null;
      if (!win.isDestroyed()) save(win.getNormalBounds());
    }, 500);
  };
  win.on('resize', later);
  win.on('move', later);
  win.on('close', () => {
    if (!win.isDestroyed()) save(win.getNormalBounds());
  });
}

/** Taskbar (Windows, Linux Unity) and dock (macOS) progress from the status model. */
export function showTaskbarProgress(win: BrowserWindow, progress: { value: number; mode: 'none' | 'normal' | 'paused' | 'error' | 'indeterminate' }): void {
  if (win.isDestroyed()) return;
  win.setProgressBar(progress.value, { mode: progress.mode });
}

/** How many things need the user: failed VODs, or 1 for a held queue, a login or a full disk. */
export function attentionCount(status: AppStatus): number {
  return status.kind === 'attention' ? Math.max(1, status.facts.failed) : 0;
}

/**
 * The failure badge: an overlay on the Windows taskbar button (the attention tray image), the
 * dock badge on macOS and the launcher count on Linux (Unity) through `app.setBadgeCount`.
 */
export function showFailureBadge(win: BrowserWindow, count: number, opts: { platform: NodeJS.Platform; overlayIcon: string; description: string }): void {
  if (win.isDestroyed()) return;
  if (opts.platform === 'win32') win.setOverlayIcon(count > 0 ? nativeImage.createFromPath(opts.overlayIcon) : null, count > 0 ? opts.description : '');
  else app.setBadgeCount(count);
}

/** Quitting mid-work asks first: the work resumes at the next start, but the user should know. */
export function shouldAskBeforeQuit(status: AppStatus): boolean {
  return status.facts.active > 0;
}

/** True when the user still wants to quit. */
export function confirmQuit(win: BrowserWindow | undefined, lang: ShellLanguage): boolean {
  const t = (k: Parameters<typeof shellText>[1]) => shellText(lang, k);
  const options = {
    type: 'question' as const,
    buttons: [t('quit.confirm'), t('quit.cancel')],
    defaultId: 1,
    cancelId: 1,
    title: t('quit.title'),
    message: t('quit.title'),
    detail: t('quit.body'),
  };
  const answer = win && !win.isDestroyed() ? dialog.showMessageBoxSync(win, options) : dialog.showMessageBoxSync(options);
  return answer === 0;
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    ...(options.bounds ?? {}),
    width: options.bounds?.width ?? 1100,
    height: options.bounds?.height ?? 760,
    minWidth: 760,
    minHeight: 520,
    show: false,
    title: 'Twitch VOD Backup',
    icon: options.icon,
    autoHideMenuBar: true,
    webPreferences: secureWebPreferences(options.preload),
  });
  hardenWebContents(win.webContents, options.devServer);
  win.once('ready-to-show', () => {
    if (options.show) win.show();
  });
  const url = options.devServer ?? `${APP_ORIGIN}/index.html`;
  void win.loadURL(url).catch((err: unknown) => log.error('Could not load the window', err));
  return win;
}

/** Brings the window to the front (second launch, tray "Open", notification click). */
export function focusWindow(win: BrowserWindow | undefined): void {
  if (!win || win.isDestroyed()) return;
  if (win.isMinimized()) win.restore();
  if (!win.isVisible()) win.show();
  win.focus();
}

/**
 * Closing the window hides it (the app keeps working from the tray) unless the app is quitting.
 * The first time, `onFirstHide` is called so the user learns where the app went.
 */
export function closeToTray(win: BrowserWindow, opts: { isQuitting(): boolean; onFirstHide(): void; alreadyNotified(): boolean }): void {
  win.on('close', (event) => {
    if (opts.isQuitting()) return;
    event.preventDefault();
    win.hide();
    if (!opts.alreadyNotified()) opts.onFirstHide();
  });
}

function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
