import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
export { safeFileName } from '../util/file-names';

/**
 * Where a VOD's files live while it is backed up: `<work>/<vodId>/segments/N.ts` and
 * `<work>/<vodId>/parts/part-NN.mp4|jpg`. VOD ids are digits, so no title ever reaches a path.
 */
export interface VodFolder {
  root: string;
  segments: string;
  parts: string;
}

export function vodFolder(workDir: string, vodId: string): VodFolder {
  if (!/^\d{1,20}$/.test(vodId)) throw new Error(`not a VOD id: ${JSON.stringify(vodId)}`);
  const root = join(workDir, vodId);
  return { root, segments: join(root, 'segments'), parts: join(root, 'parts') };
}

/** Named by segment range, not part number: a re-plan renumbers parts but never reuses a range. */
export const partFile = (folder: VodFolder, first: number, last: number) => join(folder.parts, `segments-${first}-${last}.mp4`);
export const thumbFile = (folder: VodFolder, first: number, last: number) => join(folder.parts, `segments-${first}-${last}.jpg`);

export function removeVodFolder(workDir: string, vodId: string): void {
  rmSync(vodFolder(workDir, vodId).root, { recursive: true, force: true });
}

/** At start: removes work folders of VODs that are finished, skipped or unknown. Returns their ids. */
export function removeStaleFolders(workDir: string, keep: (vodId: string) => boolean): string[] {
  if (!existsSync(workDir)) return [];
  const removed: string[] = [];
  for (const entry of readdirSync(workDir, { withFileTypes: true })) {
    if (!entry.isDirectory() || !/^\d{1,20}$/.test(entry.name) || keep(entry.name)) continue;
    rmSync(join(workDir, entry.name), { recursive: true, force: true });
    removed.push(entry.name);
  }
  return removed;
}
