import { mkdirSync } from 'node:fs';
import type { DownloadProgress } from '../../../contract/domain';
import { ensureFreeSpace, estimateVodBytes, waitForFreeSpace } from '../../download/disk';
import { segmentSources } from '../../download/playlist';
import { resolveVodPlaylist, type ResolvedVod } from '../../download/resolve';
import { TsSegmentCheck } from '../../download/segment-check';
import { fetchSegments, type FetchSegmentsResult, type SegmentDone } from '../../download/segments';
import type { Db } from '../../store/database';
import { setMeta } from '../../store/meta';
import { logOperation } from '../../store/operations';
import { partsOf } from '../../store/parts';
import { saveSegmentList, segmentsOf, type SegmentMark, type SegmentRecord } from '../../store/segments';
import { updateVod, type VodRecord } from '../../store/vods';
import type { TwitchEndpoints } from '../../twitch/endpoints';
import type { Tools } from '../../util/binaries';
import { classify, transient } from '../../util/errors';
import { createLogger } from '../../util/log';
import { bandwidthCap, type VodContext } from '../context';
import { ensureInitSegment, fmp4Rendition, inspectFmp4Segment, recordRendition } from '../fmp4';
import { isFollowing } from '../live-state';
import { SegmentMarks } from '../segment-marks';
import { downloadWholeFile, isWholeFile, playlistKey, switchToWholeFile, wholeFilePath } from '../whole-file';
import type { VodFolder } from '../work-folder';
import { followLive } from './follow';

const log = createLogger('pipeline');

/** How the fetch stage downloads (from the settings in the app; tests tune the timeouts). */
export interface FetchOptions {
  endpoints: Pick<TwitchEndpoints, 'gqlUrl' | 'usherUrl' | 'vodPageUrl'>;
  quality: readonly string[];
  /** The browser's `auth-token` (Secrets.twitchPlaybackToken), for sub-only VODs; see resolve.ts. */
  playbackToken?: string;
  concurrency: number;
  bandwidthCapBps?: number;
  diskReserveBytes: number;
  segmentTimeoutMs?: number;
  maxAttempts?: number;
  progressIntervalMs?: number;
  freeSpace?: (dir: string) => Promise<number>;
  /** A part's size limit: the space kept is for the next part (its segments and its MP4), not the whole VOD. */
  partBytes?: number;
  /** While space is short the download waits, looking again this often; absent: it fails with a `disk` error at once. */
  diskPollMs?: number;
  /** The wait for space started (what is needed) or ended (null). */
  onDiskWait?: (message: string | null) => void;
  /**
   * Fetch what the playlist lists even before #EXT-X-ENDLIST (a broadcast still running). The app
   * waits for the end today; a live capture would set this and call `fetchVod` again as the playlist grows.
   */
  allowUnfinished?: boolean;
  /** false: fail instead of the whole download by yt-dlp. */
  wholeFileFallback?: boolean;
}

export interface FetchInput {
  db: Db;
  vod: Pick<VodRecord, 'id' | 'generation' | 'created_at'>;
  folder: VodFolder;
  tools: Tools;
  signal: AbortSignal;
  options: FetchOptions;
  onProgress?: (p: DownloadProgress) => void;
  /** A segment is on disk and recorded (with the stream key stored for it); marks are committed in batches (segment-marks.ts). */
  onSegment?: (done: RecordedSegment) => void;
  /**
   * Every segment up to this index is on disk and recorded: the conductor wakes the cut stage here
   * (it plans from the store), at most once per batch of marks. A live capture would feed newly
   * listed segments in the same way.
   */
  onContiguous?: (lastIndex: number) => void;
  now?: () => number;
}

/** A finished segment as recorded: what the fetcher reported, with the stream key stored for it. */
export type RecordedSegment = Omit<SegmentDone, 'streamKey'> & SegmentMark;

export type FetchOutcome = { mode: 'segments'; resolved?: ResolvedVod; result?: FetchSegmentsResult } | { mode: 'whole-file'; resolved?: ResolvedVod; path: string; cause: string };

/**
 * The fetch stage: resolve the playlist once (native, yt-dlp -J fallback) and record its
 * segments, check free space for what is missing, fetch the missing segments in parallel, each
 * recorded as it lands; if segment fetching fails for good before any part exists and yt-dlp is
 * there, the whole download by yt-dlp. Everything it produces goes to the store.
 */
