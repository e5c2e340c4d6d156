import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

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

/**
 * A file name from a hostile title: no path separators, no characters Windows refuses, no
 * control characters, no trailing dots or spaces, bounded length (bytes matter on most file
 * systems, so the cut is by UTF-8 size without splitting a character).
 */
export function safeFileName(text: string, maxBytes = 150): string {
  let name = text
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^[.\s]+/, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(name)) name = `_${name}`;
  let out = '';
  for (const ch of name) {
    if (Buffer.byteLength(out + ch) > maxBytes) break;
    out += ch;
  }
  out = out.replace(/[. ]+$/, '');
  return out || 'untitled';
}
