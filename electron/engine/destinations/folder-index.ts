/**
 * The folder destination's index of a complete VOD (issue 15): `index.txt` beside the parts and
 * the index fields in `metadata.json` (chapters with the part and time where each begins), from
 * the same pure index as the Telegram index message (telegram/index-message.ts).
 */
import { join } from 'node:path';
import { storedChapters } from '../store/live';
import type { PartRecord } from '../store/parts';
import type { VodRecord } from '../store/vods';
import { writeFileAtomic } from '../settings/files';
import { indexMetadataFields, renderIndexText, vodIndexHead, type IndexInput, type IndexMetadataFields } from '../telegram/index-message';
import { partName } from '../util/file-names';
import type { Db } from '../store/database';

/** The index of a VOD whose parts are all in this folder, or undefined while some are missing. */
export function folderIndex(db: Db, vod: VodRecord, parts: readonly PartRecord[], inFolder: (idx: number) => boolean): IndexInput | undefined {
  if (vod.parts_total === null || parts.length !== vod.parts_total || !parts.every((p) => inFolder(p.idx))) return undefined;
  return {
    ...vodIndexHead(vod, parts, storedChapters(db, vod.id)),
    parts: parts.map((p) => ({ part: p.idx, durationSec: p.duration, file: `${partName(p.idx)}.mp4` })),
  };
}

/** Writes `index.txt` (atomically) and returns the fields for `metadata.json`. */
export function writeFolderIndex(dir: string, input: IndexInput): IndexMetadataFields {
  writeFileAtomic(join(dir, 'index.txt'), renderIndexText(input));
  return indexMetadataFields(input);
}
