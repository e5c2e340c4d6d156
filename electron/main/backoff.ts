/**
 * Restart policy for the engine: exponential backoff (1 s, 2 s, 4 s ... capped at 60 s); a run
 * that stayed up for `stableMs` counts as healthy, so the next crash starts again from 1 s.
 */
export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  stableMs: number;
}
export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 60_000, stableMs: 60_000 };

export function restartDelayMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  const n = Math.max(1, Math.floor(attempt));
  return Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(n - 1, 30));
}

/** Crash count after a crash: 1 if the run before it was stable, else one more than before. */
export function nextAttempt(previousAttempt: number, uptimeMs: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
  return uptimeMs >= policy.stableMs ? 1 : previousAttempt + 1;
}
