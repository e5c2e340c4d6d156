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
