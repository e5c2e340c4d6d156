import type { DeliveryTarget } from '../../destinations';
import { repostTargets, takeRetryOnly } from '../../store/upload-targets';
import { uploadsOf } from '../../store/uploads';
import { EngineError } from '../../util/errors';
import type { VodContext } from '../context';

/**
 * Which of the VOD's destinations this attempt delivers to (issue 13): a "post again" to chosen
 * destinations limits its generation to them (store/upload-targets.ts `repostTargets`, else all);
 * "retry this destination" limits one attempt to it, and the others stay as they were: a failure
 * recorded there still fails the VOD afterwards (`leftOutFailure`), with its own reason.
 */
export function deliveryScope(ctx: VodContext): { targets: DeliveryTarget[]; leftOutFailure: () => EngineError | undefined } {
  const { db, vod } = ctx;
  const chosen = repostTargets(db, vod.id, vod.generation);
  const generation = chosen ? ctx.destinations.filter((d) => chosen.includes(d.key)) : [...ctx.destinations];
  if (generation.length === 0) {
    throw new EngineError('permanent', 'no_destination', `None of the destinations chosen for posting VOD ${vod.id} again belongs to its channel any more.`);
  }
  const only = takeRetryOnly(db, vod.id, vod.generation);
  const targets = only && generation.some((d) => d.key === only) ? generation.filter((d) => d.key === only) : generation;
  const leftOut = generation.filter((d) => !targets.includes(d)).map((d) => d.key);
  return {
    targets,
    leftOutFailure: () => {
      const failed = uploadsOf(db, vod.id, vod.generation).find((u) => leftOut.includes(u.destination) && u.state !== 'posted' && u.error);
      return failed ? new EngineError('permanent', 'destination_failed', failed.error as string) : undefined;
    },
  };
}
