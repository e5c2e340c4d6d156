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
}

export interface DiscoveryDecision {
  insert: Array<{ video: ArchiveVideo; status: 'pending' | 'live' }>;
  /** Known `live` VODs whose thumbnail no longer says so: set them `pending`. */
  becamePending: ArchiveVideo[];
  /** Known `live` VODs still live (their duration grows: update it). */
  stillLive: ArchiveVideo[];
  /** Known `pending`/`live` VODs Twitch no longer lists. */
  vanished: Array<{ id: string; reason: string }>;
}

export const VANISHED_REASON = 'Twitch no longer lists this VOD (deleted, expired or made private) before it was backed up.';

export function isLiveVideo(video: Pick<ArchiveVideo, 'thumbnailUrl'>, phrases: readonly string[] = DEFAULT_LIVE_PHRASES): boolean {
  return phrases.some((p) => p !== '' && video.thumbnailUrl.includes(p));
}

export function decideDiscovery(input: DiscoveryInput): DiscoveryDecision {
  const known: ReadonlyMap<string, VodStatus> = input.known instanceof Map ? input.known : new Map(Object.entries(input.known));
  const phrases = input.livePhrases ?? DEFAULT_LIVE_PHRASES;
  const out: DiscoveryDecision = { insert: [], becamePending: [], stillLive: [], vanished: [] };
  const listed = new Set<string>();
  for (const video of input.fetched) {
    if (listed.has(video.id)) continue;
    listed.add(video.id);
    const status = known.get(video.id);
    const live = isLiveVideo(video, phrases);
    if (status === undefined) out.insert.push({ video, status: live ? 'live' : 'pending' });
    else if (status === 'live') (live ? out.stillLive : out.becamePending).push(video);
    // pending, processing, completed, failed, skipped: nothing to decide here.
  }
  for (const [id, status] of known) {
    if ((status === 'pending' || status === 'live') && !listed.has(id)) out.vanished.push({ id, reason: VANISHED_REASON });
  }
  return out;
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
