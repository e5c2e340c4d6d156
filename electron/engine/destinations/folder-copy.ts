import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Destination } from '../../contract/settings';
import { writeFileAtomic } from '../settings/files';
import type { VodRecord } from '../store/vods';
import { partName, safeFileName } from '../util/file-names';

type Folder = Extract<Destination, { kind: 'folder' }>;

/**
 * The "local folder" destination (a NAS or an archive disk): each part copied under
 * `<folder>/<channel>/<date> <title> [<id>]/`, plus `metadata.json` describing the VOD and every
 * part delivered so far. Copies go to a temp name first, so a crash never leaves a half file
 * under the final name; copying again overwrites the same name, so a retry never duplicates.
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

async function copyAtomic(from: string, to: string): Promise<void> {
  const tmp = `${to}.partial`;
  try {
    await copyFile(from, tmp);
    await rename(tmp, to);
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
}

export function writeArchiveMetadata(dest: Folder, vod: VodRecord, metadata: ArchiveMetadata): void {
  writeFileAtomic(join(vodArchiveDir(dest, vod), 'metadata.json'), `${JSON.stringify(metadata, null, 2)}\n`);
}
