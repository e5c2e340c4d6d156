/**
 * One VOD's download, end to end: resolve the playlist (native, yt-dlp -J fallback), check free
 * space, fetch the missing segments in parallel; if segment fetching fails for good and yt-dlp is
 * available, a last-resort whole download by yt-dlp. The caller owns persistence (callbacks).
 */
import { mkdirSync } from 'node:fs';
import type { DownloadProgress } from '../../contract/domain';
import { EngineError, transient } from '../util/errors';
import { createLogger } from '../util/log';
import type { TwitchEndpoints } from '../twitch/endpoints';
import { ensureFreeSpace, estimateVodBytes } from './disk';
import { segmentSources } from './playlist';
import { resolveVodPlaylist, type ResolvedVod } from './resolve';
import { fetchSegments, type FetchSegmentsResult, type SegmentDone } from './segments';
import { ytDlpDownload } from './ytdlp';

export { resolveVodPlaylist, needsLoginMessage, type ResolvedVod, type ResolveOptions } from './resolve';
export { fetchSegments, segmentPath, RateLimiter, type SegmentTask, type SegmentDone, type FetchSegmentsOptions, type FetchSegmentsResult } from './segments';
export { parseMasterPlaylist, parseMediaPlaylist, segmentSources, UNMUTED_WINDOW_MS, type Variant, type MediaSegment, type MediaPlaylist } from './playlist';
export { pickVariant, sourceVariant, type VariantChoice } from './quality';
export { ensureFreeSpace, estimateVodBytes, freeBytes } from './disk';
export { ytDlpDownload, ytDlpFormats, parseYtDlpProgressLine, variantsFromYtDlp } from './ytdlp';
export { ProgressTracker } from './progress';

const log = createLogger('download');

export interface DownloadVodOptions {
  vodId: string;
  /** Helix created_at; decides whether unmuted segments are tried first (younger than 24 h). */
  vodCreatedAt?: string;
  /** The VOD's work folder. */
  dir: string;
  endpoints: Pick<TwitchEndpoints, 'gqlUrl' | 'usherUrl' | 'vodPageUrl'>;
  quality: readonly string[];
  /** The browser's `auth-token` (Secrets.twitchPlaybackToken), for sub-only VODs; see resolve.ts. */
  playbackToken?: string;
  /** Enables the yt-dlp fallbacks (-J and the whole download). */
  ytDlpPath?: string;
  ffmpegPath?: string;
  concurrency?: number;
  segmentTimeoutMs?: number;
  maxAttempts?: number;
  bandwidthCapBps?: number;
  /** Download even if the playlist has no #EXT-X-ENDLIST yet (the broadcast is still running). */
  allowUnfinished?: boolean;
  /** Set false to fail instead of falling back to a whole yt-dlp download. */
  wholeFileFallback?: boolean;
  diskReserveBytes?: number;
  freeSpace?: (dir: string) => Promise<number>;
  isSegmentDone: (index: number) => boolean;
  onSegmentDone: (done: SegmentDone) => void | Promise<void>;
  onContiguous?: (lastContiguousIndex: number) => void;
  onProgress?: (p: DownloadProgress) => void;
  /** Minimum time between progress events (default 250 ms). */
  progressIntervalMs?: number;
  /** Called once the playlist is known (segment count and durations: the part planner needs them). */
  onResolved?: (resolved: ResolvedVod) => void | Promise<void>;
  signal?: AbortSignal;
  now?: () => number;
}

export type DownloadVodResult =
  | { mode: 'segments'; resolved: ResolvedVod; result: FetchSegmentsResult }
  | { mode: 'whole-file'; resolved: ResolvedVod; path: string; cause: string };

export async function downloadVod(o: DownloadVodOptions): Promise<DownloadVodResult> {
  const resolved = await resolveVodPlaylist({
    vodId: o.vodId,
    endpoints: o.endpoints,
    quality: o.quality,
    playbackToken: o.playbackToken,
    ytDlpPath: o.ytDlpPath,
    signal: o.signal,
  });
  if (!resolved.playlist.ended && !o.allowUnfinished) {
    // Discovery saw a finished thumbnail, but the playlist still grows: come back later.
    throw transient('vod_still_live', `VOD ${o.vodId} is still being broadcast (its playlist has no end yet); it will be tried again later.`, { retryAfterSec: 600 });
  }
  await o.onResolved?.(resolved);
  const segs = resolved.playlist.segments;
  const missing = segs.filter((s) => !o.isSegmentDone(s.index));
  const missingSec = missing.reduce((a, s) => a + s.durationSec, 0);
  mkdirSync(o.dir, { recursive: true });
  await ensureFreeSpace(o.dir, estimateVodBytes(resolved.variant.bandwidth, missingSec), { reserveBytes: o.diskReserveBytes, free: o.freeSpace });

  const now = o.now?.() ?? Date.now();
  const tasks = segs.map((s) => ({ index: s.index, durationSec: s.durationSec, ...segmentSources(s, o.vodCreatedAt, now) }));
  try {
    const result = await fetchSegments({
      dir: o.dir,
      segments: tasks,
      concurrency: o.concurrency,
      segmentTimeoutMs: o.segmentTimeoutMs,
      maxAttempts: o.maxAttempts,
      bandwidthCapBps: o.bandwidthCapBps,
      isSegmentDone: o.isSegmentDone,
      onSegmentDone: o.onSegmentDone,
      onContiguous: o.onContiguous,
      onProgress: o.onProgress,
      progressIntervalMs: o.progressIntervalMs,
      signal: o.signal,
    });
    return { mode: 'segments', resolved, result };
  } catch (err) {
    const hopeless = err instanceof EngineError && (err.errorClass === 'cancelled' || err.errorClass === 'disk' || err.errorClass === 'login');
    if (hopeless || !o.ytDlpPath || o.wholeFileFallback === false) throw err;
    const cause = err instanceof Error ? err.message : String(err);
    log.warn(`Segment download of VOD ${o.vodId} failed (${cause}); last resort: whole download by yt-dlp`);
    const { path } = await ytDlpDownload({
      ytDlpPath: o.ytDlpPath,
      url: resolved.mediaPlaylistUrl,
      outDir: o.dir,
      concurrency: o.concurrency,
      ffmpegPath: o.ffmpegPath,
      rateLimitBps: o.bandwidthCapBps,
      onProgress: o.onProgress,
      progressIntervalMs: o.progressIntervalMs,
      signal: o.signal,
    });
    return { mode: 'whole-file', resolved, path, cause };
  }
}
