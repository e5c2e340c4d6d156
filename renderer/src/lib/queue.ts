import type { DownloadProgress, PartRow, PostRow, VodRow } from '../../../electron/contract/domain';
import { formatHoursMinutes } from './format';

// The event updates live in the contract: the tray's status mirror in main uses them too.
export { applyDownload, applyPart, removeVod, upsertVod } from '../../../electron/contract/vod-updates';

const ACTIVE: Record<VodRow['status'], number> = { processing: 0, pending: 1, live: 2, failed: 3, completed: 4, skipped: 5 };

/** Working VODs first, then waiting ones, then recent finishes; oldest broadcast first within a group. */
export function sortQueue(list: VodRow[]): VodRow[] {
  return list.slice().sort((a, b) => ACTIVE[a.status] - ACTIVE[b.status] || a.createdAt.localeCompare(b.createdAt));
}

/** Bytes built/uploaded over all parts, for the VOD's overall upload bar. */
export function uploadFraction(v: VodRow): number {
  const total = v.partsTotal ?? v.parts.length;
  if (!total) return 0;
  const done = v.parts.reduce((sum, p) => sum + (p.upload === 'done' ? 1 : p.uploadProgress), 0);
  return Math.min(1, done / total);
}

export function downloadFraction(d: DownloadProgress | null): number {
  if (!d || d.segmentsTotal === 0) return 0;
  return Math.min(1, d.segmentsDone / d.segmentsTotal);
}

// ---- What the queue says about each VOD (issue 13 item 3) ------------------------------------

/** A phrase key with its parameters, translated by the card. */
export interface Phrase {
  key:
    | 'phase.queued'
    | 'phase.retrying'
    | 'phase.live'
    | 'phase.recording'
    | 'phase.waitingDownload'
    | 'phase.downloading'
    | 'phase.building'
    | 'phase.uploading'
    | 'phase.posting'
    | 'phase.cleaning'
    | 'phase.starting'
    | 'phase.completed'
    | 'phase.failed'
    | 'phase.skipped';
  params: Record<string, number | string>;
}

const waitingForRetry = (v: VodRow) => v.status === 'pending' && Boolean(v.lastError) && v.nextRetryAt != null;

/** 1-based place among the VODs waiting their turn (in the order the queue shows them), or 0. */
export function queuePlace(sorted: VodRow[], id: string): number {
  const waiting = sorted.filter((v) => v.status === 'pending' && !waitingForRetry(v));
  return waiting.findIndex((v) => v.id === id) + 1;
}

const posted = (p: PartRow) => p.posts.length > 0 && p.posts.every((x) => x.state === 'done');
// A part whose remaining destinations all failed is not the one being posted.
const settled = (p: PartRow) => p.posts.length > 0 && p.posts.every((x) => x.state === 'done' || x.state === 'failed' || Boolean(x.error));

/** What is true of the VOD now, in words: "Queued, 2nd", "Posting part 4 of 4", "Retrying in 4:59". */
export function vodPhase(v: VodRow, place: number): Phrase {
  const total = v.partsTotal ?? v.parts.length;
  const firstNot = (done: (p: PartRow) => boolean) => (v.parts.find((p) => !done(p))?.index ?? v.parts.length) || 1;
  switch (v.status) {
    case 'pending':
      return waitingForRetry(v) ? { key: 'phase.retrying', params: {} } : { key: 'phase.queued', params: { place } };
    case 'live':
      return { key: 'phase.live', params: {} };
    case 'completed':
    case 'failed':
    case 'skipped':
      return { key: `phase.${v.status}`, params: {} };
  }
  // A broadcast backed up as it runs: its length so far and the parts already out.
  if (v.recording) return { key: 'phase.recording', params: { time: formatHoursMinutes(v.durationSec), count: v.parts.filter(posted).length } };
  switch (v.stage) {
    case 'downloading':
      return v.download ? { key: 'phase.downloading', params: {} } : { key: 'phase.waitingDownload', params: {} };
    case 'building':
      return { key: 'phase.building', params: { n: firstNot((p) => p.build === 'done'), total } };
    case 'uploading':
      return { key: 'phase.uploading', params: { n: firstNot((p) => p.upload === 'done'), total } };
    case 'posting':
      return { key: 'phase.posting', params: { n: firstNot(settled), total } };
    case 'cleaning':
    case 'done':
      return { key: 'phase.cleaning', params: {} };
    default:
      return { key: 'phase.starting', params: {} };
  }
}

