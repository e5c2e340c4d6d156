import type { Settings } from '../../contract/settings';
import { nowIso, type Db } from '../store/database';
import { logOperation } from '../store/operations';
import { adoptVods, insertVod, knownStatuses, updateVod } from '../store/vods';
import { decideDiscovery } from '../twitch/discovery';
import { listArchiveVideos, type ArchiveVideo } from '../twitch/videos';
import { createLogger } from '../util/log';
import type { TwitchPort } from './ports';

const log = createLogger('discovery');

export interface DiscoveryResult {
  channels: number;
  inserted: string[];
  finished: string[];
  vanished: string[];
}

const durationStr = (sec: number) => `${Math.floor(sec / 3600)}h${Math.floor((sec % 3600) / 60)}m${sec % 60}s`;

/**
 * One discovery pass: every configured channel's whole archive (all pages), decided by the pure
 * `decideDiscovery` and applied in one transaction per channel.
 */
export async function discoverAll(db: Db, settings: Settings, twitch: TwitchPort, signal?: AbortSignal): Promise<DiscoveryResult> {
  const result: DiscoveryResult = { channels: 0, inserted: [], finished: [], vanished: [] };
  const refs = settings.twitch.channels.map((c) => c.channel);
  if (refs.length === 0) return result;
  const channels = await twitch.resolveChannels(refs, signal);
  for (const channel of channels) {
    const fetched = await listArchiveVideos(twitch.helix(), channel.id, { signal });
    // Imported legacy rows carry no channel: adopt the ones Twitch lists for this channel first.
    adoptVods(db, channel.id, channel.displayName, fetched.map((v) => v.id));
    const decision = decideDiscovery({ known: knownStatuses(db, channel.id), fetched, livePhrases: settings.vod.liveThumbnailPhrases });
    const now = nowIso();
    const row = (v: ArchiveVideo, status: 'pending' | 'live') => ({
      id: v.id,
      channel_id: channel.id,
      channel_name: channel.displayName,
      title: v.title,
      created_at: new Date(v.createdAt).toISOString(),
      duration: v.durationSec,
      duration_str: durationStr(v.durationSec),
      status,
      url: v.url,
      thumbnail_url: v.thumbnailUrl,
      muted_segments: JSON.stringify(v.mutedSegments),
    });
    db.transaction(() => {
      for (const { video, status } of decision.insert) {
        insertVod(db, row(video, status));
        logOperation(db, video.id, 'discover', 'ok', { status });
        result.inserted.push(video.id);
      }
      for (const video of decision.becamePending) {
        updateVod(db, video.id, { status: 'pending', duration: video.durationSec, duration_str: durationStr(video.durationSec), thumbnail_url: video.thumbnailUrl, title: video.title, last_checked: now });
        logOperation(db, video.id, 'live-ended', 'ok');
        result.finished.push(video.id);
      }
      for (const video of decision.stillLive) {
        updateVod(db, video.id, { duration: video.durationSec, duration_str: durationStr(video.durationSec), title: video.title, last_checked: now });
      }
      for (const { id, reason } of decision.vanished) {
        updateVod(db, id, { status: 'failed', stage: 'done', error_class: 'permanent', last_error: reason, missing_since: now });
        logOperation(db, id, 'vanished', 'failed', reason);
        result.vanished.push(id);
      }
    })();
    result.channels++;
    log.info(`${channel.login}: ${fetched.length} archive VODs, ${decision.insert.length} new, ${decision.becamePending.length} finished, ${decision.vanished.length} vanished`);
  }
  return result;
}
