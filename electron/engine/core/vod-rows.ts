import type { PartRow, PostRow, VodRow } from '../../contract/domain';
import { destinationKey, type Settings } from '../../contract/settings';
import type { LiveProgress } from '../pipeline/context';
import type { Db } from '../store/database';
import { livePhase } from '../store/live';
import { partsOf, type PartRecord } from '../store/parts';
import { uploadsOf, type UploadRecord } from '../store/uploads';
import type { VodRecord } from '../store/vods';

/** Builds the UI's view of a VOD from its stored rows plus live progress. Pure apart from the reads. */
export function vodRow(db: Db, vod: VodRecord, settings: Settings, live?: LiveProgress): VodRow {
  const parts = partsOf(db, vod.id);
  const uploads = uploadsOf(db, vod.id, vod.generation);
  const names = new Map(settings.destinations.map((d) => [destinationKey(d), d.name]));
  return {
    id: vod.id,
    channelId: vod.channel_id,
    channelName: vod.channel_name,
    title: vod.title,
    createdAt: vod.created_at,
    durationSec: vod.duration,
    url: vod.url,
    thumbnailUrl: vod.thumbnail_url,
    status: vod.status,
    stage: vod.stage,
    retries: vod.retries,
    nextRetryAt: vod.next_retry,
    lastError: vod.last_error,
    errorClass: vod.error_class,
    errorCode: vod.error_code,
    download: vod.status === 'processing' ? (live?.download ?? null) : null,
    parts: parts.map((p) => partRow(p, uploads, names, live)),
    partsTotal: vod.parts_total,
    updatedAt: vod.updated_at,
    recording: livePhase(db, vod) === 'following',
  };
}

function partRow(p: PartRecord, uploads: UploadRecord[], names: Map<string, string>, live?: LiveProgress): PartRow {
  const progress = live?.parts.get(p.idx);
  const posts: PostRow[] = uploads
    .filter((u) => u.part_idx === p.idx)
    .map((u) => ({
      destinationId: u.destination,
      destinationName: names.get(u.destination) ?? u.destination,
      state: u.state === 'posted' ? 'done' : u.state === 'failed' ? 'failed' : u.state === 'sending' ? 'active' : 'pending',
      messageId: u.message_id ?? undefined,
      link: u.link ?? undefined,
      error: u.error ?? undefined,
    }));
  const built = p.state !== 'planned';
  const uploaded = p.state === 'uploaded' || p.state === 'posted';
  return {
    index: p.idx,
    bytes: p.bytes ?? p.planned_bytes,
    durationSec: p.duration,
    build: built ? 'done' : (progress?.build ?? 'pending'),
    upload: uploaded ? 'done' : (progress?.upload ?? 'pending'),
    uploadProgress: uploaded ? 1 : (progress?.uploadProgress ?? 0),
    uploadSpeedBps: progress?.uploadSpeedBps,
    posts,
  };
}
