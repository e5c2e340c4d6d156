import { copyFile, link, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Destination } from '../../contract/settings';
import type { VodRecord } from '../store/vods';
import { bounded } from '../util/deadline';
import { classify } from '../util/errors';
import { partName, safeFileName } from '../util/file-names';
import { createLogger } from '../util/log';
import { tempPathFor } from '../util/temp-files';

type Folder = Extract<Destination, { kind: 'folder' }>;

const log = createLogger('folder');

/** mkdir, link, rename, rm and small writes on a slow or hung NAS: beyond this the step counts as failed (transient). */
const STEP_MS = 60_000;
/** A copy slower than this for its whole length counts as stalled. */
const MIN_COPY_BYTES_PER_SEC = 1024 * 1024;

/**
 * The "local folder" destination (a NAS or an archive disk): each part copied under
 * `<folder>/<channel>/<date> <title> [<id>]/`, plus `metadata.json` describing the VOD and every
 * part delivered so far. On the work folder's file system a part is hard-linked, not copied: no
 * byte is written (the work folder is deleted afterwards, which only drops its name), elsewhere it
 * is copied. Either goes to a temp name first (util/temp-files.ts, removed at the next start if
 * left), so a crash never leaves a half file under the final name; delivering again replaces the
 * same name, so a retry never duplicates. Every file system step has a deadline and stops at
 * Cancel: Node cannot interrupt a pending fs call, but the VOD no longer waits for it.
 */
export function vodArchiveDir(dest: Folder, vod: Pick<VodRecord, 'id' | 'title' | 'created_at' | 'channel_name' | 'channel_id'>): string {
  const channel = safeFileName(vod.channel_name || vod.channel_id || 'channel', 80);
  const date = vod.created_at.slice(0, 10);
  return join(dest.path, channel, `${date} ${safeFileName(vod.title, 120)} [${vod.id}]`);
}

/** One bounded file system step of `dest`; a cancelled one is logged with what it was doing. */
async function step<T>(dest: Folder, what: string, signal: AbortSignal | undefined, run: Promise<T>, ms = STEP_MS): Promise<T> {
  try {
    return await bounded(run, { ms, what: `Folder "${dest.name}": ${what}`, code: 'FOLDER_TIMEOUT', signal });
  } catch (error) {
    if (classify(error).errorClass === 'cancelled') log.info(`Folder "${dest.name}": cancelled while ${what}`);
    throw error;
  }
}

export async function copyPartToFolder(dest: Folder, vod: VodRecord, partIndex: number, partPath: string, thumbPath: string | null, signal?: AbortSignal): Promise<string> {
  const dir = vodArchiveDir(dest, vod);
  await step(dest, `creating ${dir}`, signal, mkdir(dir, { recursive: true }));
  const base = partName(partIndex);
  const target = join(dir, `${base}.mp4`);
  await copyAtomic(dest, partPath, target, signal);
  if (thumbPath) {
    await copyAtomic(dest, thumbPath, join(dir, `${base}.jpg`), signal).catch((error: unknown) => {
      if (classify(error).errorClass === 'cancelled') throw error; // a missing thumbnail is fine, a Cancel is not
    });
  }
  return target;
}

/** link() errors meaning "not here" (another device, or a file system without hard links): copy instead. */
const NO_LINK = new Set(['EXDEV', 'EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'EMLINK', 'ENOSYS', 'EACCES']);

/**
 * Safe to share the inode: the builder and the thumbnailer never rewrite a file in place (they
 * write a temp name and rename it), so a linked archive file never changes after delivery.
 */
async function copyAtomic(dest: Folder, from: string, to: string, signal?: AbortSignal): Promise<void> {
  const tmp = tempPathFor(to);
  const fsStep = <T>(what: string, run: Promise<T>, ms?: number) => step(dest, `${what} ${to}`, signal, run, ms);
  try {
    await fsStep('clearing the temp file of', rm(tmp, { force: true })); // a leftover would make link() fail
    try {
      await fsStep('linking', link(from, tmp));
    } catch (error) {
      if (!NO_LINK.has((error as NodeJS.ErrnoException).code ?? '')) throw error;
      const { size } = await stat(from);
      await fsStep('copying to', copyFile(from, tmp), STEP_MS + (size / MIN_COPY_BYTES_PER_SEC) * 1000);
    }
    await fsStep('renaming into', rename(tmp, to));
    // rename() does nothing when both names are links to one file (a repeated delivery): drop the temp name.
    await fsStep('clearing the temp file of', rm(tmp, { force: true }));
  } catch (error) {
    await dropTemp(tmp, error);
    throw error;
  }
}

/** Removes a temp file after a failed step; briefly, and not at all after Cancel: the next start's sweep removes what is left. */
async function dropTemp(tmp: string, error: unknown): Promise<void> {
  const removing = rm(tmp, { force: true });
  if (classify(error).errorClass === 'cancelled') return void removing.catch(() => {});
  await bounded(removing, { ms: 5_000, what: `removing ${tmp}`, code: 'FOLDER_TIMEOUT' }).catch(() => {});
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

/** metadata.json, atomically (temp name, then rename), each step bounded like the copies. */
export async function writeArchiveMetadata(dest: Folder, vod: VodRecord, metadata: ArchiveMetadata, signal?: AbortSignal): Promise<void> {
  const path = join(vodArchiveDir(dest, vod), 'metadata.json');
  const tmp = tempPathFor(path);
  try {
    await step(dest, `writing ${path}`, signal, writeSynced(tmp, `${JSON.stringify(metadata, null, 2)}\n`));
    await step(dest, `renaming into ${path}`, signal, rename(tmp, path));
  } catch (error) {
    await dropTemp(tmp, error);
    throw error;
  }
}

/** Written and synced before the rename, so a crash leaves the old metadata.json or the new one. */
async function writeSynced(path: string, content: string): Promise<void> {
  const file = await open(path, 'w', 0o644);
  try {
    await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
}
