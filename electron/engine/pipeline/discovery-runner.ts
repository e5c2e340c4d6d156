import type { ChannelProblem, TwitchChannelInfo } from '../../contract/domain';
import type { BackupScope, Settings } from '../../contract/settings';
import type { TwitchPort } from './ports';
import { nowIso, type Db } from '../store/database';
import { deleteMeta, getMeta, setMeta } from '../store/meta';
import { logOperation } from '../store/operations';
import { segmentsOf } from '../store/segments';
import { adoptVods, insertVod, knownStatuses, updateVod } from '../store/vods';
import { inScope } from '../twitch/backup-scope';
import { lookupChannels } from '../twitch/channels';
import { decideDiscovery, vanishedOutcome, type DiscoveryDecision, type VanishedOutcome } from '../twitch/discovery';
import { listArchiveVideos, type ArchiveVideo } from '../twitch/videos';
import { classify } from '../util/errors';
import { createLogger } from '../util/log';

const log = createLogger('discovery');

export interface DiscoveryResult {
  channels: number;
  inserted: string[];
  finished: string[];
  vanished: string[];
  /** Channels that could not be resolved or listed this pass; the others were checked. */
  channelProblems: ChannelProblem[];
}

const durationStr = (sec: number) => `${Math.floor(sec / 3600)}h${Math.floor((sec % 3600) / 60)}m${sec % 60}s`;
const missesKey = (id: string) => `discovery-misses:${id}`;
const goneKey = (id: string) => `source-gone:${id}`;

/**
 * When Twitch stopped listing this VOD for good (after the grace), or undefined. The conductor
 * reads it to say "completed from local copy" and, when a run fails, to fail with
 * `sourceGoneOutcome`'s reason instead of retrying a source that is not there.
 */
export function sourceGoneSince(db: Db, vodId: string): string | undefined {
  return getMeta(db, goneKey(vodId));
}

/** The vanished-VOD decision for one VOD, from what its segment list says is on disk. */
export function sourceGoneOutcome(db: Db, vodId: string): VanishedOutcome {
  const segments = segmentsOf(db, vodId);
  return vanishedOutcome({ segmentsTotal: segments.length, segmentsOnDisk: segments.filter((s) => s.done).length });
}

/**
 * One discovery pass: each configured channel resolved and listed on its own (a bad channel is a
 * problem of that channel, reported, while the others go on), decided by the pure
 * `decideDiscovery` and applied in one transaction per channel.
 */
export async function discoverAll(db: Db, settings: Settings, twitch: TwitchPort, signal?: AbortSignal): Promise<DiscoveryResult> {
  const result: DiscoveryResult = { channels: 0, inserted: [], finished: [], vanished: [], channelProblems: [] };
  const refs = settings.twitch.channels.map((c) => c.channel);
  if (refs.length > 0) {
    for (const looked of await lookupChannels(twitch.helix(), refs, signal)) {
      if ('problem' in looked) {
        result.channelProblems.push({ channel: looked.ref, message: looked.problem });
        continue;
      }
      try {
        const scope = settings.twitch.channels.find((c) => c.channel === looked.ref)?.backup;
        await discoverChannel(db, settings, twitch, looked.channel, result, signal, scope);
        result.channels++;
      } catch (error) {
        const info = classify(error);
        if (info.errorClass === 'cancelled' || info.errorClass === 'login') throw error;
        result.channelProblems.push({ channel: looked.ref, message: `Its VODs could not be listed: ${info.message}` });
      }
    }
  }
  for (const p of result.channelProblems) log.warn(`channel ${p.channel}: ${p.message}`);
  twitch.reportChannelProblems(result.channelProblems);
  return result;
}

async function discoverChannel(
  db: Db,
  settings: Settings,
  twitch: TwitchPort,
  channel: TwitchChannelInfo,
  result: DiscoveryResult,
  signal?: AbortSignal,
  scope?: BackupScope,
): Promise<void> {
  const fetched = await listArchiveVideos(twitch.helix(), channel.id, { signal });
  // Imported legacy rows carry no channel: adopt the ones Twitch lists for this channel first.
  adoptVods(
    db,
    channel.id,
    channel.displayName,
    fetched.map((v) => v.id),
  );
  const known = knownStatuses(db, channel.id);
  const misses = new Map<string, number>();
  for (const id of known.keys()) {
    const n = Number(getMeta(db, missesKey(id)) ?? 0);
    if (n > 0) misses.set(id, n);
  }
  const decided = decideDiscovery({ known, fetched, livePhrases: settings.vod.liveThumbnailPhrases, misses });
  // Only new rows are filtered by the backup scope: `fetched` stays whole, else known VODs outside the scope would count as vanished.
  const wanted = inScope(scope, fetched, Date.now());
  const decision: DiscoveryDecision = { ...decided, insert: decided.insert.filter((i) => wanted.has(i.video.id)) };
  db.transaction(() => applyDecision(db, channel, decision, result))();
  log.info(
    `${channel.login}: ${fetched.length} archive VODs, ${decision.insert.length} new, ${decision.becamePending.length} finished, ${decision.missing.length} missing (grace), ${decision.vanished.length} vanished`,
  );
}

function applyDecision(db: Db, channel: TwitchChannelInfo, decision: DiscoveryDecision, result: DiscoveryResult): void {
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
  for (const { video, status } of decision.insert) {
    insertVod(db, row(video, status));
    logOperation(db, video.id, 'discover', 'ok', { status });
    result.inserted.push(video.id);
  }
  for (const video of decision.becamePending) {
    updateVod(db, video.id, {
      status: 'pending',
      next_retry: null,
      duration: video.durationSec,
      duration_str: durationStr(video.durationSec),
      thumbnail_url: video.thumbnailUrl,
      title: video.title,
      last_checked: now,
    });
    logOperation(db, video.id, 'live-ended', 'ok');
    result.finished.push(video.id);
  }
  for (const video of decision.stillLive) {
    updateVod(db, video.id, { duration: video.durationSec, duration_str: durationStr(video.durationSec), title: video.title, last_checked: now });
  }
  for (const id of decision.reappeared) {
    deleteMeta(db, missesKey(id));
    deleteMeta(db, goneKey(id));
    updateVod(db, id, { missing_since: null });
    logOperation(db, id, 'listed-again', 'ok');
  }
  for (const { id, misses } of decision.missing) {
    setMeta(db, missesKey(id), String(misses));
    if (misses === 1) updateVod(db, id, { missing_since: now });
    logOperation(db, id, 'missing', 'ok', { misses });
  }
  for (const { id, status } of decision.vanished) applyVanished(db, id, status, now, result);
}

/**
 * After the grace: a VOD whose job is running is left to it (it needs Twitch only for segments not
 * yet on disk, and the conductor reads `sourceGoneSince`); otherwise the local copy decides.
 */
function applyVanished(db: Db, id: string, status: string, now: string, result: DiscoveryResult): void {
  const firstTime = sourceGoneSince(db, id) === undefined;
  if (firstTime) setMeta(db, goneKey(id), now);
  const outcome = sourceGoneOutcome(db, id);
  if (status === 'processing' || outcome.action === 'finishFromLocalCopy') {
    if (firstTime) logOperation(db, id, 'source-gone', 'ok', { action: status === 'processing' ? 'left to the running job' : outcome.action });
    return;
  }
  updateVod(db, id, { status: 'failed', stage: 'done', error_class: 'permanent', error_code: 'source_gone', last_error: outcome.reason, next_retry: null });
  logOperation(db, id, 'vanished', 'failed', outcome.reason);
  result.vanished.push(id);
}
