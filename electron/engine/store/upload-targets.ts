import type { Db } from './database';
import { deleteMeta, getMeta, setMeta } from './meta';

/**
 * Per-destination choices on top of the uploads table: which destinations a "post again"
 * generation goes to, and clearing one destination's error before it is tried again.
 */
const key = (vodId: string, generation: number) => `repost-targets:${vodId}:${generation}`;

/** The destinations chosen for a generation of "post again"; null = the channel's usual ones. */
export function repostTargets(db: Db, vodId: string, generation: number): string[] | null {
  const text = getMeta(db, key(vodId, generation));
  if (!text) return null;
  try {
    const list = JSON.parse(text) as unknown;
    return Array.isArray(list) && list.every((d) => typeof d === 'string') ? list : null;
  } catch {
    return null;
  }
}

export function setRepostTargets(db: Db, vodId: string, generation: number, destinations: string[]): void {
  setMeta(db, key(vodId, generation), JSON.stringify(destinations));
}

/** Forgets the error of one destination's unposted parts; returns how many rows it touched. */
export function clearDestinationError(db: Db, vodId: string, generation: number, destination: string): number {
  return db
    .prepare(
      `UPDATE uploads SET error = NULL, state = CASE WHEN state = 'failed' THEN 'pending' ELSE state END WHERE vod_id = ? AND generation = ? AND destination = ? AND state != 'posted'`,
    )
    .run(vodId, generation, destination).changes;
}

const onlyKey = (vodId: string, generation: number) => `retry-only:${vodId}:${generation}`;

/** "Retry this destination": the next attempt delivers to `destination` only (the others keep their state). */
export function setRetryOnly(db: Db, vodId: string, generation: number, destination: string): void {
  setMeta(db, onlyKey(vodId, generation), destination);
}

/** The destination the next attempt is limited to, consumed by that attempt (a later one goes everywhere again). */
export function takeRetryOnly(db: Db, vodId: string, generation: number): string | undefined {
  const only = getMeta(db, onlyKey(vodId, generation));
  if (only !== undefined) deleteMeta(db, onlyKey(vodId, generation));
  return only;
}
