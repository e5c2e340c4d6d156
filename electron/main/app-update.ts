import { autoUpdater } from 'electron-updater';
import type { UpdateStatus } from '../contract/app';
import { createLogger } from '../engine/util/log';
import { createUpdateController, type UpdateController, type UpdaterLike } from './updater';

const log = createLogger('main.update');

/**
 * The installed app's updater: electron-updater's platform updater (NSIS, DMG/zip, AppImage or
 * deb; it reads resources/app-update.yml, which electron-builder writes for the GitHub provider).
 * In development (not packaged) electron-updater skips every check by itself (AppUpdater
 * isUpdaterActive), so `npm start` never updates.
 */
export function startAppUpdates(deps: { enabled(): boolean; askSafePoint(): Promise<boolean>; onStatus(status: UpdateStatus): void }): UpdateController {
  return createUpdateController({ updater: autoUpdater as unknown as UpdaterLike, log, ...deps });
}
