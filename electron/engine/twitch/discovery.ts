/**
 * Discovery decisions, as pure functions: given what the store already knows about a channel's
 * VODs and what Twitch lists now, what to insert, what finished being live, and what vanished.
 */
import type { VodStatus } from '../../contract/domain';
import type { ArchiveVideo } from './videos';

export const DEFAULT_LIVE_PHRASES = ['404_processing'];

export interface DiscoveryInput {
  /** VOD id -> status, for this channel's VODs already in the store. */
  known: ReadonlyMap<string, VodStatus> | Readonly<Record<string, VodStatus>>;
  /** Twitch's full archive list for the channel (all pages). */
  fetched: readonly ArchiveVideo[];
  livePhrases?: readonly string[];
  /** VOD id -> how many checks in a row it was already missing from (absent: 0). */
  misses?: ReadonlyMap<string, number>;
}

export interface DiscoveryDecision {
  insert: Array<{ video: ArchiveVideo; status: 'pending' | 'live' }>;
  /** Known `live` VODs whose thumbnail no longer says so: set them `pending`. */
  becamePending: ArchiveVideo[];
  /** Known `live` VODs still live (their duration grows: update it). */
  stillLive: ArchiveVideo[];
  /** Known `pending`/`live`/`processing` VODs missing from this answer but still within the grace. */
  missing: Array<{ id: string; misses: number }>;
  /** VODs that were missing before and are listed again: forget the misses. */
  reappeared: string[];
  /** Known `pending`/`live`/`processing` VODs missing from `MISSED_CHECKS_BEFORE_GONE` answers in a row. */
  vanished: Array<{ id: string; reason: string; status: VodStatus }>;
}

/**
 * A VOD absent from one Helix answer gets a grace of two more consecutive checks before it counts
 * as gone: Helix lists can miss an entry for a moment (a VOD moving between pages while they are
 * read, a partial answer), and acting on one answer failed VODs that were still there.
 */
export const MISSED_CHECKS_BEFORE_GONE = 3;

export const VANISHED_REASON = 'Twitch no longer lists this VOD (deleted, expired or made private) before it was backed up.';

export function isLiveVideo(video: Pick<ArchiveVideo, 'thumbnailUrl'>, phrases: readonly string[] = DEFAULT_LIVE_PHRASES): boolean {
  return phrases.some((p) => p !== '' && video.thumbnailUrl.includes(p));
}

export function decideDiscovery(input: DiscoveryInput): DiscoveryDecision {
  const known: ReadonlyMap<string, VodStatus> = input.known instanceof Map ? input.known : new Map(Object.entries(input.known));
  const phrases = input.livePhrases ?? DEFAULT_LIVE_PHRASES;
  const out: DiscoveryDecision = { insert: [], becamePending: [], stillLive: [], missing: [], reappeared: [], vanished: [] };
  const misses = input.misses ?? new Map<string, number>();
  const listed = new Set<string>();
  for (const video of input.fetched) {
    if (listed.has(video.id)) continue;
    listed.add(video.id);
    const status = known.get(video.id);
    if ((misses.get(video.id) ?? 0) > 0) out.reappeared.push(video.id);
    const live = isLiveVideo(video, phrases);
    if (status === undefined) out.insert.push({ video, status: live ? 'live' : 'pending' });
    else if (status === 'live') (live ? out.stillLive : out.becamePending).push(video);
    // pending, processing, completed, failed, skipped: nothing to decide here.
  }
  for (const [id, status] of known) {
    if ((status !== 'pending' && status !== 'live' && status !== 'processing') || listed.has(id)) continue;
    const count = (misses.get(id) ?? 0) + 1;
    if (count >= MISSED_CHECKS_BEFORE_GONE) out.vanished.push({ id, reason: VANISHED_REASON, status });
    else out.missing.push({ id, misses: count });
  }
  return out;
}

export type VanishedOutcome = { action: 'finishFromLocalCopy'; note: string } | { action: 'fail'; reason: string };

export const COMPLETED_FROM_LOCAL_COPY = 'Completed from local copy: Twitch no longer lists this VOD, but every segment had been downloaded.';

/**
 * What to do with a VOD Twitch no longer lists, once the grace is over: if work had started and
 * every segment is on disk (downloaded; parts already built from them count), it finishes from the
 * local copy; otherwise it fails, saying how much is missing. Nothing started: it fails as vanished.
 */
export function vanishedOutcome(work: { segmentsTotal: number; segmentsOnDisk: number }): VanishedOutcome {
  if (work.segmentsTotal === 0) return { action: 'fail', reason: VANISHED_REASON };
  if (work.segmentsOnDisk >= work.segmentsTotal) return { action: 'finishFromLocalCopy', note: COMPLETED_FROM_LOCAL_COPY };
  const missing = work.segmentsTotal - work.segmentsOnDisk;
  return {
    action: 'fail',
    reason: `Twitch no longer lists this VOD (deleted, expired or made private), and ${missing} of its ${work.segmentsTotal} segments had not been downloaded: it cannot be finished.`,
  };
}

export type VodOrderBy = 'created_at' | 'duration';
export type VodOrderDirection = 'asc' | 'desc';

/** Validates an ordering setting (the legacy tool pasted it into SQL). */
export function parseVodOrdering(by: string, direction: string): { by: VodOrderBy; direction: VodOrderDirection } {
  if (by !== 'created_at' && by !== 'duration') throw new Error(`VOD ordering must be "created_at" or "duration", got ${JSON.stringify(by)}`);
  const dir = direction.toLowerCase();
  if (dir !== 'asc' && dir !== 'desc') throw new Error(`VOD ordering direction must be "asc" or "desc", got ${JSON.stringify(direction)}`);
  return { by, direction: dir };
}

/** Stable sort by the chosen key; ties broken by creation time, then id, so the order is total. */
export function orderVods<T extends { id: string; createdAt: string; durationSec: number }>(
  vods: readonly T[],
  by: VodOrderBy = 'created_at',
  direction: VodOrderDirection = 'asc',
): T[] {
  const sign = direction === 'asc' ? 1 : -1;
  const time = (v: T) => Date.parse(v.createdAt) || 0;
  return [...vods].sort((a, b) => {
    const primary = by === 'duration' ? a.durationSec - b.durationSec : time(a) - time(b);
    if (primary !== 0) return sign * primary;
    const t = time(a) - time(b);
    if (t !== 0) return sign * t;
    return sign * (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  });
}
