import { join } from 'node:path';
import type { Settings } from '../../contract/settings';

/**
 * Where the database and the work folder are, for given settings and data folder: empty settings
 * mean the data folder's `vods.db` and `work/`. (Engine.databasePath() and Engine.workDir() give
 * the same answers; headless mode needs them before an engine exists, to check and import first.)
 */
export const databasePathFor = (settings: Settings, dataDir: string): string => settings.paths.database || join(dataDir, 'vods.db');
export const workDirFor = (settings: Settings, dataDir: string): string => settings.paths.workDir || join(dataDir, 'work');
