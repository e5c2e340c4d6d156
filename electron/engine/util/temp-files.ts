import { basename, dirname, join } from 'node:path';

/**
 * The one name pattern of our half-written files: `.<name>.<pid>.tvb-partial`, beside the final
 * name (a rename on the same file system is atomic). Hidden, and recognisable, so the next start
 * can remove what a crash or a cancelled copy left in an archive folder and nothing else.
 */
const PATTERN = /^\..+\.(\d+)\.tvb-partial$/;

export function tempPathFor(path: string, pid = process.pid): string {
  return join(dirname(path), `.${basename(path)}.${pid}.tvb-partial`);
}

/** The process id in one of our temp names, or undefined for any other name. */
export function tempNamePid(name: string): number | undefined {
  const match = PATTERN.exec(name);
  return match ? Number(match[1]) : undefined;
}
