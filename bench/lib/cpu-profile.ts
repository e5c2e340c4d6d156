/**
 * CPU time spent under given functions, from V8's sampling profiler (node:inspector), so a
 * benchmark can say how much of a real engine run went to one stage without a copy of its code.
 */
import { Session, type Profiler } from 'node:inspector/promises';

export interface FrameMatch {
  /** Matches the frame's script URL, e.g. /\/media\/planner\.ts$/. */
  url: RegExp;
  /** Function name to match as well (any when omitted). */
  functionName?: string;
}

export async function startProfile(intervalUs = 500): Promise<() => Promise<Profiler.Profile>> {
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: intervalUs });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    session.disconnect();
    return profile;
  };
}

/**
 * The share of the main thread's busy samples (all but `(idle)`) whose stack holds a frame matching
 * any of `matches`, each sample counted once. A share, not seconds: on a loaded machine a sample's
 * wall-clock gap includes time the thread waited for a core.
 */
export function shareUnder(profile: Profiler.Profile, matches: FrameMatch[]): number {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const hit = (n: Profiler.ProfileNode) => matches.some((m) => m.url.test(n.callFrame.url) && (m.functionName === undefined || m.functionName === n.callFrame.functionName));
  const under = new Map<number, boolean>();
  const isUnder = (id: number): boolean => {
    const known = under.get(id);
    if (known !== undefined) return known;
    const n = byId.get(id)!;
    const p = parent.get(id);
    const v = hit(n) || (p !== undefined && isUnder(p));
    under.set(id, v);
    return v;
  };
  let busy = 0;
  let hits = 0;
  for (const id of profile.samples ?? []) {
    if (byId.get(id)!.callFrame.functionName === '(idle)') continue;
    busy++;
    if (isUnder(id)) hits++;
  }
  return busy === 0 ? 0 : hits / busy;
}
