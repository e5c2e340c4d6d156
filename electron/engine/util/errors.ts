/**
 * Every failure the engine reports carries a class, because the scheduler decides by it:
 * - transient: network, 5xx, flood waits, timeouts -> retry with backoff
 * - permanent: VOD deleted, unreadable media, sub-only without login -> fail fast with the reason
 * - login: credentials missing or revoked -> pause and ask the user, never loop
 * - disk: not enough space -> pause with a clear message
 * - cancelled: the user or shutdown stopped the work -> neither retry nor fail
 */
export type ErrorClass = 'transient' | 'permanent' | 'login' | 'disk' | 'cancelled';

export class EngineError extends Error {
  readonly errorClass: ErrorClass;
  /** Machine-readable reason, e.g. `vod_manifest_restricted`, `FLOOD_WAIT`. */
  readonly code: string;
  /** Seconds the caller should wait before retrying, when the remote side said so. */
  readonly retryAfterSec?: number;

  constructor(errorClass: ErrorClass, code: string, message: string, options: { cause?: unknown; retryAfterSec?: number } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.errorClass = errorClass;
    this.code = code;
    this.retryAfterSec = options.retryAfterSec;
  }
}

export const transient = (code: string, message: string, options?: { cause?: unknown; retryAfterSec?: number }) => new EngineError('transient', code, message, options);
export const permanent = (code: string, message: string, options?: { cause?: unknown }) => new EngineError('permanent', code, message, options);

/** Classifies anything thrown; unknown errors count as transient so they are retried, not lost. */
export function classify(error: unknown): { errorClass: ErrorClass; code: string; message: string; retryAfterSec?: number } {
  if (error instanceof EngineError) {
    return { errorClass: error.errorClass, code: error.code, message: error.message, retryAfterSec: error.retryAfterSec };
  }
  const err = error as NodeJS.ErrnoException | undefined;
  if (err?.code === 'ENOSPC') return { errorClass: 'disk', code: 'ENOSPC', message: 'The disk is full.' };
  if (err?.name === 'AbortError') return { errorClass: 'cancelled', code: 'ABORTED', message: 'Cancelled.' };
  const message = err instanceof Error ? err.message : String(error);
  return { errorClass: 'transient', code: err?.code ?? 'UNKNOWN', message };
}
