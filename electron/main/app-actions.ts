import { existsSync, mkdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import type { AppInfo, StartAtLogin, UpdateStatus } from '../contract/app';
import type { ToolSearch } from '../engine/util/binaries';
import type { AppHandlers } from './ipc';
import type { StorageInfo } from './secrets';
import type { ToolReport, UpdateResult } from './tools';

/**
 * The renderer's shell actions (`window.api.app.*`), as handlers over injected effects so they can
 * be tested without Electron. index.ts supplies the real effects.
 */
export interface AppActionDeps {
  version: string;
  platform: NodeJS.Platform;
  arch: string;
  packaged: boolean;
  dataDir: string;
  logFile: string;
  workDir(): string;
  toolSearch(): ToolSearch;
  storageInfo(): StorageInfo;
  openPath(path: string): Promise<string>;
  /** The file manager, with this file selected (Electron's shell.showItemInFolder). */
  showItemInFolder(path: string): void;
  /** The configured folder destinations' paths: the only places showPostedFile may open. */
  folderDestinations(): string[];
  openExternal(url: string): boolean;
  getStartAtLogin(): StartAtLogin;
  setStartAtLogin(enabled: boolean, startHidden: boolean): StartAtLogin;
  describeTools(search: ToolSearch): Promise<ToolReport[]>;
  updateYtDlp(search: ToolSearch): Promise<UpdateResult>;
  /** The app's self-update (main/updater.ts). */
  updateStatus(): UpdateStatus;
  checkForUpdates(): Promise<UpdateStatus>;
  quit(): void;
}

/** The default work folder when settings leave it empty (the engine uses the same rule). */
export function workDirFor(configured: string, dataDir: string): string {
  return configured.trim() || join(dataDir, 'work');
}

export function createAppHandlers(deps: AppActionDeps): AppHandlers {
  return {
    async openWorkFolder() {
      const dir = deps.workDir();
      try {
        mkdirSync(dir, { recursive: true });
      } catch (err) {
        return { ok: false, error: `Could not create the work folder ${dir}: ${(err as Error).message}` };
      }
      const error = await deps.openPath(dir);
      return error ? { ok: false, error } : { ok: true };
    },
    showPostedFile({ path }) {
      const target = resolve(path);
      // A renderer could name any path: only what the app itself wrote into a folder destination opens.
      const inside = deps.folderDestinations().some((root) => {
        const r = relative(resolve(root), target);
        return r !== '' && !r.startsWith('..') && !isAbsolute(r);
      });
      if (!inside) return { ok: false, error: `${path} is not inside a folder destination.` };
      if (!existsSync(target)) return { ok: false, error: `${path} no longer exists.` };
      deps.showItemInFolder(target);
      return { ok: true };
    },
    openExternal({ url }) {
      return { opened: deps.openExternal(url) };
    },
    getStartAtLogin: () => deps.getStartAtLogin(),
    setStartAtLogin: ({ enabled, startHidden }) => deps.setStartAtLogin(enabled, startHidden),
    async getAppInfo(): Promise<AppInfo> {
      return {
        version: deps.version,
        platform: deps.platform,
        arch: deps.arch,
        packaged: deps.packaged,
        dataDir: deps.dataDir,
        logFile: deps.logFile,
        secretStorage: deps.storageInfo(),
        tools: await deps.describeTools(deps.toolSearch()),
      };
    },
    updateYtDlp: () => deps.updateYtDlp(deps.toolSearch()),
    getUpdateStatus: () => deps.updateStatus(),
    checkForUpdates: () => deps.checkForUpdates(),
    quit() {
      // After the reply is sent, so the renderer's call resolves.
      setImmediate(() => deps.quit());
      return {};
    },
  };
}
