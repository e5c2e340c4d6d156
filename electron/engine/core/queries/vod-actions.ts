import type { ParsedParams } from '../../../contract/protocol';
import { destinationKey } from '../../../contract/settings';
import type { Engine } from '../engine';
import type { QueueControl } from '../../pipeline/ports';
import { clearDestinationError, setRepostTargets, setRetryOnly } from '../../store/upload-targets';
import { getVod } from '../../store/vods';
import { EngineError } from '../../util/errors';

/** Per-destination actions of the queue and history (issue 13 items 3 and 4). */
function vodOrThrow(engine: Engine, vodId: string) {
  const vod = getVod(engine.db, vodId);
  if (!vod) throw new EngineError('permanent', 'not_found', `No VOD ${vodId} is known.`);
  return vod;
}

function configuredOrThrow(engine: Engine, destinations: string[], field: string): void {
  const keys = new Set(engine.settings.destinations.map(destinationKey));
  const unknown = destinations.filter((d) => !keys.has(d));
  if (unknown.length) throw Object.assign(new EngineError('permanent', 'invalid_params', `No configured destination ${unknown.join(', ')}.`), { field });
}

/**
 * Clears one destination's error and retries the VOD for that destination only: parts already
 * posted stay posted, and the other destinations (and their errors) are left as they are.
 */
export function retryDestination(engine: Engine, queue: QueueControl, { vodId, destination }: ParsedParams<'vod.retryDestination'>): { ok: true } {
  const vod = vodOrThrow(engine, vodId);
  configuredOrThrow(engine, [destination], 'params.destination');
  clearDestinationError(engine.db, vodId, vod.generation, destination);
  setRetryOnly(engine.db, vodId, vod.generation, destination);
  queue.retryNow(vodId);
  return { ok: true };
}

/** "Post again" to the chosen destinations: recorded for the next generation, then the usual repost. */
export function repostTo(engine: Engine, queue: QueueControl, { vodId, destinations }: ParsedParams<'vod.repostTo'>): { ok: true } {
  const vod = vodOrThrow(engine, vodId);
  configuredOrThrow(engine, destinations, 'params.destinations');
  setRepostTargets(engine.db, vodId, vod.generation + 1, [...new Set(destinations)]);
  queue.repost(vodId);
  return { ok: true };
}
