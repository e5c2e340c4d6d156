import type { Settings } from '../../contract/settings';
import { permanent } from '../util/errors';
import { DEFAULT_AUDIO_FRAMES_PER_SEC, DEFAULT_VIDEO_FPS, moovReserveBytes, TS_PAYLOAD_RATIO } from './overhead';

/**
 * The part planner: a pure function from a VOD's ordered units (HLS segments, or keyframe-aligned
 * slices of one file; each starts on a keyframe, so any run of whole units is a valid cut) to the
 * parts to build. No I/O, no clock: the same units and rules always give the same plan.
 *
 * Rules (settings keep the legacy tool's names, with these meanings):
 * - Ceiling: Telegram's limit for the account (2,097,152,000 bytes; 4,194,304,000 with Premium),
 *   lowered by `maxFileSizeMB` (1,000,000-byte MB). A part fits when its estimated MP4 size
 *   (`estimateMp4Bytes`: TS bytes x 184/188 plus the moov reserved for its duration plus 64 KiB,
 *   see overhead.ts) is at most the ceiling, so the finished MP4 stays under it.
 * - Fill: parts take whole units greedily while they fit.
 * - Tail, for the last two parts of a run (the whole VOD, or the units up to a change of stream):
 *   `mergeThresholdMB`: a last part smaller than this joins the previous one when both fit.
 *   `minFileSizeMB`: a last part smaller than this (other than a lone part) is balanced with the
 *   previous one: their units are re-split so the last gets as close as whole units allow to
 *   `midTargetRatio` of their combined bytes (0.5 = two equal halves), both still fitting.
 *   `dropSegmentThresholdSec`: a trailing remainder of the VOD shorter than this that cannot join
 *   the previous part (no re-split of the two gives it that long while both fit) is dropped and
 *   returned as `dropped` for the caller to log. Nothing else is ever dropped.
 * - A unit whose `streamKey` differs from the one before starts a new part: an MP4 track holds one
 *   sample description, so a part never spans a change of codec or resolution.
 * - Incremental: with `complete: false` only parts that nothing later can change are returned:
 *   every part except the last two of the open run, and the second-to-last once the last is already
 *   too big and too long to be merged, balanced or dropped (parts only grow as units arrive).
 */

export interface Unit {
  /** The unit's own number (segment number); strictly increasing along the list. */
  index: number;
  bytes: number;
  durationSec: number;
  /** Codec/resolution signature (see probe.ts `streamKey`); a change forces a new part. */
  streamKey?: string;
}

export interface PlannedPart {
  /** 1-based part number within the plan. */
  index: number;
  /** `Unit.index` of the part's first and last unit. */
  firstUnit: number;
  lastUnit: number;
  /** Sum of the units' bytes (input size). */
  bytes: number;
  durationSec: number;
  /** Start of the part in the VOD's timeline (sum of the durations before it). */
  startSec: number;
  /** Upper bound of the built MP4's size. */
  estimatedBytes: number;
}

export interface DroppedTail {
  firstUnit: number;
  lastUnit: number;
  bytes: number;
  durationSec: number;
  startSec: number;
}

export interface Plan {
  parts: PlannedPart[];
  dropped: DroppedTail | null;
}

export interface SplitRules {
  /** Hard ceiling of a finished part in bytes. */
  ceilingBytes: number;
  /** Upper bound of MP4 media bytes per input byte. */
  payloadRatio: number;
  /** Sample rates assumed for the moov reservation (worst case by default). */
  videoFps: number;
  audioFramesPerSec: number;
  minPartBytes: number;
  mergeThresholdBytes: number;
  /** Share of the last two parts' bytes the last one gets when balanced. */
  midTargetRatio: number;
  dropThresholdSec: number;
}

export type SplitSettings = Pick<Settings['split'], 'maxFileSizeMB' | 'minFileSizeMB' | 'mergeThresholdMB' | 'midTargetRatio' | 'dropSegmentThresholdSec'>;

export const TELEGRAM_LIMIT_BYTES = 2_097_152_000;
export const TELEGRAM_PREMIUM_LIMIT_BYTES = 4_194_304_000;
const MB = 1_000_000;

export function splitRules(settings: SplitSettings, premium: boolean): SplitRules {
  const telegram = premium ? TELEGRAM_PREMIUM_LIMIT_BYTES : TELEGRAM_LIMIT_BYTES;
  const ceilingBytes = Math.min(telegram, Math.floor(settings.maxFileSizeMB * MB));
  if (!(ceilingBytes > MB)) throw permanent('bad_split_settings', `split.maxFileSizeMB must be above 1 (got ${settings.maxFileSizeMB})`);
  const ratio = settings.midTargetRatio;
  if (!(ratio > 0 && ratio < 1)) throw permanent('bad_split_settings', `split.midTargetRatio must be between 0 and 1 (got ${ratio})`);
  return {
    ceilingBytes,
    payloadRatio: TS_PAYLOAD_RATIO,
    videoFps: DEFAULT_VIDEO_FPS,
    audioFramesPerSec: DEFAULT_AUDIO_FRAMES_PER_SEC,
    minPartBytes: Math.min(ceilingBytes, Math.max(0, settings.minFileSizeMB * MB)),
    mergeThresholdBytes: Math.max(0, settings.mergeThresholdMB * MB),
    midTargetRatio: ratio,
    dropThresholdSec: Math.max(0, settings.dropSegmentThresholdSec),
  };
}

