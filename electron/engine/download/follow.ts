/**
 * Follows a growing (live) VOD's media playlist: polls it about once per target duration and
 * yields each batch of new segments as soon as it is listed, so the fetch stage gets them before
 * Twitch mutes anything. Started mid-broadcast (or after a restart) it first yields everything
 * from `fromIndex` (catch-up), then follows. It stops when the playlist ends (`#EXT-X-ENDLIST`),
 * or when Helix no longer says "processing" and no new segment has appeared for a while (an edge
 * may keep serving a stale EVENT playlist).
 *
 * Rules from the HLS spec (RFC 8216): an EVENT playlist only grows at its end (§4.3.3.5), so a
 * segment once listed keeps its index; after a reload that changed the playlist the client waits
 * at least the target duration, after one that did not, half of it (§6.3.4); a segment after
 * `#EXT-X-DISCONTINUITY` may change encoding parameters and timestamps (§4.3.2.3), so each
 * segment carries the count of discontinuities before it (`discontinuitySeq`) for the planner's
 * stream key: a new value starts a new part.
 */
import { EngineError, permanent, transient } from '../util/errors';
import { createLogger } from '../util/log';
import { backoffDelayMs, describeUrl, fetchWithTimeout, sleep as defaultSleep, type FetchLike } from '../twitch/http';
import { parseMediaPlaylist, type MediaSegment } from './playlist';

const log = createLogger('download');

export interface FollowedSegment extends MediaSegment {
  /** Number of `#EXT-X-DISCONTINUITY` tags before this segment (plus the playlist's base). */
  discontinuitySeq: number;
  /** The segment directly follows a discontinuity (the broadcast dropped and resumed). */
  discontinuity: boolean;
}

export type FollowEvent =
  /** New segments in playlist order, the catch-up first; `totalSec`: the playlist's length now. */
  | { kind: 'segments'; segments: FollowedSegment[]; totalSec: number }
  /** Following is over: every segment has been yielded. */
  | { kind: 'end'; reason: 'endlist' | 'not_processing'; segmentCount: number; totalSec: number };

export interface FollowOptions {
  mediaPlaylistUrl: string;
  /** Segments already recorded (a restart): yield from this index on. Default 0. */
  fromIndex?: number;
  /** Whether Helix still shows the VOD as processing (live); asked only while the playlist is idle. */
  stillProcessing?: (signal?: AbortSignal) => Promise<boolean>;
  /** At most one `stillProcessing` call per this many ms. Default 60 s (Helix points are shared). */
  processingCheckMs?: number;
  /** After Helix says done, stop once no segment has appeared for this long. Default 3 target durations, at least 30 s. */
  quietAfterEndMs?: number;
  /** Still "processing" but no new segment for this long: give up with a transient error (the job resumes later). Default 30 min. */
  idleLimitMs?: number;
  /** Overrides the poll interval derived from the target duration (tests, tuning). */
  pollMs?: number;
  /** Consecutive failed polls before giving up with the last error. Default 8. */
  maxFailures?: number;
  timeoutMs?: number;
  signal?: AbortSignal;
  fetchImpl?: FetchLike;
  /** Clock and sleep (tests); default Date.now and a cancellable timer. */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** For each segment of a media playlist, the discontinuity sequence it belongs to and whether one starts at it. */
export function discontinuityMarks(text: string): Array<{ seq: number; starts: boolean }> {
  const marks: Array<{ seq: number; starts: boolean }> = [];
  let seq = 0;
  let pending = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('#EXT-X-DISCONTINUITY-SEQUENCE:')) seq = Number.parseInt(line.slice(30), 10) || 0;
    else if (line === '#EXT-X-DISCONTINUITY') {
      seq += 1;
      pending = true;
    } else if (line && !line.startsWith('#')) {
      marks.push({ seq, starts: pending });
      pending = false;
    }
  }
  return marks;
}

/** One poll's reading: segments with their discontinuity marks, whether it ended, the target duration. */
export function readLivePlaylist(text: string, baseUrl: string): { segments: FollowedSegment[]; ended: boolean; totalSec: number; targetSec: number } {
  const parsed = parseMediaPlaylist(text, baseUrl);
  const marks = discontinuityMarks(text);
  const target = /#EXT-X-TARGETDURATION:\s*(\d+(?:\.\d+)?)/.exec(text);
  const targetSec = target ? Number(target[1]) : Math.max(1, ...parsed.segments.map((s) => s.durationSec));
  const segments = parsed.segments.map((s, i) => ({ ...s, discontinuitySeq: marks[i]?.seq ?? 0, discontinuity: marks[i]?.starts ?? false }));
  return { segments, ended: parsed.ended, totalSec: parsed.totalSec, targetSec };
}

