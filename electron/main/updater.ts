import type { UpdateStatus } from '../contract/app';
import type { Logger } from '../engine/util/log';

/**
 * The app's self-update, around electron-updater's AppUpdater (GitHub provider in installed apps:
 * resources/app-update.yml, written by electron-builder). Checks at start and daily, downloads in
 * the background with progress to the UI, and installs only at a safe point: it asks the engine
 * (host channel `safePoint.request`) and, while an upload is in flight, waits and asks again at the
 * engine's next status change; quitting the app also installs it (after the engine has stopped).
 * Turned off by `app.autoUpdate`. yt-dlp keeps its own update path (main/tools.ts).
 */
export const FIRST_CHECK_DELAY_MS = 30_000;
export const CHECK_EVERY_MS = 24 * 60 * 60 * 1000;

/** The part of electron-updater's AppUpdater used here. */
export interface UpdaterLike {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  logger: unknown;
  on(event: string, listener: (...args: never[]) => void): unknown;
  checkForUpdates(): Promise<{ downloadPromise?: Promise<unknown> | null } | null>;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

export interface UpdateControllerOptions {
  updater: UpdaterLike;
  enabled(): boolean;
  /** Resolves true when no upload is in flight (the engine answers over the host channel). */
  askSafePoint(): Promise<boolean>;
  onStatus(status: UpdateStatus): void;
  log: Logger;
  schedule?: (fn: () => void, ms: number) => () => void;
  now?: () => Date;
}

export interface UpdateController {
  status(): UpdateStatus;
  /** A check now: the timer's, or the user's (`manual`: downloads and installs even when automatic updates are off). */
  check(options?: { manual?: boolean }): Promise<UpdateStatus>;
  /** The engine's status changed: a waiting update may be installable now. */
  engineStatusChanged(): void;
  /** Settings changed: turns automatic checks on or off. */
  settingsChanged(): void;
  stop(): void;
}

const defaultSchedule = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  t.unref?.();
  return () => clearTimeout(t);
};

/** electron-updater reports Infinity / NaN speeds on very fast or empty transfers. */
const finite = (v: number, f: (v: number) => number): number | null => (Number.isFinite(v) ? f(v) : null);

const initial = (enabled: boolean): UpdateStatus => ({
  state: enabled ? 'idle' : 'disabled',
  version: null,
  percent: null,
  bytesPerSecond: null,
  message: null,
  lastCheckAt: null,
});

/** electron-updater's events as status changes (a downloaded update then tries to install). */
function followUpdater(
  updater: UpdateControllerOptions['updater'],
  log: UpdateControllerOptions['log'],
  hooks: { set: (patch: Partial<UpdateStatus>) => void; now: () => Date; downloaded: () => void; current: () => UpdateStatus },
): void {
  const { set, now, downloaded, current } = hooks;
  updater.logger = {
    info: (m: unknown) => log.info(String(m)),
    warn: (m: unknown) => log.warn(String(m)),
    error: (m: unknown) => log.error(String(m)),
    debug: (m: unknown) => log.debug(String(m)),
  };
  updater.on('checking-for-update', () => set({ state: 'checking', message: null, lastCheckAt: now().toISOString() }));
  updater.on('update-not-available', () => set({ state: 'upToDate', version: null, percent: null }));
  updater.on('update-available', (info: { version: string }) => set({ state: 'downloading', version: info.version, percent: 0, message: null }));
  updater.on('download-progress', (p: { percent: number; bytesPerSecond: number }) =>
    set({ state: 'downloading', percent: finite(p.percent, (v) => Math.min(100, Math.max(0, v))), bytesPerSecond: finite(p.bytesPerSecond, (v) => Math.max(0, v)) }),
  );
  updater.on('update-downloaded', (info: { version: string }) => {
    set({ state: 'waiting', version: info.version, percent: 100, message: 'Installs when no upload is in progress' });
    downloaded();
  });
  updater.on('error', (err: Error) => {
    log.warn('App update failed', err);
    // A failed download or check is retried at the next daily check.
    if (current().state !== 'waiting') set({ state: 'error', message: err.message });
  });
}

export function createUpdateController(opts: UpdateControllerOptions): UpdateController {
  const { updater, log } = opts;
  const schedule = opts.schedule ?? defaultSchedule;
  const now = opts.now ?? (() => new Date());
  let status = initial(opts.enabled());
  let cancelTimer: (() => void) | undefined;
  let asking = false;
  /** The user asked for this update (Check now), so it installs even with automatic updates off. */
  let userAsked = false;

  const set = (patch: Partial<UpdateStatus>) => {
    status = { ...status, ...patch };
    opts.onStatus(status);
  };
  const applyEnabled = () => {
    const on = opts.enabled();
    // Off means off: nothing downloaded in the background, nothing installed on quit.
    updater.autoDownload = on;
    updater.autoInstallOnAppQuit = on;
    return on;
  };

  followUpdater(updater, log, { set, now, downloaded: () => void tryInstall(), current: () => status });

  async function tryInstall(): Promise<void> {
    if (status.state !== 'waiting' || asking || !(opts.enabled() || userAsked)) return;
    asking = true;
    let safe = false;
    try {
      safe = await opts.askSafePoint();
    } catch (err) {
      log.warn('Could not ask the engine whether an update can be installed', err);
    } finally {
      asking = false;
    }
    if (!safe || status.state !== 'waiting') return;
    set({ state: 'installing', message: null });
    log.info(`Installing update ${status.version} and restarting`);
    updater.quitAndInstall(true, true);
  }

  async function check(options: { manual?: boolean } = {}): Promise<UpdateStatus> {
    if (options.manual) {
      userAsked = true;
      updater.autoDownload = true;
    }
    try {
      const result = await updater.checkForUpdates();
      // A failed download is reported by the updater's 'error' event; its promise must not go unhandled.
      result?.downloadPromise?.catch(() => undefined);
    } catch (err) {
      set({ state: 'error', message: (err as Error).message });
    }
    return status;
  }

  const plan = (ms: number) => {
    cancelTimer?.();
    cancelTimer = undefined;
    if (!applyEnabled()) return;
    cancelTimer = schedule(() => {
      void check().finally(() => plan(CHECK_EVERY_MS));
    }, ms);
  };
  plan(FIRST_CHECK_DELAY_MS);

  return {
    status: () => status,
    check,
    engineStatusChanged: () => void tryInstall(),
    settingsChanged() {
      const wasOn = status.state !== 'disabled';
      const on = opts.enabled();
      if (on === wasOn) return;
      if (!on && status.state !== 'waiting') set({ state: 'disabled', message: null });
      if (on) set({ state: 'idle' });
      plan(on ? FIRST_CHECK_DELAY_MS : 0);
    },
    stop() {
      cancelTimer?.();
      cancelTimer = undefined;
    },
  };
}