export function estimateMp4Bytes(bytes: number, durationSec: number, rules: SplitRules): number {
  return Math.ceil(bytes * rules.payloadRatio) + moovReserveBytes(durationSec, rules);
}

/** Whether a run of units with these totals makes an MP4 under the ceiling (monotone in both). */
export const fits = (bytes: number, durationSec: number, rules: SplitRules) => estimateMp4Bytes(bytes, durationSec, rules) <= rules.ceilingBytes;

/** Half-open range [from, to) of positions in the units array. */
interface Group {
  from: number;
  to: number;
}

class Sums {
  private readonly bytes: number[] = [0];
  private readonly secs: number[] = [0];
  constructor(units: readonly Unit[]) {
    for (const u of units) {
      this.bytes.push(this.bytes[this.bytes.length - 1] + u.bytes);
      this.secs.push(this.secs[this.secs.length - 1] + u.durationSec);
    }
  }
  b(g: Group) {
    return this.bytes[g.to] - this.bytes[g.from];
  }
  s(g: Group) {
    return this.secs[g.to] - this.secs[g.from];
  }
  start(pos: number) {
    return this.secs[pos];
  }
}

function validate(units: readonly Unit[], rules: SplitRules): void {
  let prev = -Infinity;
  for (const [pos, u] of units.entries()) {
    checkUnit(u, pos, prev, rules);
    prev = u.index;
  }
}

/** One unit's checks (`prev`: the index of the unit before it); the incremental planner shares them. */
export function checkUnit(u: Unit, pos: number, prev: number, rules: SplitRules): void {
  const where = `unit ${u?.index} (position ${pos})`;
  if (!Number.isFinite(u?.index) || u.index <= prev) throw permanent('bad_units', `${where}: unit indices must be finite and strictly increasing`);
  if (!Number.isFinite(u.bytes) || u.bytes < 0) throw permanent('bad_units', `${where}: bytes must be a non-negative number (got ${u.bytes})`);
  if (!Number.isFinite(u.durationSec) || u.durationSec < 0) throw permanent('bad_units', `${where}: durationSec must be a non-negative number (got ${u.durationSec})`);
  if (!fits(u.bytes, u.durationSec, rules)) {
    throw permanent('unit_too_large', `${where} alone (${u.bytes} bytes, ${u.durationSec.toFixed(1)} s) would exceed the part ceiling of ${rules.ceilingBytes} bytes`);
  }
}

/** Greedy fill of positions [from, to). The last group is "open": more units may still join it. */
function greedy(sums: Sums, units: readonly Unit[], from: number, to: number, rules: SplitRules): Group[] {
  const groups: Group[] = [];
  let cur: Group = { from, to: from };
  for (let i = from; i < to; i++) {
    const next = { from: cur.from, to: i + 1 };
    if (cur.to > cur.from && !fits(sums.b(next), sums.s(next), rules)) {
      groups.push(cur);
      cur = { from: i, to: i + 1 };
    } else {
      cur = next;
    }
  }
  if (cur.to > cur.from) groups.push(cur);
  return groups;
}

/** Best re-split of the positions [from, to) into two fitting groups, by `score` (lower wins). */
function bestSplit(sums: Sums, from: number, to: number, rules: SplitRules, accept: (a: Group, b: Group) => boolean, score: (b: Group) => number) {
  let best: [Group, Group] | null = null;
  let bestScore = Infinity;
  for (let cut = from + 1; cut < to; cut++) {
    const a = { from, to: cut };
    const b = { from: cut, to };
    if (!fits(sums.b(a), sums.s(a), rules) || !fits(sums.b(b), sums.s(b), rules) || !accept(a, b)) continue;
    const sc = score(b);
    // Ties go to the later cut: the earlier part stays fuller.
    if (sc <= bestScore) {
      best = [a, b];
      bestScore = sc;
    }
  }
  return best;
}

