/**
 * Whether a VOD is still being recorded, asked of Helix by id: the same thumbnail rule discovery
 * uses (`404_processing` while live, FACTS.md). The live follower calls it only while the playlist
 * is idle, to tell a pause in the broadcast from its end.
 */
import { DEFAULT_LIVE_PHRASES, isLiveVideo } from './discovery';
import type { HelixClient } from './helix';
import { toArchiveVideo, type HelixVideo } from './videos';

/** True while Helix shows the VOD as processing; false once it does not, or no longer lists it. */
export async function vodStillProcessing(helix: HelixClient, vodId: string, phrases: readonly string[] = DEFAULT_LIVE_PHRASES, signal?: AbortSignal): Promise<boolean> {
  const body = await helix.get<{ data: HelixVideo[] }>('/videos', { id: vodId }, signal);
  const video = body.data.find((v) => v.id === vodId);
  return video !== undefined && isLiveVideo(toArchiveVideo(video), phrases);
}