export async function fetchVod(input: FetchInput): Promise<FetchOutcome> {
  const { db, vod, signal, options } = input;
  const resolved = segmentsOf(db, vod.id).length === 0 ? await resolveAndRecord(input) : undefined;
  if (isWholeFile(db, vod.id, vod.generation)) return wholeFile(input, resolved, 'resumed');
  const segments = segmentsOf(db, vod.id);
  const missing = segments.filter((s) => !s.done);
  if (missing.length === 0) return { mode: 'segments', resolved };
  await ensureSpace(input, segments, missing, resolved);
  const fmp4 = fmp4Rendition(db, vod.id, vod.generation);
  if (fmp4) await ensureInitSegment(fmp4, input.folder.segments, signal);
  const done = new Set(segments.filter((s) => s.done).map((s) => s.idx));
  const now = input.now?.() ?? Date.now();
  const marks = segmentRecorder(input);
  try {
    const result = await fetchSegments({
      dir: input.folder.segments,
      segments: segments.map((s) => ({ index: s.idx, durationSec: s.duration, ...sourcesOf(s, vod.created_at, now) })),
      concurrency: options.concurrency,
      segmentTimeoutMs: options.segmentTimeoutMs,
      maxAttempts: options.maxAttempts,
      bandwidthCapBps: options.bandwidthCapBps,
      progressIntervalMs: options.progressIntervalMs,
      // No Authorization header: segments come from the CDN, which needs none (the token only unlocks the playlist).
      isSegmentDone: (index) => done.has(index),
      // MPEG-TS is checked and its stream key read as it downloads, never read back; an incomplete
      // key stores null (the planner keeps the previous one).
      inspect: fmp4 ? undefined : (index) => new TsSegmentCheck(index),
      onSegmentDone: async (d) => {
        const streamKey = fmp4 ? (await inspectFmp4Segment(fmp4, d.path, d.index, d.bytes)).streamKey : d.streamKey;
        marks.add({ ...d, streamKey: streamKey ?? null });
      },
      onContiguous: marks.contiguous,
      onProgress: input.onProgress,
      signal,
    });
    marks.flush();
    logOperation(db, vod.id, 'download', 'ok', { segments: segments.length });
    return { mode: 'segments', resolved, result };
  } catch (error) {
    // The segments on disk so far are recorded (the first error is the one reported).
    marks.settle();
    // Last resort, only while no part exists yet (parts cut from segments and from a whole file
    // would not line up): yt-dlp downloads the whole VOD instead.
    const info = classify(error);
    const hopeless = ['cancelled', 'disk', 'login'].includes(info.errorClass) || signal.aborted;
    if (hopeless || !input.tools.ytDlp || options.wholeFileFallback === false || partsOf(db, vod.id).length > 0) throw error;
    switchToWholeFile(db, vod.id, vod.generation, info.message);
    return wholeFile(input, resolved, info.message);
  }
}

/**
 * The segment marks of one fetch, committed in batches; each batch then goes to `onSegment`, and
 * how far the VOD is contiguous to `onContiguous` once every mark up to there is committed (the
 * fetcher reports a segment before it counts it as contiguous, so that is whenever none is queued).
 */
export function segmentRecorder(input: Pick<FetchInput, 'db' | 'vod' | 'onSegment' | 'onContiguous'>) {
  let contiguous = -1;
  let reported = -1;
  const report = () => {
    if (contiguous <= reported || !marks.settled) return;
    reported = contiguous;
    input.onContiguous?.(contiguous);
  };
  const marks = new SegmentMarks<RecordedSegment>(input.db, input.vod.id, (list) => {
    for (const m of list) input.onSegment?.(m);
    report();
  });
  return {
    add: (m: RecordedSegment) => marks.add(m),
    contiguous: (last: number) => ((contiguous = last), report()),
    flush: () => (marks.flush(), report()),
    settle: () => (marks.settle(), report()),
  };
}

async function resolveAndRecord(input: FetchInput): Promise<ResolvedVod> {
  const { db, vod, options } = input;
  const resolved = await resolveVodPlaylist({
    vodId: vod.id,
    endpoints: options.endpoints,
    quality: options.quality,
    playbackToken: options.playbackToken,
    ytDlpPath: input.tools.ytDlp,
    signal: input.signal,
  });
  for (const warning of resolved.warnings) log.warn(`VOD ${vod.id}: ${warning}`);
  if (!resolved.playlist.ended && !options.allowUnfinished) {
    // Discovery saw a finished thumbnail, but the playlist still grows: come back later.
    throw transient('still_live', `VOD ${vod.id} is still being broadcast (its playlist has no end yet); it will be backed up once it ends.`, { retryAfterSec: 600 });
  }
  db.transaction(() => {
    const segments = resolved.playlist.segments.map((s) => ({ index: s.index, uri: s.url, durationSec: s.durationSec, muted: s.muted }));
    saveSegmentList(db, vod.id, segments);
    updateVod(db, vod.id, { quality: resolved.variant.name });
    // Kept for the whole-file fallback, which hands yt-dlp the same media playlist.
    setMeta(db, playlistKey(vod.id, vod.generation), resolved.mediaPlaylistUrl);
    recordRendition(db, vod.id, vod.generation, resolved);
  })();
  logOperation(db, vod.id, 'resolve', 'ok', { variant: resolved.variant.name, segments: resolved.playlist.segments.length, via: resolved.via });
  return resolved;
}

