import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempPathFor } from '../util/temp-files';

/**
 * Writes a file so that a crash leaves either the old or the new content, never half of each:
 * temp file in the same folder, fsync, rename. `mode` applies to the new file (0600 for secrets).
 */
export function writeFileAtomic(path: string, content: string, mode = 0o644): void {
  const tmp = tempPathFor(path);
  const fd = openSync(tmp, 'w', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/** JSON.parse with an error that says where: `file: line L, column C: reason`. */
export function readJsonFile(path: string): unknown {
  const raw = readFileSync(path, 'utf8').replace(/^\uFEFF/, '');
  try {
    return JSON.parse(raw);
  } catch (error) {
    const message = (error as Error).message;
    const at = /position (\d+)/.exec(message);
    if (at) {
      const pos = Number(at[1]);
      const before = raw.slice(0, pos).split('\n');
      throw new Error(`${path}: line ${before.length}, column ${before[before.length - 1].length + 1}: ${message.replace(/ in JSON at position \d+.*$/, '')}`, {
        cause: error,
      });
    }
    throw new Error(`${path}: ${message}`, { cause: error });
  }
}

/** True when a file can be read by other users (a secrets file should be 0600). */
export function isGroupOrWorldReadable(path: string): boolean {
  if (process.platform === 'win32') return false;
  return (statSync(path).mode & 0o077) !== 0;
}

/** Why `dir` cannot be used as a folder the app writes in (created if missing), or null when it can. */
export function folderProblem(dir: string): string | null {
  const probe = join(dir, `.tvb-write-test.${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    closeSync(openSync(probe, 'wx'));
    rmSync(probe, { force: true });
    return null;
  } catch (error) {
    const e = error as NodeJS.ErrnoException;
    const why: Record<string, string> = {
      EACCES: 'no permission to write there',
      EPERM: 'no permission to write there',
      EROFS: 'the disk is read-only',
      ENOTDIR: 'a file is in the way of the folder path',
      ENOSPC: 'the disk is full',
    };
    return `${dir} cannot be written: ${why[e.code ?? ''] ?? e.message}`;
  }
}