async function fetchPlaylist(opts: FollowOptions): Promise<string> {
  const url = opts.mediaPlaylistUrl;
  const res = await fetchWithTimeout(url, {}, { timeoutMs: opts.timeoutMs ?? 15_000, signal: opts.signal, fetchImpl: opts.fetchImpl });
  const text = await res.text();
  if (res.status === 404) throw permanent('vod_not_found', `The live VOD's playlist is gone (${describeUrl(url)} answered 404): the VOD was deleted.`);
  if (res.status !== 200) throw transient(`HTTP_${res.status}`, `${describeUrl(url)} answered ${res.status} while following the live VOD.`);
  return text;
}

/** Follows the playlist until it ends; see the module comment. */
export async function* followPlaylist(opts: FollowOptions): AsyncGenerator<FollowEvent> {
  const now = opts.now ?? Date.now;
  const wait = opts.sleep ?? defaultSleep;
  const maxFailures = opts.maxFailures ?? 8;
  let next = opts.fromIndex ?? 0;
  let lastGrowthAt = now();
  let lastCheckAt = Number.NEGATIVE_INFINITY;
  let processing = true;
  let failures = 0;
  let previousText: string | undefined;
  for (;;) {
    let reading: ReturnType<typeof readLivePlaylist>;
    let text: string;
    try {
      text = await fetchPlaylist(opts);
      reading = readLivePlaylist(text, opts.mediaPlaylistUrl);
      failures = 0;
    } catch (err) {
      const e = err instanceof EngineError ? err : transient('bad_live_playlist', `The live VOD's playlist is unreadable: ${(err as Error).message}`, { cause: err });
      if (e.errorClass !== 'transient' || ++failures >= maxFailures) throw e;
      log.warn(`Polling the live playlist failed (${failures}/${maxFailures}); trying again`, e);
      await wait(backoffDelayMs(failures - 1, { baseMs: 1000, maxMs: 30_000 }), opts.signal);
      continue;
    }
    if (reading.segments.length < next && previousText !== undefined) {
      // An edge serving an older copy: never un-yield, wait for it to catch up.
      log.warn(`The live playlist lists ${reading.segments.length} segments, fewer than the ${next} already seen; waiting`);
    }
    const fresh = reading.segments.slice(next);
    if (fresh.length > 0) {
      next += fresh.length;
      lastGrowthAt = now();
      yield { kind: 'segments', segments: fresh, totalSec: reading.totalSec };
    }
    if (reading.ended) {
      yield { kind: 'end', reason: 'endlist', segmentCount: next, totalSec: reading.totalSec };
      return;
    }
    const idleMs = now() - lastGrowthAt;
    if (fresh.length === 0 && opts.stillProcessing && now() - lastCheckAt >= (opts.processingCheckMs ?? 60_000)) {
      lastCheckAt = now();
      try {
        processing = await opts.stillProcessing(opts.signal);
      } catch (err) {
        // Helix down or rate-limited: keep following on the last answer, ask again later.
        if (err instanceof EngineError && err.errorClass === 'cancelled') throw err;
        log.warn('Could not ask Twitch whether the VOD is still live; asking again later', err);
      }
    }
    const targetMs = reading.targetSec * 1000;
    if (!processing && idleMs >= (opts.quietAfterEndMs ?? Math.max(30_000, 3 * targetMs))) {
      yield { kind: 'end', reason: 'not_processing', segmentCount: next, totalSec: reading.totalSec };
      return;
    }
    if (processing && idleMs >= (opts.idleLimitMs ?? 30 * 60_000)) {
      throw transient('live_stalled', `The live VOD's playlist has not grown for ${Math.round(idleMs / 60_000)} min while Twitch still shows it as live.`);
    }
    const changed = text !== previousText;
    previousText = text;
    await wait(opts.pollMs ?? (changed ? targetMs : targetMs / 2), opts.signal);
  }
}

/**
 * The planner's stream key for a followed segment: its codec/picture signature plus the
 * discontinuity run it belongs to, so a drop-and-resume starts a new part even when the stream
 * parameters did not change (the timestamps restart there, RFC 8216 §4.3.2.3).
 */
export function liveStreamKey(signature: string | undefined, discontinuitySeq: number): string {
  return discontinuitySeq === 0 ? (signature ?? '') : `${signature ?? ''}#d${discontinuitySeq}`;
}
