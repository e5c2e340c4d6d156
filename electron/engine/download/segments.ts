/**
 * Fetches a VOD's HLS segments into a work folder with K parallel keep-alive connections.
 * Each segment goes to `<dir>/<index>.ts.part`, is checked against Content-Length (and by the
 * caller's `inspect`, as its bytes arrive) and renamed to `<index>.ts`; only then is it reported
 * done (the pipeline records it in SQLite), so after a crash only the segments not recorded are
 * fetched again.
 *
 * Persistence stays with the caller: `isSegmentDone` says what to skip, `onSegmentDone` records,
 * `onContiguous` says how far the VOD is complete without gaps (parts are built from there).
 */
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, unlinkSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import PQueue from 'p-queue';
import type { DownloadProgress } from '../../contract/domain';
import { EngineError, permanent, transient } from '../util/errors';
import { createLogger } from '../util/log';
import { backoffDelayMs, cancelled, describeUrl, sleep, type BackoffOptions } from '../twitch/http';
import { ProgressTracker } from './progress';

const log = createLogger('download');

export interface SegmentTask {
  index: number;
  /** First URL to try (the unmuted one for a young VOD's muted segment). */
  url: string;
  /** Tried when `url` answers 403/404 (the muted segment). */
  fallbackUrl?: string;
  durationSec: number;
}

export interface SegmentDone {
  index: number;
  bytes: number;
  durationSec: number;
  path: string;
  /** The URL that was used in the end. */
  url: string;
  /** True when the fallback (muted) URL was used. */
  usedFallback: boolean;
  /** What `inspect` found (the stream key); absent without `inspect` or when it found none. */
  streamKey?: string;
}

/**
 * Looks at one attempt's bytes in order as they arrive, before they reach the disk, so a segment
 * is never read back: `push` or `finish` throwing refuses the attempt (a transient error retries it).
 */
export interface SegmentInspector {
  push(chunk: Buffer): void;
  /** The whole body arrived (`bytes` long); returns the segment's stream key, if it found one. */
  finish(bytes: number): string | undefined;
}

export interface FetchSegmentsOptions {
  dir: string;
  segments: readonly SegmentTask[];
  /** Parallel connections (default 8). */
  concurrency?: number;
  /** A segment that sends nothing for this long is aborted and retried (default 20 s). */
  segmentTimeoutMs?: number;
  /** Attempts per segment for transient failures (default 6). */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Total cap over all connections, bytes per second; 0/undefined = none. */
  bandwidthCapBps?: number;
  headers?: Record<string, string>;
  isSegmentDone: (index: number) => boolean;
  onSegmentDone: (done: SegmentDone) => void | Promise<void>;
  /** A fresh inspector for each attempt at segment `index` (download/segment-check.ts TsSegmentCheck). */
  inspect?: (index: number) => SegmentInspector;
  onProgress?: (progress: DownloadProgress) => void;
  /** Called with the highest index such that it and every segment before it are done. */
  onContiguous?: (lastContiguousIndex: number) => void;
  progressIntervalMs?: number;
  signal?: AbortSignal;
}

export interface FetchSegmentsResult {
  /** Bytes fetched by this run (not counting segments that were already done). */
  bytesFetched: number;
  segmentsFetched: number;
  segmentsSkipped: number;
  /** Total bytes of all segments in the folder at the end. */
  totalBytes: number;
  seconds: number;
}

export const segmentPath = (dir: string, index: number) => join(dir, `${index}.ts`);

/** Shared token bucket for the optional bandwidth cap (up to 0.25 s of burst). */
export class RateLimiter {
  private t = 0;
  constructor(private readonly bytesPerSec: number) {}
  /** Milliseconds to wait before sending `bytes` more. */
  delayFor(bytes: number, now = Date.now()): number {
    this.t = Math.max(this.t, now - 250) + (bytes / this.bytesPerSec) * 1000;
    return Math.max(0, this.t - now);
  }
}

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

interface GetOptions {
  agent: http.Agent;
  headers: Record<string, string>;
  idleTimeoutMs: number;
  signal: AbortSignal;
  limiter?: RateLimiter;
  inspector?: SegmentInspector;
  onBytes: (n: number) => void;
}

