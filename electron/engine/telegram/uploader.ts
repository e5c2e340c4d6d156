import { read } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { EngineError } from '../util/errors';
import { randomPositiveId64 } from '../util/ids';
import { createLogger } from '../util/log';
import { sleep } from '../util/sleep';
import { floodWaitSeconds, isLoginNeeded, loginNeeded, rpcInfo, toEngineError } from './rpcErrors';
import { BIG_FILE_THRESHOLD, MAX_PARTS, MAX_PARTS_PREMIUM, PART_SIZE, type UploadedFile, type UploadOptions, type UploadResume } from './types';

/**
 * The part loop: K parts in flight as a sliding window (a worker takes the next missing part as
 * soon as its previous one is acknowledged: no batch waits for the slowest), spread over several
 * connections, each part with its own timeout and retries, FLOOD_WAIT honoured up to a cap,
 * progress per part, cancellation, and resume from the parts already acknowledged.
 * The transport (GramJS senders in the product) is injected, so this file knows no GramJS.
 */

const log = createLogger('telegram.upload');

export interface PartRequest {
  fileId: string;
  /** 0-based, as Telegram numbers parts. */
  part: number;
  totalParts: number;
  big: boolean;
  bytes: Buffer;
  /**
   * Writable bytes right before `bytes` in the same memory (the transport may build the request
   * header there instead of copying the part). The memory is reused after the part is acknowledged.
   */
  headroom: number;
}

/** Room for the largest part request header (saveBigFilePart: 24 bytes) and an MTProto message header (16). */
export const PART_HEADROOM = 40;

export interface PartTransport {
  /** Number of connections parts may be spread over. */
  readonly connections: number;
  /** Sends one part on connection `conn`; resolves true when Telegram stored it. */
  sendPart(conn: number, request: PartRequest): Promise<boolean>;
  /** Called after a part timed out on `conn` (a stalled connection may be reopened). */
  stalled?(conn: number): void;
}

/** Upload expires within a day on Telegram's side; stay well inside it. */
const RESUME_MAX_AGE_MS = 20 * 3600 * 1000;

/** Decides whether a recorded upload can continue (pure). */
export function canResume(resume: UploadResume | undefined, size: number, now: number): resume is UploadResume {
  if (!resume) return false;
  const expected = Math.ceil(size / PART_SIZE);
  const age = now - Date.parse(resume.startedAt);
  return (
    resume.partSize === PART_SIZE &&
    resume.size === size &&
    resume.totalParts === expected &&
    /^\d+$/.test(resume.fileId) &&
    Number.isFinite(age) &&
    age >= 0 &&
    age < RESUME_MAX_AGE_MS
  );
}

/** The parts a stored record says were acknowledged (either format), sorted, within 0..totalParts-1. */
export function ackedParts(resume: UploadResume): number[] {
  if (typeof resume.ackedBits === 'string') {
    const bits = Buffer.from(resume.ackedBits, 'base64');
    const out: number[] = [];
    for (let p = 0; p < resume.totalParts && p >> 3 < bits.length; p++) if ((bits[p >> 3] >> (p & 7)) & 1) out.push(p);
    return out;
  }
  const list = Array.isArray(resume.acked) ? resume.acked : [];
  return [...new Set(list)].filter((p) => Number.isInteger(p) && p >= 0 && p < resume.totalParts).sort((a, b) => a - b);
}

export function partLimit(premium: boolean): number {
  return premium ? MAX_PARTS_PREMIUM : MAX_PARTS;
}

const newFileId = randomPositiveId64;

function abortError(): EngineError {
  return new EngineError('cancelled', 'ABORTED', 'Upload cancelled.');
}

class PartTimeout extends Error {
  constructor(part: number, ms: number) {
    super(`part ${part} not acknowledged within ${ms} ms`);
  }
}

/** Races a send against the per-part timeout and the cancel signal (the late answer is ignored). */
function withTimeout<T>(promise: Promise<T>, ms: number, part: number, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => finish(() => reject(new PartTimeout(part, ms))), ms);
    const onAbort = () => finish(() => reject(abortError()));
    const finish = (fn: () => void) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      fn();
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => finish(() => resolve(v)),
      (e: unknown) => finish(() => reject(e)),
    );
  });
}

/**
 * Reads bytes.length bytes at `position` through the callback API on the handle's descriptor:
 * FileHandle.read's promise bookkeeping was about 3% of the upload's main-thread CPU (perf).
 */
function readAt(fd: number, bytes: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => read(fd, bytes, 0, bytes.length, position, (err, n) => (err ? reject(err) : resolve(n))));
}

