import { destinationKey, type Destination } from '../../contract/settings';
import { nowIso } from '../store/database';
import { partsOf } from '../store/parts';
import { uploadsOf } from '../store/uploads';
import { getVod } from '../store/vods';
import { partName } from '../util/file-names';
import type { DeliveryJob, DeliveryTarget } from './index';
import { copyPartToFolder, vodArchiveDir, writeArchiveMetadata } from './folder-copy';
import { folderIndex, writeFolderIndex } from './folder-index';

type Folder = Extract<Destination, { kind: 'folder' }>;

/** A local folder (a NAS, an archive disk): each part copied in, and metadata.json kept current. */
export function folderTarget(dest: Folder): DeliveryTarget {
  const key = destinationKey(dest);
  return {
    key,
    name: dest.name,
    prepares: false,
    prepare: async () => {},
    async deliver(part, job) {
      const path = await copyPartToFolder(dest, job.vod, part.idx, part.path as string, part.thumb_path, job.signal);
      return { messageId: null, link: path };
    },
    afterPart: (job) => writeMetadata(dest, key, job),
  };
}

function writeMetadata(dest: Folder, key: string, job: DeliveryJob): Promise<void> {
  const vod = getVod(job.db, job.vod.id) ?? job.vod;
  const uploads = uploadsOf(job.db, vod.id, vod.generation);
  const posted = (idx: number) => uploads.filter((u) => u.part_idx === idx && u.state === 'posted');
  const parts = partsOf(job.db, vod.id);
  const index = folderIndex(job.db, vod, parts, (idx) => posted(idx).some((u) => u.destination === key));
  const fields = index ? writeFolderIndex(vodArchiveDir(dest, vod), index) : {};
  return writeArchiveMetadata(
    dest,
    vod,
    {
      vod: { id: vod.id, title: vod.title, channel: vod.channel_name, channelId: vod.channel_id, createdAt: vod.created_at, durationSec: vod.duration, url: vod.url },
      parts: parts
        .filter((p) => posted(p.idx).some((u) => u.destination === key))
        .map((p) => ({
          index: p.idx,
          file: `${partName(p.idx)}.mp4`,
          bytes: p.bytes,
          durationSec: p.duration,
          startSec: p.start_sec,
          messages: posted(p.idx).map((u) => ({ destination: u.destination, link: u.link })),
        })),
      partsTotal: vod.parts_total,
      updatedAt: nowIso(),
      ...fields,
    },
    job.signal,
  );
}
