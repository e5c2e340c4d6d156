import type { BrowserWindow } from 'electron';
import type { EngineApi } from '../contract/client';
import { NO_FACTS, type AppStatus } from '../contract/status';
import type { ShellLanguage } from '../contract/shell-text';
import { createLogger } from '../engine/util/log';
import { createTray, type AppTray } from './tray';
import { taskbarProgress, type TrayActions, type TrayView } from './tray-model';
import { mirrorStatus, type StatusMirror } from './tray-status';
import { shellText } from '../contract/shell-text';
import { trayIconFile } from './tray-model';
import { attentionCount, confirmQuit, shouldAskBeforeQuit, showFailureBadge, showTaskbarProgress } from './window';

const log = createLogger('main.tray');

/**
 * Tray, tooltip, taskbar progress and the quit question, all from the one status model fed by
 * the main process's own engine client. index.ts calls `refresh` when the engine is ready and
 * `engineDown` when it crashed.
 */
export interface ShellStatus {
  tray: AppTray;
  mirror: StatusMirror;
  refresh(): void;
  engineDown(): void;
  /** The tray's Quit: asks first while a VOD is being worked on. */
  quit(): void;
  destroy(): void;
}

export function startShellStatus(opts: {
  trayDir: string;
  platform?: NodeJS.Platform;
  api: EngineApi;
  window: () => BrowserWindow | undefined;
  lang: () => ShellLanguage;
  locale: () => string;
  lowDiskBytes: () => number;
  actions: Omit<TrayActions, 'retryFailed' | 'quit'>;
  quit: () => void;
}): ShellStatus {
  const view = (status: AppStatus, lastBackupAt: string | null): TrayView => ({ status, lastBackupAt, lang: opts.lang(), locale: opts.locale(), now: Date.now() });
  const apply = (status: AppStatus, lastBackupAt: string | null) => {
    tray.update(view(status, lastBackupAt));
    const win = opts.window();
    if (!win) return;
    showTaskbarProgress(win, taskbarProgress(status));
    const platform = opts.platform ?? process.platform;
    showFailureBadge(win, attentionCount(status), {
      platform,
      overlayIcon: trayIconFile(opts.trayDir, 'attention', 'linux') /* the coloured PNG */,
      description: shellText(opts.lang(), 'status.attention'),
    });
  };
  const mirror = mirrorStatus(opts.api, (s) => apply(s.status, s.lastBackupAt), { lowDiskBytes: opts.lowDiskBytes });
  const retryFailed = () => {
    for (const v of mirror.current().vods.filter((x) => x.status === 'failed')) {
      void opts.api['vod.retryNow']({ vodId: v.id }).catch((err: unknown) => log.warn('Retry failed VOD', err));
    }
  };
  const quit = () => {
    if (!shouldAskBeforeQuit(mirror.current().status) || confirmQuit(opts.window(), opts.lang())) opts.quit();
  };
  const initial: AppStatus = { kind: 'idle', reason: null, retryAt: null, progress: null, facts: NO_FACTS };
  const tray = createTray({ trayDir: opts.trayDir, actions: { ...opts.actions, retryFailed, quit }, initial: view(initial, null) });
  return {
    tray,
    mirror,
    quit,
    refresh: () => void mirror.refresh().catch((err: unknown) => log.warn('Status snapshot failed', err)),
    engineDown: () => apply({ ...initial, kind: 'attention', reason: 'held' }, mirror.current().lastBackupAt),
    destroy: () => {
      mirror.stop();
      tray.destroy();
    },
  };
}
