/**
 * Whether a VOD's attempt is a live capture, kept in `meta` so a restart mid-broadcast (when the
 * VOD's status is `processing`, no longer `live`) still follows the playlist instead of treating
 * the segments recorded so far as the whole VOD:
 * - 'following': the playlist still grows; the cut stage keeps the plan open, the deliver stage
 *   may post with the total unknown (per the channel's live mode).
 * - 'ended': the broadcast is over and every segment is listed; the captions posted while live
 *   are edited to their final text and the index is sent.
 * No marker: an ordinary VOD.
 */
import type { LiveMode } from '../../contract/settings';
import type { Db } from '../store/database';
import { livePhase, setLivePhase } from '../store/live';
import { transient } from '../util/errors';
import type { VodContext } from './context';
import { liveStages } from './live-mode';

export { livePhase, setLivePhase, type LivePhase } from '../store/live';

/** The attempt follows a growing playlist right now. */
export const isFollowing = (db: Db, vod: { id: string; generation: number }): boolean => livePhase(db, vod) === 'following';

/** A broadcast being recorded, or one that becomes a capture when its attempt starts (beginLiveCapture). */
export const isLiveCapture = (db: Db, vod: { id: string; generation: number; status: string } | undefined): boolean =>
  vod !== undefined && (vod.status === 'live' || isFollowing(db, vod));

/**
 * At the start of an attempt: a VOD Twitch shows as live becomes a live capture, unless its
 * channel waits for the end (the legacy behaviour), which is `still_live` (the VOD waits, as
 * `live`, without spending retries). A capture already begun goes on whatever the mode is now:
 * its segments are recorded and some parts may be posted.
 */
export function beginLiveCapture(db: Db, vod: { id: string; generation: number; status: string }, mode: LiveMode): void {
  if (vod.status !== 'live' || livePhase(db, vod)) return;
  if (mode === 'waitForEnd') {
    throw transient('still_live', `VOD ${vod.id} is still being broadcast; its channel waits for the end before backing it up.`, { retryAfterSec: 600 });
  }
  setLivePhase(db, vod, 'following');
}

/** Parts may be posted before the part count is known: the VOD is recorded and its channel posts while live. */
export function postsWhileLive(ctx: Pick<VodContext, 'db' | 'vod' | 'liveMode'>): boolean {
  return isFollowing(ctx.db, ctx.vod) && liveStages(ctx.liveMode, true).deliver;
}
