import { join } from 'node:path';

/**
 * Where everything is at run time, for both layouts:
 * - development: appPath is the project folder; resources are in <project>/resources;
 * - packaged: appPath is <resources>/app.asar; binaries and tray images are extraResources next to
 *   it, under process.resourcesPath (outside the asar, so they can be spawned / read by the OS).
 * Pure (no Electron import), so the packaging smoke test can check it against a real package.
 */
export interface RuntimeLayout {
  /** app.getAppPath() */
  appPath: string;
  /** process.resourcesPath */
  resourcesPath: string;
  isPackaged: boolean;
}

export interface RuntimePaths {
  engineEntry: string;
  preload: string;
  rendererDir: string;
  /** Folder holding bin/<platform>-<arch>/ and tray/ */
  resourcesDir: string;
  trayDir: string;
  appIcon: string;
  /**
   * better-sqlite3 built for Electron's ABI, kept apart from the Node build the tests use
   * (`npm run rebuild:electron`). Only in development: a packaged app's copy is already Electron's.
   */
  sqliteNativeBinding?: string;
}

export function runtimePaths(layout: RuntimeLayout): RuntimePaths {
  const { appPath, isPackaged } = layout;
  const resourcesDir = isPackaged ? layout.resourcesPath : join(appPath, 'resources');
  return {
    engineEntry: join(appPath, 'dist-electron', 'engine', 'index.js'),
    preload: join(appPath, 'dist-electron', 'preload', 'index.cjs'),
    rendererDir: join(appPath, 'dist', 'renderer'),
    resourcesDir,
    trayDir: join(resourcesDir, 'tray'),
    appIcon: join(resourcesDir, 'icons', 'icon-256.png'),
    sqliteNativeBinding: isPackaged ? undefined : join(appPath, 'dist-electron', 'native', 'better_sqlite3.node'),
  };
}