/** One GET into `partPath`; resolves with the byte count (checked against Content-Length) and the inspector's stream key. */
function getToFile(url: string, partPath: string, o: GetOptions): Promise<{ bytes: number; streamKey?: string }> {
  return new Promise((resolve, reject) => {
    const lib = url.startsWith('https:') ? https : http;
    let settled = false;
    const fail = (err: unknown) => {
      if (settled) return;
      settled = true;
      reject(err);
    };
    const req = lib.get(url, { agent: o.agent, headers: o.headers, signal: o.signal }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return fail(new HttpStatusError(res.statusCode ?? 0));
      }
      const expected = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
      let bytes = 0;
      const limiter = o.limiter;
      const count = async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) {
          bytes += chunk.length;
          o.onBytes(chunk.length);
          o.inspector?.push(chunk);
          if (limiter) {
            const wait = limiter.delayFor(chunk.length);
            if (wait > 0) await sleep(wait, o.signal);
          }
          yield chunk;
        }
      };
      pipeline(res, count, createWriteStream(partPath))
        .then(() => {
          if (res.aborted || !res.complete) return fail(transient('SHORT_BODY', `Connection closed after ${bytes} bytes.`));
          if (expected !== undefined && bytes !== expected) return fail(transient('SIZE_MISMATCH', `Got ${bytes} bytes, Content-Length said ${expected}.`));
          const streamKey = o.inspector?.finish(bytes);
          if (!settled) {
            settled = true;
            resolve({ bytes, streamKey });
          }
        })
        .catch(fail);
    });
    req.setTimeout(o.idleTimeoutMs, () => req.destroy(transient('SEGMENT_TIMEOUT', `No data for ${o.idleTimeoutMs} ms.`)));
    req.on('error', fail);
  });
}

export async function fetchSegments(opts: FetchSegmentsOptions): Promise<FetchSegmentsResult> {
  const started = Date.now();
  const ordered = [...opts.segments].sort((a, b) => a.index - b.index);
  if (new Set(ordered.map((s) => s.index)).size !== ordered.length) throw new Error('fetchSegments: segment indices must be unique.');
  mkdirSync(opts.dir, { recursive: true });
  const run = new SegmentRun(opts, ordered);
  const todo = ordered.filter((s) => !run.done.has(s.index));
  try {
    await run.fetchAll(todo);
  } finally {
    run.close(todo);
  }
  if (opts.signal?.aborted) throw cancelled();
  if (run.firstError) throw run.firstError;
  return {
    bytesFetched: run.bytesFetched,
    segmentsFetched: todo.length,
    segmentsSkipped: ordered.length - todo.length,
    totalBytes: run.skippedBytes + run.bytesFetched,
    seconds: (Date.now() - started) / 1000,
  };
}

/** One call of fetchSegments: its connections, progress, and what is done so far. */
class SegmentRun {
  readonly done = new Set<number>();
  skippedBytes = 0;
  bytesFetched = 0;
  firstError: unknown;
  private readonly concurrency: number;
  private readonly idleTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly tracker: ProgressTracker;
  private readonly local = new AbortController();
  private readonly onOuterAbort = () => this.local.abort();
  private readonly agent: http.Agent;
  private readonly agentTls: https.Agent;
  private readonly limiter?: RateLimiter;
  /** Once an unmuted copy is refused, later muted segments of this VOD go straight to the muted one. */
  private unmutedRefused = false;
  /** Position in `ordered` of the last contiguous done segment. */
  private contiguous = -1;

  constructor(
    private readonly opts: FetchSegmentsOptions,
    private readonly ordered: SegmentTask[],
  ) {
    this.concurrency = Math.max(1, Math.floor(opts.concurrency ?? 8));
    this.idleTimeoutMs = opts.segmentTimeoutMs ?? 20_000;
    this.maxAttempts = opts.maxAttempts ?? 6;
    for (const s of ordered) {
      if (!opts.isSegmentDone(s.index)) continue;
      this.done.add(s.index);
      const p = segmentPath(opts.dir, s.index);
      if (existsSync(p)) this.skippedBytes += statSync(p).size;
    }
    this.tracker = new ProgressTracker({
      segmentsTotal: ordered.length,
      segmentsDone: this.done.size,
      bytesDone: this.skippedBytes,
      durationTotalSec: ordered.reduce((a, s) => a + s.durationSec, 0),
      durationDoneSec: ordered.filter((s) => this.done.has(s.index)).reduce((a, s) => a + s.durationSec, 0),
      intervalMs: opts.progressIntervalMs ?? 250,
      emit: opts.onProgress,
    });
    this.advance();
    opts.signal?.addEventListener('abort', this.onOuterAbort, { once: true });
    this.agent = new http.Agent({ keepAlive: true, maxSockets: this.concurrency });
    this.agentTls = new https.Agent({ keepAlive: true, maxSockets: this.concurrency });
    this.limiter = opts.bandwidthCapBps ? new RateLimiter(opts.bandwidthCapBps) : undefined;
  }