/** Parts whose every destination has the post (not merely uploaded). */
export function partsPosted(v: VodRow): number {
  return v.parts.filter(posted).length;
}

/**
 * Size of the whole VOD: the planned parts once known, else what the download has fetched scaled
 * up by the segments still to come. Null when nothing tells yet.
 */
export function vodBytes(v: VodRow): number | null {
  const total = v.partsTotal ?? 0;
  if (v.parts.length > 0 && v.parts.length >= total) return v.parts.reduce((s, p) => s + p.bytes, 0);
  const d = v.download;
  if (d && d.segmentsDone > 0 && d.segmentsTotal > 0) return (d.bytes * d.segmentsTotal) / d.segmentsDone;
  if (v.parts.length > 0) return (v.parts.reduce((s, p) => s + p.bytes, 0) * total) / v.parts.length;
  return null;
}

/**
 * Seconds until the VOD is backed up, from the live speeds: the rest of the download at its speed,
 * plus the bytes not yet uploaded at the upload speed (or the download speed before an upload ran).
 */
export function vodEta(v: VodRow): number | null {
  if (v.status !== 'processing') return null;
  const bytes = vodBytes(v);
  if (bytes == null) return null;
  const d = v.download;
  const downLeft = d && d.segmentsTotal > 0 && d.segmentsDone < d.segmentsTotal ? Math.max(0, bytes - d.bytes) : 0;
  const uploaded = v.parts.reduce((s, p) => s + (p.upload === 'done' ? p.bytes : p.bytes * p.uploadProgress), 0);
  const upLeft = Math.max(0, bytes - uploaded);
  const upSpeed = v.parts.find((p) => p.upload === 'active' && p.uploadSpeedBps)?.uploadSpeedBps ?? 0;
  const downSpeed = d?.speedBps ?? 0;
  if (downLeft > 0 && downSpeed <= 0) return null;
  const speed = upSpeed || downSpeed;
  if (upLeft > 0 && speed <= 0) return null;
  // Nothing left to move: posting is one request per destination, no honest ETA to give.
  if (downLeft === 0 && upLeft === 0) return null;
  // Download and upload overlap; the slower of the two bounds the time.
  return Math.max(downLeft > 0 ? downLeft / downSpeed : 0, upLeft > 0 ? upLeft / speed : 0);
}

export interface QueueTotals {
  vods: number;
  durationSec: number;
  /** Known sizes only; `unknownSize` counts the VODs without one. */
  bytes: number;
  unknownSize: number;
  etaSec: number | null;
}

/** Totals over the VODs still to back up (not finished), for the line above the queue. */
export function queueTotals(list: VodRow[]): QueueTotals {
  const open = list.filter((v) => v.status === 'pending' || v.status === 'processing' || v.status === 'live');
  const sizes = open.map(vodBytes);
  const etas = open.filter((v) => v.status === 'processing').map(vodEta);
  return {
    vods: open.length,
    durationSec: open.reduce((s, v) => s + v.durationSec, 0),
    bytes: sizes.reduce<number>((s, b) => s + (b ?? 0), 0),
    unknownSize: sizes.filter((b) => b == null).length,
    // Only the running VODs have speeds; the rest of the queue has no honest estimate yet.
    etaSec: etas.length > 0 && etas.every((e) => e != null) && open.every((v) => v.status === 'processing') ? Math.max(...(etas as number[])) : null,
  };
}

export type PostState = 'done' | 'failed' | 'active' | 'pending' | 'removed';

/** A post's state as the chip shows it: a destination no longer configured is "removed", never "in progress". */
export function postState(post: PostRow, configured: ReadonlySet<string>): PostState {
  if (post.state === 'done') return 'done';
  if (!configured.has(post.destinationId)) return 'removed';
  if (post.state === 'failed' || post.error) return 'failed';
  return post.state;
}
