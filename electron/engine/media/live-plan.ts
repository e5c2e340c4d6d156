/**
 * Part planning while a VOD is still being recorded (pure). Parts posted during the broadcast can
 * never change, so the plan only grows: a part is final as soon as it is full (the next unit would
 * not fit) or its run of equal stream keys has ended (a drop or a change of stream parameters),
 * which is the planner's greedy fill with its tail rules switched off. The tail rules (merge,
 * balance, drop a short end) apply once the broadcast has ended, to the units after the last part
 * already planned. Same units, same settled parts, same answer.
 */
import { planParts, type DroppedTail, type PlannedPart, type SplitRules, type Unit } from './planner';

export interface LivePlanInput {
  /** Every unit recorded so far, in order. */
  units: readonly Unit[];
  rules: SplitRules;
  /** Parts already planned (and maybe posted), in order: they are kept as they are. */
  settled: readonly PlannedPart[];
  /** The broadcast is over and every unit is in `units`. */
  ended: boolean;
}

/** The parts to add after `settled` (numbered on from them), and a dropped tail at the end. */
export function planLiveParts(input: LivePlanInput): { parts: PlannedPart[]; dropped: DroppedTail | null } {
  const { units, rules, settled, ended } = input;
  const last = settled[settled.length - 1];
  const after = last ? last.lastUnit : Number.NEGATIVE_INFINITY;
  const rest = units.filter((u) => u.index > after);
  if (last && units.some((u) => u.index <= after) && !units.some((u) => u.index === last.lastUnit)) {
    throw new Error(`planLiveParts: the settled parts end at unit ${last.lastUnit}, which is not among the units`);
  }
  if (rest.length === 0) return { parts: [], dropped: null };
  const offsetSec = units.filter((u) => u.index <= after).reduce((a, u) => a + u.durationSec, 0);
  const greedyOnly: SplitRules = { ...rules, minPartBytes: 0, mergeThresholdBytes: 0, dropThresholdSec: 0 };
  const plan = ended ? planParts(rest, rules, { complete: true }) : planParts(rest, greedyOnly, { complete: false });
  let parts = plan.parts.map((p) => ({ ...p, index: p.index + settled.length, startSec: p.startSec + offsetSec }));
  let dropped = plan.dropped ? { ...plan.dropped, startSec: plan.dropped.startSec + offsetSec } : null;
  // The planner's drop rule for a short end that cannot join the part before it: here that part is
  // settled, so a lone short remainder after it is that end.
  const lone = parts.length === 1 ? parts[0]! : undefined;
  if (ended && last && lone && !dropped && lone.durationSec < rules.dropThresholdSec) {
    dropped = { firstUnit: lone.firstUnit, lastUnit: lone.lastUnit, bytes: lone.bytes, durationSec: lone.durationSec, startSec: lone.startSec };
    parts = [];
  }
  return { parts, dropped };
}