  async fetchAll(todo: SegmentTask[]): Promise<void> {
    const queue = new PQueue({ concurrency: this.concurrency });
    for (const task of todo) {
      void queue.add(async () => {
        if (this.firstError) return;
        try {
          await this.fetchOne(task);
        } catch (err) {
          if (!this.firstError) {
            this.firstError = err;
            this.local.abort();
          }
        }
      });
    }
    await queue.onIdle();
  }

  close(todo: SegmentTask[]): void {
    this.opts.signal?.removeEventListener('abort', this.onOuterAbort);
    this.agent.destroy();
    this.agentTls.destroy();
    this.tracker.stop();
    for (const t of todo) {
      const part = `${segmentPath(this.opts.dir, t.index)}.part`;
      if (!this.done.has(t.index) && existsSync(part)) {
        try {
          unlinkSync(part);
        } catch {
          // Best effort: a leftover .part is overwritten next time.
        }
      }
    }
  }

  private advance(): void {
    let moved = false;
    while (this.contiguous + 1 < this.ordered.length && this.done.has(this.ordered[this.contiguous + 1].index)) {
      this.contiguous++;
      moved = true;
    }
    if (moved) this.opts.onContiguous?.(this.ordered[this.contiguous].index);
  }

  /** Fetches one segment, retrying transient failures with backoff (permanent ones throw at once). */
  private async fetchOne(task: SegmentTask): Promise<void> {
    let failures = 0;
    for (;;) {
      if (this.local.signal.aborted) throw cancelled();
      const sources = task.fallbackUrl && !this.unmutedRefused ? [task.url, task.fallbackUrl] : [task.fallbackUrl ?? task.url];
      const err = await this.tryOnce(task, sources);
      if (err === undefined) return;
      if (err instanceof HttpStatusError && err.status >= 400 && err.status < 500 && err.status !== 429 && err.status !== 408) {
        throw permanent(`HTTP_${err.status}`, `Segment ${task.index} (${describeUrl(sources.at(-1)!)}) answered ${err.status}.`);
      }
      if (err instanceof EngineError && err.errorClass !== 'transient') throw err;
      failures++;
      const message = err instanceof Error ? err.message : String(err);
      if (failures >= this.maxAttempts) {
        throw transient('SEGMENT_FAILED', `Segment ${task.index} failed ${failures} times; last: ${message}`, { cause: err });
      }
      log.debug(`Segment ${task.index} attempt ${failures} failed (${message}); retrying`);
      await sleep(backoffDelayMs(failures - 1, this.opts.backoff ?? { baseMs: 250, maxMs: 10_000 }), this.local.signal);
    }
  }

  /** One attempt over the segment's sources (unmuted first): undefined when done, else the error. */
  private async tryOnce(task: SegmentTask, sources: string[]): Promise<unknown> {
    const final = segmentPath(this.opts.dir, task.index);
    const part = `${final}.part`;
    let lastErr: unknown;
    for (let i = 0; i < sources.length; i++) {
      const url = sources[i];
      let inflight = 0;
      try {
        const { bytes, streamKey } = await getToFile(url, part, {
          agent: url.startsWith('https:') ? this.agentTls : this.agent,
          headers: this.opts.headers ?? {},
          idleTimeoutMs: this.idleTimeoutMs,
          signal: this.local.signal,
          limiter: this.limiter,
          inspector: this.opts.inspect?.(task.index),
          onBytes: (n) => {
            inflight += n;
            this.tracker.addBytes(n);
          },
        });
        renameSync(part, final);
        this.bytesFetched += bytes;
        const done: SegmentDone = { index: task.index, bytes, durationSec: task.durationSec, path: final, url, usedFallback: url !== task.url };
        await this.opts.onSegmentDone(streamKey === undefined ? done : { ...done, streamKey });
        this.done.add(task.index);
        this.tracker.segmentDone(task.durationSec, bytes);
        this.advance();
        return undefined;
      } catch (err) {
        this.tracker.addBytes(-inflight);
        if (this.local.signal.aborted) throw cancelled();
        lastErr = err;
        const refused = err instanceof HttpStatusError && (err.status === 403 || err.status === 404 || err.status === 410);
        if (refused && i === 0 && sources.length > 1) {
          this.unmutedRefused = true;
          log.info(`Unmuted segment ${task.index} refused (${err.status}); using the muted one`);
          continue;
        }
        break;
      }
    }
    return lastErr;
  }
}
