import { isAbsolute, normalize, relative, resolve, sep } from 'node:path';

/**
 * The renderer's security rules as pure data and predicates, so they can be checked without
 * Electron: web preferences, the Content-Security-Policy, which URLs the window may show and
 * which links may leave the app for the browser.
 */

/** The renderer is served from this privileged scheme (one origin, with our CSP header). */
export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    spellcheck: false,
  } as const;
}

/** Twitch thumbnails are the only remote images; no remote script, style, frame or connection. */
export const IMAGE_HOSTS = ['https://static-cdn.jtvnw.net', 'https://vod-secure.twitch.tv'];

export function contentSecurityPolicy(options: { devServer?: string } = {}): string {
  // The Vite dev server needs its own origin (HMR over ws); packaged builds get none of it.
  const dev = options.devServer ? new URL(options.devServer).origin : undefined;
  const ws = dev ? dev.replace(/^http/, 'ws') : undefined;
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': ["'self'", ...(dev ? [dev] : [])],
    // Svelte sets inline style attributes for transitions.
    'style-src': ["'self'", "'unsafe-inline'"],
    'img-src': ["'self'", 'data:', 'blob:', ...IMAGE_HOSTS],
    'font-src': ["'self'", 'data:'],
    'connect-src': ["'self'", ...(dev && ws ? [dev, ws] : [])],
    'object-src': ["'none'"],
    'frame-src': ["'none'"],
    'worker-src': ["'self'"],
    'base-uri': ["'none'"],
    'form-action': ["'none'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([k, v]) => `${k} ${v.join(' ')}`)
    .join('; ');
}

/** Hosts a link may open in the user's browser (https only). */
export const EXTERNAL_HOSTS = ['twitch.tv', 'www.twitch.tv', 'dev.twitch.tv', 'id.twitch.tv', 't.me', 'telegram.org', 'my.telegram.org', 'core.telegram.org', 'github.com'];

export function isAllowedExternalUrl(raw: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol !== 'https:') return false;
  if (url.username || url.password || url.port) return false;
  return EXTERNAL_HOSTS.includes(url.hostname.toLowerCase());
}

/** The window may only ever show our own renderer (the app scheme, or the dev server in dev). */
export function isAppUrl(raw: string, devServer?: string): boolean {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return false;
  }
  if (url.protocol === `${APP_SCHEME}:` && url.host === APP_HOST) return true;
  return devServer !== undefined && url.origin === new URL(devServer).origin;
}

/**
 * Maps an app:// URL to a file inside the renderer folder; anything that would escape the folder
 * (`..`, encoded separators, absolute paths) gets undefined.
 */
export function resolveAppFile(rendererDir: string, raw: string): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return undefined;
  let path: string;
  try {
    path = decodeURIComponent(url.pathname);
  } catch {
    return undefined;
  }
  if (path.includes('\0') || path.includes('\\')) return undefined;
  const rel = normalize(path === '/' || path === '' ? 'index.html' : path.replace(/^\/+/, ''));
  if (isAbsolute(rel)) return undefined;
  const root = resolve(rendererDir);
  const file = resolve(root, rel);
  const inside = relative(root, file);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside) || inside.split(sep).includes('..')) return undefined;
  return file;
}

/** Permissions the renderer may get; everything else (camera, geolocation, ...) is denied. */
export const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write']);