/** Room for the missing segments, estimated from the variant's bandwidth or the bytes per second so far. */
async function ensureSpace(input: FetchInput, all: SegmentRecord[], missing: SegmentRecord[], resolved: ResolvedVod | undefined): Promise<void> {
  const seconds = (list: SegmentRecord[]) => list.reduce((n, s) => n + s.duration, 0);
  const done = all.filter((s) => s.done && s.bytes !== null);
  const rateBps = resolved ? resolved.variant.bandwidth : done.length > 0 ? (8 * done.reduce((n, s) => n + (s.bytes ?? 0), 0)) / Math.max(1, seconds(done)) : 0;
  mkdirSync(input.folder.segments, { recursive: true });
  const rest = estimateVodBytes(rateBps, seconds(missing));
  // Parts are built, posted and removed as the download goes: room for the next one is enough.
  const partBytes = input.options.partBytes;
  await spaceFor(input, partBytes ? Math.min(rest, 2 * partBytes) : rest);
}

async function spaceFor(input: FetchInput, neededBytes: number): Promise<void> {
  const { options } = input;
  const room = { reserveBytes: options.diskReserveBytes, free: options.freeSpace };
  if (options.diskPollMs === undefined) await ensureFreeSpace(input.folder.root, neededBytes, room);
  else await waitForFreeSpace(input.folder.root, neededBytes, { ...room, signal: input.signal, pollMs: options.diskPollMs, onWait: options.onDiskWait });
}

async function wholeFile(input: FetchInput, resolved: ResolvedVod | undefined, cause: string): Promise<FetchOutcome> {
  const { db, vod, options } = input;
  const parts = partsOf(db, vod.id);
  const cut = parts.length > 0 && parts.every((p) => p.state !== 'planned');
  const existing = wholeFilePath(db, vod.id, vod.generation);
  if (cut || existing) return { mode: 'whole-file', resolved, path: existing ?? '', cause };
  const total = segmentsOf(db, vod.id).reduce((n, s) => n + s.duration, 0);
  // The whole file at once, then its parts cut from it one at a time (the next part beside it).
  const fileBytes = estimateVodBytes(resolved?.variant.bandwidth ?? 8_000_000, total);
  await spaceFor(input, fileBytes + Math.min(fileBytes, options.partBytes ?? fileBytes));
  const path = await downloadWholeFile(
    { db, vodId: vod.id, generation: vod.generation, folder: input.folder, tools: input.tools, signal: input.signal },
    { concurrency: options.concurrency, rateLimitBps: options.bandwidthCapBps, onProgress: (p) => input.onProgress?.(p) },
  );
  return { mode: 'whole-file', resolved, path, cause };
}

function sourcesOf(s: SegmentRecord, createdAt: string, now: number): { url: string; fallbackUrl?: string } {
  const unmutedUrl = s.muted ? s.uri.replace(/-muted\.ts(\?|$)/, '.ts$1') : undefined;
  return segmentSources({ index: s.idx, url: s.uri, unmutedUrl, muted: Boolean(s.muted), durationSec: s.duration }, createdAt, now);
}

/** The fetch stage as the conductor runs it: one VOD downloads at a time, settings from the context. */
export async function fetchStage(ctx: VodContext): Promise<void> {
  if (isFollowing(ctx.db, ctx.vod)) return followLive(ctx);
  const segments = segmentsOf(ctx.db, ctx.vod.id);
  const finished = segments.length > 0 && segments.every((s) => s.done) && !isWholeFile(ctx.db, ctx.vod.id, ctx.vod.generation);
  if (finished) return;
  await ctx.slots.download.acquire(ctx.signal);
  try {
    ctx.progress.stage('downloading');
    const s = ctx.settings();
    await fetchVod({
      db: ctx.db,
      vod: ctx.vod,
      folder: ctx.folder,
      tools: ctx.tools,
      signal: ctx.signal,
      options: {
        endpoints: s.advanced.twitch,
        quality: s.vod.qualities,
        playbackToken: ctx.twitchPlaybackToken(),
        concurrency: s.vod.downloadConcurrency,
        bandwidthCapBps: bandwidthCap(s),
        diskReserveBytes: s.advanced.lowDiskGuardMB * 1_000_000,
        partBytes: ctx.rules.ceilingBytes,
        freeSpace: ctx.disk.free,
        diskPollMs: ctx.disk.pollMs,
        onDiskWait: ctx.disk.onWait,
      },
      onProgress: (p) => ctx.progress.download(p),
      onSegment: (d) => ctx.segments.done(d.index, d.bytes, d.streamKey),
      onContiguous: () => ctx.wake.notify(),
    });
    ctx.wake.notify();
  } finally {
    ctx.slots.download.release();
  }
}
