import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Destination } from '../../contract/settings';
import { bounded } from '../util/deadline';
import { createLogger } from '../util/log';
import { tempNamePid } from '../util/temp-files';

const log = createLogger('folder');

/** A folder destination on a hung NAS must not hold the sweep of the others. */
const SWEEP_MS = 60_000;

/** Our VOD folders end in `[<vod id>]` (folder-copy.ts vodArchiveDir). */
const ARCHIVE_DIR = /\[\d+\]$/;

/**
 * At start: removes the temp files (util/temp-files.ts pattern) that a crash or a cancelled copy
 * left in the configured folder destinations. It looks only in our archive folders
 * (`<folder>/<channel>/<date> <title> [<id>]/`), removes only files of that exact pattern, and
 * never one of this process (a delivery may be writing it now). Returns what it removed.
 */
export async function sweepArchiveTemps(destinations: readonly Destination[]): Promise<string[]> {
  const removed: string[] = [];
  for (const dest of destinations) {
    if (dest.kind !== 'folder') continue;
    await bounded(sweepFolder(dest.path, removed), { ms: SWEEP_MS, what: `looking for temp files in ${dest.path}`, code: 'FOLDER_TIMEOUT' }).catch((error: unknown) =>
      log.warn(`temp files in folder "${dest.name}" not removed: ${(error as Error).message}`),
    );
  }
  if (removed.length) log.info(`removed ${removed.length} unfinished temp file(s) from folder destinations: ${removed.join(', ')}`);
  return removed;
}

async function sweepFolder(root: string, removed: string[]): Promise<void> {
  for (const channel of await dirsIn(root)) {
    for (const vod of (await dirsIn(join(root, channel))).filter((d) => ARCHIVE_DIR.test(d))) {
      const dir = join(root, channel, vod);
      for (const entry of await readdir(dir, { withFileTypes: true })) {
        const pid = tempNamePid(entry.name);
        if (!entry.isFile() || pid === undefined || pid === process.pid) continue;
        await rm(join(dir, entry.name), { force: true });
        removed.push(join(dir, entry.name));
      }
    }
  }
}

/** Sub-folders of `dir` (none when it does not exist yet). */
async function dirsIn(dir: string): Promise<string[]> {
  try {
    return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
