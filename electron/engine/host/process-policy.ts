import type { Db } from '../store/database';
import { failInterruptedVods } from '../store/interrupted';
import { createLogger } from '../util/log';
import { redact } from '../util/redact';

const log = createLogger('process');

/**
 * What the engine process does with an error nothing caught (a bug): log it with its stack
 * (redacted, into the log file, which is written synchronously), record the VODs it was working on
 * as failed-transient, and exit 1 so the host restarts it: the app's engine host restarts the
 * utility process with backoff; headless mode leaves that to systemd/Docker (see README). Carrying
 * on after an unknown error would run with state nobody can vouch for.
 */
export interface CrashHooks {
  /** The open database, when there is one. */
  db(): Db | undefined;
  /** Retry timing for the VODs that were interrupted. */
  retry(): { minRetryDelaySec: number; maxRetries: number };
  /** Last words to the host (the utility process tells main), before exiting. */
  notify?(message: string): void;
  exit(code: number): void;
}

export function installProcessPolicy(hooks: CrashHooks): () => void {
  let handled = false;
  const onError = (kind: string) => (reason: unknown) => {
    if (handled) return; // A second error while handling the first: the exit is already on its way.
    handled = true;
    const error = reason instanceof Error ? reason : new Error(`non-error value thrown: ${String(reason)}`);
    const message = redact(`${kind}: ${error.message}`);
    try {
      log.error(`${kind}, the engine stops to be restarted: ${error.stack ?? error.message}`);
      const db = hooks.db();
      if (db?.open) {
        const { minRetryDelaySec, maxRetries } = hooks.retry();
        const nextRetry = new Date(Date.now() + minRetryDelaySec * 1000).toISOString();
        const ids = failInterruptedVods(db, { message: `The engine stopped on an internal error (${message}); it was restarted and retries.`, nextRetry, maxRetries });
        if (ids.length) log.error(`recorded as failed (transient): VOD ${ids.join(', ')}`);
      }
      hooks.notify?.(message);
    } catch (inner) {
      log.error(`while handling the ${kind}: ${(inner as Error).message}`);
    } finally {
      hooks.exit(1);
    }
  };
  const uncaught = onError('uncaught exception');
  const rejected = onError('unhandled rejection');
  process.on('uncaughtException', uncaught);
  process.on('unhandledRejection', rejected);
  return () => {
    process.off('uncaughtException', uncaught);
    process.off('unhandledRejection', rejected);
  };
}
