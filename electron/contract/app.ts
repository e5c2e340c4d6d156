import { z } from 'zod';
import type { EngineApi } from './client';

/**
 * Actions the renderer asks of the Electron shell itself (not of the engine): they need the
 * desktop (folders, browser, login items, the app's own lifecycle). Carried over one IPC channel,
 * validated on both sides with these schemas, exposed by the preload as `window.api.app.*`.
 */
export const APP_CHANNEL = 'app:invoke';
/** Main -> preload: delivers the MessagePort to the engine (again after every engine restart). */
export const ENGINE_PORT_CHANNEL = 'engine:port';
/** Main -> preload: things the shell asks the UI to show (a notification or tray click). */
export const APP_EVENT_CHANNEL = 'app:event';

/**
 * The app's self-update (electron-updater), for the UI: `downloading` carries progress; `waiting`
 * means downloaded and held until no upload is in flight; `installing` restarts the app.
 */
export const UpdateStatus = z.object({
  state: z.enum(['disabled', 'idle', 'checking', 'upToDate', 'downloading', 'waiting', 'installing', 'error']),
  /** The version being downloaded / installed. */
  version: z.string().nullable(),
  /** 0..100 while downloading. */
  percent: z.number().min(0).max(100).nullable(),
  bytesPerSecond: z.number().min(0).nullable(),
  /** Why it waits, or what went wrong. */
  message: z.string().nullable(),
  lastCheckAt: z.string().nullable(),
});
export type UpdateStatus = z.infer<typeof UpdateStatus>;

export const AppEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('openVod'), vodId: z.string().min(1).max(64) }),
  z.object({ type: z.literal('openSettings') }),
  /** Every change of the self-update status (also sent once the window loads). */
  z.object({ type: z.literal('update'), update: UpdateStatus }),
]);
export type AppEvent = z.infer<typeof AppEvent>;

const NoParams = z.object({}).strict();

export const appRequests = {
  /** Opens the work (download) folder in the file manager. */
  openWorkFolder: NoParams,
  /** Opens a link in the browser; only hosts on the shell's allowlist are opened. */
  openExternal: z.object({ url: z.string().min(1).max(2048) }).strict(),
  /** Shows a posted part in the file manager; only paths inside a configured folder destination. */
  showPostedFile: z.object({ path: z.string().min(1).max(4096) }).strict(),
  getStartAtLogin: NoParams,
  setStartAtLogin: z.object({ enabled: z.boolean(), startHidden: z.boolean() }).strict(),
  getAppInfo: NoParams,
  /** Runs yt-dlp's self-update on the bundled copy (only when that copy is writable). */
  updateYtDlp: NoParams,
  /** The app's self-update status (see UpdateStatus). */
  getUpdateStatus: NoParams,
  /** Checks for an app update now (also when automatic checks are off). */
  checkForUpdates: NoParams,
  quit: NoParams,
} as const;
export type AppMethod = keyof typeof appRequests;
export type AppParams<M extends AppMethod> = z.infer<(typeof appRequests)[M]>;

export const StartAtLogin = z.object({ enabled: z.boolean(), startHidden: z.boolean(), supported: z.boolean() });
export type StartAtLogin = z.infer<typeof StartAtLogin>;

export const ToolInfo = z.object({
  name: z.enum(['ffmpeg', 'ffprobe', 'yt-dlp']),
  path: z.string().nullable(),
  source: z.enum(['override', 'bundled', 'ffmpeg-static', 'path']).nullable(),
  version: z.string().nullable(),
  /** Set when the tool is missing: what is wrong and how to fix it. */
  error: z.string().nullable(),
});
export type ToolInfo = z.infer<typeof ToolInfo>;

export const SecretStorageInfo = z.object({
  /** safeStorage backend: keychain / dpapi on macOS / Windows, the Linux backend name otherwise. */
  backend: z.string(),
  encrypted: z.boolean(),
  /** Shown in the UI when secrets are only obfuscated (Linux `basic_text`) or stored unencrypted. */
  warning: z.string().nullable(),
});
export type SecretStorageInfo = z.infer<typeof SecretStorageInfo>;

export const AppInfo = z.object({
  version: z.string(),
  platform: z.string(),
  arch: z.string(),
  packaged: z.boolean(),
  dataDir: z.string(),
  logFile: z.string(),
  secretStorage: SecretStorageInfo,
  tools: z.array(ToolInfo),
});
export type AppInfo = z.infer<typeof AppInfo>;

export const YtDlpUpdateResult = z.object({
  updated: z.boolean(),
  /** yt-dlp's own output (last lines), or why nothing was run. */
  message: z.string(),
  version: z.string().nullable(),
});
export type YtDlpUpdateResult = z.infer<typeof YtDlpUpdateResult>;

export const appResults = {
  openWorkFolder: z.object({ ok: z.boolean(), error: z.string().optional() }),
  openExternal: z.object({ opened: z.boolean() }),
  showPostedFile: z.object({ ok: z.boolean(), error: z.string().optional() }),
  getStartAtLogin: StartAtLogin,
  setStartAtLogin: StartAtLogin,
  getAppInfo: AppInfo,
  updateYtDlp: YtDlpUpdateResult,
  getUpdateStatus: UpdateStatus,
  checkForUpdates: UpdateStatus,
  quit: z.object({}),
} as const satisfies Record<AppMethod, z.ZodType>;
export type AppResult<M extends AppMethod> = z.infer<(typeof appResults)[M]>;

/** Wire shape of one renderer -> main app call. */
export const AppCall = z.object({ method: z.string().max(64), params: z.unknown().optional() }).strict();

/** Reply: errors travel as data so the renderer gets a readable message, not a serialised Error. */
export type AppReply<T = unknown> = { ok: true; result: T } | { ok: false; error: string };

/** The `window.api.app` surface: one async function per action, plus the shell's UI events. */
export type AppApi = { [M in AppMethod]: (params?: AppParams<M>) => Promise<AppResult<M>> } & {
  onEvent(listener: (event: AppEvent) => void): () => void;
};

/** `window.api` in the renderer: the engine's protocol API plus the shell's actions. */
export type WindowApi = EngineApi & { app: AppApi };
