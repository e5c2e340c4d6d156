import type { VodRecord } from '../store/vods';
import type { ErrorClass } from '../util/errors';

/**
 * The retry schedule, as the legacy tool meant it but in UTC:
 * `next_retry = now + min(MIN_RETRY_DELAY * 2^retries, MAX_RETRY_DELAY)`; after MAX_RETRIES the
 * VOD is failed with its last error kept. Pure: the scheduler applies the decision.
 */
export function retryDelaySec(retries: number, minDelaySec: number, maxDelaySec: number): number {
  // 2^retries overflows to Infinity long before it matters; min() keeps it finite.
  return Math.min(minDelaySec * 2 ** Math.max(0, retries), maxDelaySec);
}

export interface FailureInput {
  retries: number;
  errorClass: ErrorClass;
  maxRetries: number;
  minDelaySec: number;
  maxDelaySec: number;
  now: Date;
  /** The remote side asked for at least this wait (flood wait, rate limit). */
  retryAfterSec?: number;
}

export type FailureDecision =
  /** Retry later: the VOD stays pending with `retries` counted. */
  | { kind: 'retry'; retries: number; nextRetry: string }
  /** Give up: permanent errors at once, transient ones after maxRetries. */
  | { kind: 'fail'; retries: number }
  /** Not the VOD's fault (login, disk, cancel): wait for the user without spending a retry. */
  | { kind: 'hold' };

export function decideAfterFailure(input: FailureInput): FailureDecision {
  switch (input.errorClass) {
    case 'permanent':
      return { kind: 'fail', retries: input.retries };
    case 'login':
    case 'disk':
    case 'cancelled':
      return { kind: 'hold' };
    case 'transient': {
      const retries = input.retries + 1;
      if (retries > input.maxRetries) return { kind: 'fail', retries };
      const delay = Math.max(retryDelaySec(input.retries, input.minDelaySec, input.maxDelaySec), input.retryAfterSec ?? 0);
      return { kind: 'retry', retries, nextRetry: new Date(input.now.getTime() + delay * 1000).toISOString() };
    }
  }
}

/**
 * What a VOD's row becomes after a failed attempt (null: left as it is, a cancel already recorded
 * by the control that stopped it). The error's code goes beside its message (the UI's words).
 */
export function vodAfterFailure(
  decision: FailureDecision,
  error: { errorClass: ErrorClass; code: string; message: string; retryAfterSec?: number },
  now: Date,
): Partial<VodRecord> | null {
  const recorded = { last_error: error.message, error_class: error.errorClass, error_code: error.code };
  switch (decision.kind) {
    case 'retry':
      // A VOD still being broadcast is not failing: it waits, as `live`, without spending retries,
      // asked again after the delay (discovery sets it `pending` as soon as the broadcast ends).
      if (error.code === 'still_live') {
        const nextCheck = new Date(now.getTime() + (error.retryAfterSec ?? 600) * 1000).toISOString();
        return { status: 'live', stage: 'waiting', next_retry: nextCheck, last_error: null, error_class: null };
      }
      return { status: 'pending', stage: 'queued', retries: decision.retries, next_retry: decision.nextRetry, ...recorded };
    case 'fail':
      return { status: 'failed', stage: 'done', retries: decision.retries, next_retry: null, ...recorded };
    case 'hold':
      return error.errorClass === 'cancelled' ? null : { status: 'pending', stage: 'queued', ...recorded };
  }
}