/** The file's size, refused when it is missing, empty, or over the account's part limit. */
async function checkedSize(path: string, premium: boolean): Promise<number> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new EngineError('permanent', 'UPLOAD_FILE_MISSING', `Upload: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (size === 0) throw new EngineError('permanent', 'UPLOAD_FILE_EMPTY', `Upload: ${path} is empty`);
  const totalParts = Math.ceil(size / PART_SIZE);
  const limit = partLimit(premium);
  if (totalParts > limit) {
    throw new EngineError(
      'permanent',
      'FILE_TOO_BIG',
      `Upload: ${path} is ${size} bytes = ${totalParts} parts of 512 KiB; this account may upload at most ${limit} parts (${(limit * PART_SIZE) / 2 ** 20} MiB)`,
    );
  }
  return size;
}

export async function uploadFile(transport: PartTransport, options: UploadOptions): Promise<UploadedFile> {
  const size = await checkedSize(options.path, options.premium ?? false);
  const run = new UploadRun(transport, options, size, await open(options.path, 'r'));
  return run.run();
}

type Resume = Omit<UploadResume, 'acked' | 'ackedBits'>;

/** One upload of one file: its parts in flight over the transport's connections, resumable. */
class UploadRun {
  private readonly totalParts: number;
  private readonly big: boolean;
  private readonly state: Resume;
  private readonly acked: Set<number>;
  /** The record handed to onPartAcked: a bitmap, so each write is totalParts / 8 bytes, not a growing list. */
  private readonly bits: Buffer;
  private readonly queue: number[] = [];
  private readonly resumedFile: boolean;
  /** One controller stops every worker on cancel or on the first fatal error. */
  private readonly stop = new AbortController();
  private readonly onOuterAbort = () => this.stop.abort();
  private readonly started = Date.now();
  private bytesThisRun = 0;
  private fatal: unknown;
  /** Serialises resume callbacks so the caller sees the acked set grow in order. */
  private ackChain: Promise<void> = Promise.resolve();
  private sent: number;
  /** Part buffers are reused once a part is acknowledged (never after a failure: GramJS may still hold a request that points into them). */
  private readonly pool: Buffer[] = [];

  constructor(
    private readonly transport: PartTransport,
    private readonly options: UploadOptions,
    private readonly size: number,
    private readonly file: Awaited<ReturnType<typeof open>>,
  ) {
    const { path } = options;
    this.totalParts = Math.ceil(size / PART_SIZE);
    this.big = size > BIG_FILE_THRESHOLD;
    const now = Date.now();
    const resumed = canResume(options.resume, size, now);
    const earlier = resumed ? ackedParts(options.resume!) : [];
    this.state = resumed
      ? { fileId: options.resume!.fileId, partSize: PART_SIZE, totalParts: this.totalParts, startedAt: options.resume!.startedAt, size }
      : { fileId: newFileId(), partSize: PART_SIZE, totalParts: this.totalParts, startedAt: new Date(now).toISOString(), size };
    if (options.resume && !resumed) log.info(`upload of ${basename(path)}: recorded upload cannot continue, starting fresh`);
    this.acked = new Set(earlier);
    this.bits = Buffer.alloc(Math.ceil(this.totalParts / 8));
    earlier.forEach((p) => this.markAcked(p));
    for (let p = 0; p < this.totalParts; p++) if (!this.acked.has(p)) this.queue.push(p);
    this.resumedFile = resumed && this.acked.size > 0;
    this.sent = earlier.reduce((n, p) => n + this.partBytes(p), 0);
    options.signal?.addEventListener('abort', this.onOuterAbort, { once: true });
    if (options.signal?.aborted) this.stop.abort();
  }

  async run(): Promise<UploadedFile> {
    const { options, totalParts } = this;
    const inFlight = Math.max(1, Math.min(options.inFlight ?? 8, 64, this.queue.length || 1));
    try {
      await Promise.all(Array.from({ length: inFlight }, (_, i) => this.worker(i)));
      await this.ackChain;
    } finally {
      options.signal?.removeEventListener('abort', this.onOuterAbort);
      await this.file.close();
    }
    if (this.fatal !== undefined) throw this.fatal;
    if (options.signal?.aborted || this.acked.size !== totalParts) throw abortError();
    return { fileId: this.state.fileId, totalParts, name: options.name ?? basename(options.path), size: this.size, big: this.big, resumed: this.resumedFile };
  }

  private markAcked(p: number): void {
    this.bits[p >> 3] |= 1 << (p & 7);
  }

  private partBytes(p: number): number {
    return Math.min(PART_SIZE, this.size - p * PART_SIZE);
  }

  private report(): void {
    const elapsed = Math.max(1, Date.now() - this.started) / 1000;
    this.options.onProgress?.({
      fraction: this.sent / this.size,
      bytesSent: this.sent,
      totalBytes: this.size,
      partsAcked: this.acked.size,
      totalParts: this.totalParts,
      speedBps: this.bytesThisRun / elapsed,
    });
  }

  private async worker(index: number): Promise<void> {
    const { stop, options } = this;
    while (!stop.signal.aborted) {
      const part = this.queue.shift();
      if (part === undefined) return;
      try {
        await this.sendOne(index, part);
      } catch (err) {
        if (this.fatal === undefined) this.fatal = err;
        stop.abort();
        return;
      }
      this.acked.add(part);
      this.markAcked(part);
      this.bytesThisRun += this.partBytes(part);
      this.sent += this.partBytes(part);
      this.report();
      if (options.onPartAcked) {
        const snapshot: UploadResume = { ...this.state, ackedBits: this.bits.toString('base64') };
        this.ackChain = this.ackChain
          .then(() => options.onPartAcked!(snapshot, part))
          .catch((err: unknown) => {
            if (this.fatal === undefined) this.fatal = err;
            stop.abort();
          });
      }
    }
  }

  /** Sends one part, spreading retries over the other connections (a stalled one should not keep it). */
  private async sendOne(worker: number, part: number): Promise<void> {
    const { options, stop } = this;
    const len = this.partBytes(part);
    const memory = this.pool.pop() ?? Buffer.allocUnsafeSlow(PART_HEADROOM + PART_SIZE);
    const bytes = memory.subarray(PART_HEADROOM, PART_HEADROOM + len);
    const bytesRead = await readAt(this.file.fd, bytes, part * PART_SIZE);
    if (bytesRead !== len) throw new EngineError('permanent', 'UPLOAD_FILE_CHANGED', `Upload: ${options.path} changed while uploading (short read at part ${part})`);
    const connections = Math.max(1, this.transport.connections);
    const timeoutMs = options.partTimeoutMs ?? 60_000;
    let failures = 0;
    for (let attempt = 0; ; attempt++) {
      if (stop.signal.aborted) throw this.fatal ?? abortError();
      const conn = (worker + attempt) % connections;
      try {
        const request = { fileId: this.state.fileId, part, totalParts: this.totalParts, big: this.big, bytes, headroom: PART_HEADROOM };
        const ok = await withTimeout(this.transport.sendPart(conn, request), timeoutMs, part, stop.signal);
        if (!ok) throw new Error(`Telegram refused part ${part}`);
        if (failures === 0) this.pool.push(memory);
        return;
      } catch (err) {
        const wait = this.floodWait(err, part);
        if (wait !== undefined) {
          await sleep(wait * 1000, stop.signal);
          continue; // a flood wait is not a failure of the part
        }
        failures++;
        this.partFailed(err, part, failures, conn);
        await sleep(Math.min(500 * 2 ** (failures - 1), 8000), stop.signal);
      }
    }
  }

  /** Seconds to wait for a FLOOD_WAIT under the cap; throws for what ends the upload at once. */
  private floodWait(err: unknown, part: number): number | undefined {
    if (err instanceof EngineError && err.errorClass === 'cancelled') throw err;
    if (isLoginNeeded(err)) throw loginNeeded(err);
    const wait = floodWaitSeconds(err);
    if (wait === undefined) return undefined;
    const floodCap = this.options.floodWaitCapSec ?? 120;
    if (wait > floodCap) {
      throw new EngineError('transient', 'FLOOD_WAIT', `Telegram asked to pause uploads for ${wait} s (more than the ${floodCap} s cap): the queue waits and retries`, {
        cause: err,
        retryAfterSec: wait,
      });
    }
    this.options.onFloodWait?.(wait);
    log.warn(`upload: FLOOD_WAIT ${wait} s on part ${part}`);
    return wait;
  }

  /** A failed attempt: permanent errors and the last attempt throw, the rest are retried. */
  private partFailed(err: unknown, part: number, failures: number, conn: number): void {
    const engineErr = toEngineError(err, `upload of part ${part}`);
    if (engineErr.errorClass === 'permanent') throw engineErr;
    if (err instanceof PartTimeout) this.transport.stalled?.(conn);
    if (failures >= (this.options.partAttempts ?? 5)) {
      throw new EngineError('transient', rpcInfo(err)?.message ?? 'UPLOAD_PART_FAILED', `Upload: part ${part} failed ${failures} times: ${(err as Error).message}`, { cause: err });
    }
    log.debug(`upload: part ${part} attempt ${failures} failed: ${(err as Error).message}`);
  }
}