/** Merge/balance the last two groups of a closed run. Returns the groups and a dropped tail. */
function finishRun(sums: Sums, groups: Group[], rules: SplitRules, isVodEnd: boolean, allowDrop: boolean): { groups: Group[]; dropped: Group | null } {
  const out = groups.slice();
  if (out.length < 2) return { groups: out, dropped: null };
  const prev = out[out.length - 2];
  const last = out[out.length - 1];
  const both = { from: prev.from, to: last.to };
  if (sums.b(last) < rules.mergeThresholdBytes && fits(sums.b(both), sums.s(both), rules)) {
    out.splice(-2, 2, both);
  } else if (sums.b(last) < rules.minPartBytes) {
    const target = rules.midTargetRatio * sums.b(both);
    const split = bestSplit(
      sums,
      both.from,
      both.to,
      rules,
      () => true,
      (b) => Math.abs(sums.b(b) - target),
    );
    if (split) out.splice(-2, 2, ...split);
  }
  if (out.length < 2) return { groups: out, dropped: null };
  const tail = out[out.length - 1];
  if (isVodEnd && sums.s(tail) < rules.dropThresholdSec) {
    const p = out[out.length - 2];
    const target = rules.midTargetRatio * (sums.b(p) + sums.b(tail));
    const rescue = bestSplit(
      sums,
      p.from,
      tail.to,
      rules,
      (_a, b) => sums.s(b) >= rules.dropThresholdSec,
      (b) => Math.abs(sums.b(b) - target),
    );
    if (rescue) out.splice(-2, 2, ...rescue);
    else if (allowDrop) {
      out.pop();
      return { groups: out, dropped: tail };
    }
  }
  return { groups: out, dropped: null };
}

export interface PlanOptions {
  /** False while the download still runs: only final parts are returned. */
  complete: boolean;
  /** Default true; `replanPart` turns it off (a re-plan keeps every unit). */
  allowDrop?: boolean;
}

export function planParts(units: readonly Unit[], rules: SplitRules, options: PlanOptions): Plan {
  validate(units, rules);
  const sums = new Sums(units);
  // Runs of units sharing a stream key.
  const runs: Array<[number, number]> = [];
  for (let i = 0; i < units.length; i++) {
    if (i === 0 || units[i].streamKey !== units[i - 1].streamKey) runs.push([i, i + 1]);
    else runs[runs.length - 1][1] = i + 1;
  }
  const groups: Group[] = [];
  let dropped: Group | null = null;
  for (const [r, [from, to]] of runs.entries()) {
    const g = greedy(sums, units, from, to, rules);
    const isLastRun = r === runs.length - 1;
    if (!isLastRun || options.complete) {
      const done = finishRun(sums, g, rules, isLastRun, options.allowDrop ?? true);
      groups.push(...done.groups);
      dropped = done.dropped;
      continue;
    }
    // Open run: everything but the last two is final; the second-to-last too once the last can
    // no longer be merged, balanced or dropped whatever comes next.
    const last = g[g.length - 1];
    let final = Math.max(0, g.length - 2);
    if (g.length >= 2 && sums.b(last) >= rules.mergeThresholdBytes && sums.b(last) >= rules.minPartBytes && sums.s(last) >= rules.dropThresholdSec) {
      final = g.length - 1;
    }
    groups.push(...g.slice(0, final));
  }
  const parts = groups.map((g, i) => ({
    index: i + 1,
    firstUnit: units[g.from].index,
    lastUnit: units[g.to - 1].index,
    bytes: sums.b(g),
    durationSec: sums.s(g),
    startSec: sums.start(g.from),
    estimatedBytes: estimateMp4Bytes(sums.b(g), sums.s(g), rules),
  }));
  const droppedTail = dropped
    ? { firstUnit: units[dropped.from].index, lastUnit: units[dropped.to - 1].index, bytes: sums.b(dropped), durationSec: sums.s(dropped), startSec: sums.start(dropped.from) }
    : null;
  return { parts, dropped: droppedTail };
}

/**
 * A built part came out bigger than the ceiling (the estimate was off): re-plan its units alone
 * with the payload ratio measured on the built part (its bytes less the moov reservation, over
 * its input bytes; plus 1 %). Measured on the media bytes, not as built/estimated: the reservation
 * does not grow with the ratio, so scaling the whole estimate under-corrects small parts. The
 * result covers exactly the same units, in two or more parts numbered from 1; the caller renumbers.
 * Callers bound how often they do this (a second overflow of the same units is an error).
 */
export function replanPart(partUnits: readonly Unit[], rules: SplitRules, builtBytes: number): PlannedPart[] {
  const bytes = partUnits.reduce((n, u) => n + u.bytes, 0);
  const durationSec = partUnits.reduce((n, u) => n + u.durationSec, 0);
  const measured = bytes > 0 ? (builtBytes - moovReserveBytes(durationSec, rules)) / bytes : rules.payloadRatio;
  const corrected = { ...rules, payloadRatio: Math.max(rules.payloadRatio, measured) * 1.01 };
  const plan = planParts(partUnits, corrected, { complete: true, allowDrop: false });
  if (plan.parts.length < 2 && builtBytes > rules.ceilingBytes) {
    // A single unit cannot be split any further.
    throw permanent(
      'part_too_large',
      `part of units ${partUnits[0]?.index}..${partUnits[partUnits.length - 1]?.index} is ${builtBytes} bytes, over the ceiling of ${rules.ceilingBytes}, and cannot be split`,
    );
  }
  return plan.parts;
}
