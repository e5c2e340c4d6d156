import { copyFile, link, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Destination } from '../../contract/settings';
import { writeFileAtomic } from '../settings/files';
import type { VodRecord } from '../store/vods';
import { partName, safeFileName } from '../util/file-names';

type Folder = Extract<Destination, { kind: 'folder' }>;

/**
 * The "local folder" destination (a NAS or an archive disk): each part copied under
 * `<folder>/<channel>/<date> <title> [<id>]/`, plus `metadata.json` describing the VOD and every
 * part delivered so far. On the work folder's file system a part is hard-linked, not copied: no
 * byte is written (the work folder is deleted afterwards, which only drops its name), elsewhere it
 * is copied. Either goes to a temp name first, so a crash never leaves a half file under the final
 * name; delivering again replaces the same name, so a retry never duplicates.
 */
export function vodArchiveDir(dest: Folder, vod: Pick<VodRecord, 'id' | 'title' | 'created_at' | 'channel_name' | 'channel_id'>): string {
  const channel = safeFileName(vod.channel_name || vod.channel_id || 'channel', 80);
  const date = vod.created_at.slice(0, 10);
  return join(dest.path, channel, `${date} ${safeFileName(vod.title, 120)} [${vod.id}]`);
}

export async function copyPartToFolder(dest: Folder, vod: VodRecord, partIndex: number, partPath: string, thumbPath: string | null): Promise<string> {
  const dir = vodArchiveDir(dest, vod);
  await mkdir(dir, { recursive: true });
  const base = partName(partIndex);
  const target = join(dir, `${base}.mp4`);
  await copyAtomic(partPath, target);
  if (thumbPath) await copyAtomic(thumbPath, join(dir, `${base}.jpg`)).catch(() => {});
  return target;
}

/** link() errors meaning "not here" (another device, or a file system without hard links): copy instead. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS', 'EACCES']);

/**
 * Safe to share the inode: the builder and the thumbnailer never rewrite a file in place (they
 * write a temp name and rename it), so a linked archive file never changes after delivery.
 */
async function copyAtomic(from: string, to: string): Promise<void> {
  const tmp = `${to}.partial`;
  try {
    await rm(tmp, { force: true }); // a leftover of a crash would make link() fail
    try {
      await link(from, tmp);
    } catch (error) {
      if (!NO_LINK.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      await copyFile(from, tmp);
    }
    await rename(tmp, to);
    // rename() does nothing when both names are links to one file (a repeated delivery): drop the temp name.
    await rm(tmp, { force: true });
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

export interface ArchiveMetadata {
  vod: { id: string; title: string; channel: string; channelId: string; createdAt: string; durationSec: number; url: string };
  parts: Array<{ index: number; file: string; bytes: number | null; durationSec: number; startSec: number; messages: Array<{ destination: string; link: string | null }> }>;
  partsTotal: number | null;
  updatedAt: string;
  /** Once every part is in the folder: the index fields (telegram/index-message.ts `indexMetadataFields`). */
  complete?: true;
  chapters?: Array<{ title: string; startSec: number; part: number; offsetSec: number }>;
}

export function writeArchiveMetadata(dest: Folder, vod: VodRecord, metadata: ArchiveMetadata): void {
  writeFileAtomic(join(vodArchiveDir(dest, vod), 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
}
