import type { Db } from '../store/database';
import { logOperation } from '../store/operations';
import { COMPLETED_FROM_LOCAL_COPY } from '../twitch/discovery';
import { classify, EngineError } from '../util/errors';
import { createLogger } from '../util/log';
import { sourceGoneOutcome, sourceGoneSince } from './discovery-runner';

const log = createLogger('pipeline');

/**
 * The VOD was backed up: when Twitch had stopped listing it meanwhile, say so (log and audit
 * log) and return the note for the completion notice; otherwise undefined.
 */
export function completedFromLocalCopy(db: Db, vodId: string): string | undefined {
  if (sourceGoneSince(db, vodId) === undefined) return undefined;
  log.info(`VOD ${vodId}: ${COMPLETED_FROM_LOCAL_COPY}`);
  logOperation(db, vodId, 'source-gone', 'ok', COMPLETED_FROM_LOCAL_COPY);
  return COMPLETED_FROM_LOCAL_COPY;
}

/**
 * A failed attempt of a VOD Twitch no longer lists: retrying cannot bring back what is not on
 * disk, so the vanished outcome decides (fail for good with its reason). Otherwise the error as is.
 */
export function failureWithSourceGone(db: Db, vodId: string, error: unknown): unknown {
  if (sourceGoneSince(db, vodId) === undefined || classify(error).errorClass === 'cancelled') return error;
  const outcome = sourceGoneOutcome(db, vodId);
  return outcome.action === 'fail' ? new EngineError('permanent', 'source_gone', outcome.reason) : error;
}
