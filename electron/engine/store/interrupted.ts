import { nowIso, type Db } from './database';
import { logOperation } from './operations';

/**
 * After an internal error stops the engine: every VOD that was in `processing` is recorded as a
 * transient failure (back to `pending`, retried at `nextRetry`, one retry spent), or as failed for
 * good once its retries are used up, so a bug that crashes on one VOD cannot crash-loop forever.
 * One transaction; returns the ids it changed.
 */
export function failInterruptedVods(db: Db, options: { message: string; nextRetry: string; maxRetries: number }): string[] {
  return db.transaction(() => {
    const ids = (db.prepare(`SELECT id FROM vods WHERE status = 'processing'`).all() as Array<{ id: string }>).map((r) => r.id);
    db.prepare(
      `UPDATE vods SET
         retries = retries + 1,
         status = CASE WHEN retries + 1 > @maxRetries THEN 'failed' ELSE 'pending' END,
         stage = CASE WHEN retries + 1 > @maxRetries THEN 'done' ELSE 'queued' END,
         next_retry = CASE WHEN retries + 1 > @maxRetries THEN NULL ELSE @nextRetry END,
         last_error = @message, error_class = 'transient', updated_at = @now
       WHERE status = 'processing'`,
    ).run({ maxRetries: options.maxRetries, nextRetry: options.nextRetry, message: options.message, now: nowIso() });
    for (const id of ids) logOperation(db, id, 'process', 'failed', { code: 'internal_error', class: 'transient', message: options.message });
    return ids;
  })();
}
