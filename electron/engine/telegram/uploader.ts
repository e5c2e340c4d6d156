import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { EngineError } from '../util/errors';
import { randomPositiveId64 } from '../util/ids';
import { createLogger } from '../util/log';
import { sleep } from '../util/sleep';
import { floodWaitSeconds, isLoginNeeded, loginNeeded, rpcInfo, toEngineError } from './rpcErrors';
import {
  BIG_FILE_THRESHOLD,
  MAX_PARTS,
  MAX_PARTS_PREMIUM,
  PART_SIZE,
  type UploadedFile,
  type UploadOptions,
  type UploadResume,
} from './types';

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

export async function uploadFile(transport: PartTransport, options: UploadOptions): Promise<UploadedFile> {
  const { path } = options;
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch (err) {
    throw new EngineError('permanent', 'UPLOAD_FILE_MISSING', `Upload: cannot read ${path}: ${(err as Error).message}`, { cause: err });
  }
  if (size === 0) throw new EngineError('permanent', 'UPLOAD_FILE_EMPTY', `Upload: ${path} is empty`);
  const totalParts = Math.ceil(size / PART_SIZE);
  const limit = partLimit(options.premium ?? false);
  if (totalParts > limit) {
    throw new EngineError(
      'permanent',
      'FILE_TOO_BIG',
      `Upload: ${path} is ${size} bytes = ${totalParts} parts of 512 KiB; this account may upload at most ${limit} parts (${(limit * PART_SIZE) / 2 ** 20} MiB)`,
    );
  }
  const big = size > BIG_FILE_THRESHOLD;
  const now = Date.now();
  const resumed = canResume(options.resume, size, now);
  const earlier = resumed ? ackedParts(options.resume!) : [];
  const state = resumed
    ? { fileId: options.resume!.fileId, partSize: PART_SIZE, totalParts, startedAt: options.resume!.startedAt, size }
    : { fileId: newFileId(), partSize: PART_SIZE, totalParts, startedAt: new Date(now).toISOString(), size };
  if (options.resume && !resumed) log.info(`upload of ${basename(path)}: recorded upload cannot continue, starting fresh`);

  const acked = new Set(earlier);
  // The record handed to onPartAcked: a bitmap, so each write is totalParts / 8 bytes, not a growing list.
  const bits = Buffer.alloc(Math.ceil(totalParts / 8));
  const markAcked = (p: number) => (bits[p >> 3] |= 1 << (p & 7));
  earlier.forEach(markAcked);
  const queue: number[] = [];
  for (let p = 0; p < totalParts; p++) if (!acked.has(p)) queue.push(p);
  const resumedFile = resumed && acked.size > 0;

  const inFlight = Math.max(1, Math.min(options.inFlight ?? 8, 64, queue.length || 1));
  const connections = Math.max(1, transport.connections);
  const timeoutMs = options.partTimeoutMs ?? 60_000;
  const attempts = options.partAttempts ?? 5;
  const floodCap = options.floodWaitCapSec ?? 120;

  // One controller stops every worker on cancel or on the first fatal error.
  const stop = new AbortController();
  const onOuterAbort = () => stop.abort();
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) stop.abort();

  const started = Date.now();
  let bytesThisRun = 0;
  let fatal: unknown;
  // Serialise resume callbacks so the caller sees the acked list grow in order.
  let ackChain: Promise<void> = Promise.resolve();

  const file = await open(path, 'r');
  const partBytes = (p: number) => Math.min(PART_SIZE, size - p * PART_SIZE);

  let sent = earlier.reduce((n, p) => n + partBytes(p), 0);
  const report = () => {
    const elapsed = Math.max(1, Date.now() - started) / 1000;
    options.onProgress?.({
      fraction: sent / size,
      bytesSent: sent,
      totalBytes: size,
      partsAcked: acked.size,
      totalParts,
      speedBps: bytesThisRun / elapsed,
    });
  };

  // Part buffers are reused once a part is acknowledged (never after a failure: GramJS may still
  // hold a request that points into them).
  const pool: Buffer[] = [];
  async function sendOne(worker: number, part: number): Promise<void> {
    const len = partBytes(part);
    const memory = pool.pop() ?? Buffer.allocUnsafeSlow(PART_HEADROOM + PART_SIZE);
    const bytes = memory.subarray(PART_HEADROOM, PART_HEADROOM + len);
    const { bytesRead } = await file.read(bytes, 0, len, part * PART_SIZE);
    if (bytesRead !== len) throw new EngineError('permanent', 'UPLOAD_FILE_CHANGED', `Upload: ${path} changed while uploading (short read at part ${part})`);
    let failures = 0;
    // Spread retries over the other connections: a stalled connection should not keep the part.
    for (let attempt = 0; ; attempt++) {
      if (stop.signal.aborted) throw fatal ?? abortError();
      const conn = (worker + attempt) % connections;
      try {
        const ok = await withTimeout(
          transport.sendPart(conn, { fileId: state.fileId, part, totalParts, big, bytes, headroom: PART_HEADROOM }),
          timeoutMs,
          part,
          stop.signal,
        );
        if (!ok) throw new Error(`Telegram refused part ${part}`);
        if (failures === 0) pool.push(memory);
        return;
      } catch (err) {
        if (err instanceof EngineError && err.errorClass === 'cancelled') throw err;
        if (isLoginNeeded(err)) throw loginNeeded(err);
        const wait = floodWaitSeconds(err);
        if (wait !== undefined) {
          if (wait > floodCap) {
            throw new EngineError('transient', 'FLOOD_WAIT', `Telegram asked to pause uploads for ${wait} s (more than the ${floodCap} s cap): the queue waits and retries`, {
              cause: err,
              retryAfterSec: wait,
            });
          }
          options.onFloodWait?.(wait);
          log.warn(`upload: FLOOD_WAIT ${wait} s on part ${part}`);
          await sleep(wait * 1000, stop.signal);
          continue; // a flood wait is not a failure of the part
        }
        const engineErr = toEngineError(err, `upload of part ${part}`);
        if (engineErr.errorClass === 'permanent') throw engineErr;
        failures++;
        if (err instanceof PartTimeout) transport.stalled?.(conn);
        if (failures >= attempts) {
          throw new EngineError('transient', rpcInfo(err)?.message ?? 'UPLOAD_PART_FAILED', `Upload: part ${part} failed ${failures} times: ${(err as Error).message}`, { cause: err });
        }
        log.debug(`upload: part ${part} attempt ${failures} failed: ${(err as Error).message}`);
        await sleep(Math.min(500 * 2 ** (failures - 1), 8000), stop.signal);
      }
    }
  }

  async function worker(index: number): Promise<void> {
    while (!stop.signal.aborted) {
      const part = queue.shift();
      if (part === undefined) return;
      try {
        await sendOne(index, part);
      } catch (err) {
        if (fatal === undefined) fatal = err;
        stop.abort();
        return;
      }
      acked.add(part);
      markAcked(part);
      bytesThisRun += partBytes(part);
      sent += partBytes(part);
      report();
      if (options.onPartAcked) {
        const snapshot: UploadResume = { ...state, ackedBits: bits.toString('base64') };
        ackChain = ackChain
          .then(() => options.onPartAcked!(snapshot, part))
          .catch((err: unknown) => {
            if (fatal === undefined) fatal = err;
            stop.abort();
          });
      }
    }
  }

  try {
    await Promise.all(Array.from({ length: inFlight }, (_, i) => worker(i)));
    await ackChain;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    await file.close();
  }
  if (fatal !== undefined) throw fatal;
  if (options.signal?.aborted || acked.size !== totalParts) throw abortError();
  return { fileId: state.fileId, totalParts, name: options.name ?? basename(path), size, big, resumed: resumedFile };
}
