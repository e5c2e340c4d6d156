import { mkdirSync } from 'node:fs';
import { segmentSources } from '../../download/playlist';
import { followAndFetch } from '../../download/live-fetch';
import type { FollowedSegment } from '../../download/follow';
import { resolveVodPlaylist } from '../../download/resolve';
import { TsSegmentCheck } from '../../download/segment-check';
import type { SegmentTask } from '../../download/segments';
import { saveLiveSegments } from '../../store/live';
import { getMeta, setMeta } from '../../store/meta';
import { logOperation } from '../../store/operations';
import { markSegmentDone, segmentsOf } from '../../store/segments';
import { updateVod } from '../../store/vods';
import { createLogger } from '../../util/log';
import { bandwidthCap, type VodContext } from '../context';
import { setLivePhase } from '../live-state';
import { playlistKey } from '../whole-file';

const log = createLogger('pipeline');

/**
 * The fetch stage while the VOD is being broadcast (issue 15): follows its growing playlist
 * (download/live-fetch.ts), records each newly listed batch before fetching it, fetches it with
 * the ordinary segment fetcher and records each segment as it lands, until the playlist ends.
 * Started mid-broadcast or after a restart it catches up from the first segment not recorded, and
 * fetches the recorded ones not done first. It does not take the download slot: a broadcast lasts
 * hours at a stream's bitrate, and other VODs must not wait for it.
 */
export async function followLive(ctx: VodContext): Promise<void> {
  const { db, vod } = ctx;
  const s = ctx.settings();
  ctx.progress.stage('downloading');
  mkdirSync(ctx.folder.segments, { recursive: true });
  const mediaPlaylistUrl = await playlistUrl(ctx);
  const stored = segmentsOf(db, vod.id);
  const done = new Set(stored.filter((x) => x.done).map((x) => x.idx));
  const toTask = (seg: { index: number; url: string; muted: boolean; durationSec: number }): SegmentTask => ({
    index: seg.index,
    durationSec: seg.durationSec,
    ...segmentSources({ ...seg, unmutedUrl: seg.muted ? seg.url.replace(/-muted\.ts(\?|$)/, '.ts$1') : undefined }, vod.created_at),
  });
  const result = await followAndFetch({
    follow: { mediaPlaylistUrl, fromIndex: stored.length, stillProcessing: ctx.stillLive, pollMs: s.advanced.livePollMs || undefined },
    fetch: {
      dir: ctx.folder.segments,
      concurrency: s.vod.downloadConcurrency,
      bandwidthCapBps: bandwidthCap(s),
      isSegmentDone: (index) => done.has(index),
      // Checked and keyed as it downloads, as in the fetch stage (never read back). One commit per
      // segment: a broadcast lists one every few seconds.
      inspect: (index) => new TsSegmentCheck(index),
      onSegmentDone: (d) => {
        markSegmentDone(db, vod.id, d.index, d.bytes, d.streamKey ?? null);
        done.add(d.index);
        ctx.wake.notify();
      },
      onProgress: (p) => ctx.progress.download(p),
    },
    toTask: (seg: FollowedSegment) => toTask(seg),
    onListed: (segments, totalSec) => {
      saveLiveSegments(
        db,
        vod.id,
        segments.map((x) => ({ index: x.index, uri: x.url, durationSec: x.durationSec, muted: x.muted, discontinuitySeq: x.discontinuitySeq })),
      );
      updateVod(db, vod.id, { duration: Math.round(totalSec) });
      ctx.progress.changed();
    },
    resume: stored.filter((x) => !x.done).map((x) => toTask({ index: x.idx, url: x.uri, muted: Boolean(x.muted), durationSec: x.duration })),
    signal: ctx.signal,
  });
  // Every segment is listed and on disk: the plan may close, the captions become final.
  setLivePhase(db, vod, 'ended');
  logOperation(db, vod.id, 'live-follow', 'ok', { reason: result.reason, segments: result.segmentCount, totalSec: result.totalSec });
  log.info(`VOD ${vod.id}: the broadcast ended (${result.reason}) after ${result.segmentCount} segments`);
  ctx.wake.notify();
}

/** The media playlist URL, resolved once per generation and kept (the whole-file fallback reads the same key). */
async function playlistUrl(ctx: VodContext): Promise<string> {
  const { db, vod } = ctx;
  const key = playlistKey(vod.id, vod.generation);
  const known = getMeta(db, key);
  if (known) return known;
  const s = ctx.settings();
  const resolved = await resolveVodPlaylist({
    vodId: vod.id,
    endpoints: s.advanced.twitch,
    quality: s.vod.qualities,
    playbackToken: ctx.twitchPlaybackToken(),
    ytDlpPath: ctx.tools.ytDlp,
    signal: ctx.signal,
  });
  for (const warning of resolved.warnings) log.warn(`VOD ${vod.id}: ${warning}`);
  updateVod(db, vod.id, { quality: resolved.variant.name });
  setMeta(db, key, resolved.mediaPlaylistUrl);
  logOperation(db, vod.id, 'resolve', 'ok', { variant: resolved.variant.name, live: true, via: resolved.via });
  return resolved.mediaPlaylistUrl;
}
