import { checkUnit, estimateMp4Bytes, fits, planParts, type DroppedTail, type Plan, type PlannedPart, type SplitRules, type Unit } from './planner';
import { permanent } from '../util/errors';

/**
 * The part planner fed one finished unit at a time, with O(1) amortised work per unit (running
 * sums, nothing re-read), giving exactly what `planParts` gives for the same units (see planner.ts
 * for the rules). A plan run on every finished segment of a 6000-segment VOD was quadratic.
 *
 * It plays the pipeline's loop: after each `push`, `takeFinal` (or `takeEarly` while the download
 * runs, `finish` once it is complete) returns the parts that became final, numbered from 1 and timed
 * from the first unit not yet returned, the same as `planParts` over the units after the last
 * part returned. Returned parts are never revisited, so a restart that starts a new planner after the
 * last recorded part and pushes the finished segments again gives the same cut.
 */

export interface PendingUnit {
  index: number;
  durationSec: number;
}

/** Half-open range [from, to) of unit positions (since the planner's first unit). */
interface Group {
  from: number;
  to: number;
}

/** Last c in [lo, hi] where `pred` holds, for a predicate that is true then false; lo - 1 if none. */
function lastTrue(lo: number, hi: number, pred: (c: number) => boolean): number {
  let a = lo;
  let b = hi;
  while (a <= b) {
    const mid = (a + b) >>> 1;
    if (pred(mid)) a = mid + 1;
    else b = mid - 1;
  }
  return b;
}

export class IncrementalPlanner {
  /** Prefix sums over positions: bytes of the pushed units; seconds of the pushed (and listed) units. */
  private readonly bytes: number[] = [0];
  private readonly secs: number[] = [0];
  private readonly indices: number[] = [];
  /** Longest listed duration from each position on (the early plan's size check). */
  private readonly maxDurFrom: number[] = [];
  private lastKey: string | undefined;
  /** First position not yet returned in a part. */
  private base = 0;
  /** Groups of finished runs (final), then the open run's closed groups, then its open group. */
  private ready: Group[] = [];
  private closed: Group[] = [];
  private cur: Group = { from: 0, to: 0 };
  /** Bytes per second assumed for listed units not yet pushed (the early plan only). */
  private rate = 0;
  private finished = false;

  /**
   * `playlist`: every unit still to come, in order (the VOD's segments after the last recorded
   * part); needed by `takeEarly` only. Pushed units must then match it one by one.
   */
  constructor(
    private readonly rules: SplitRules,
    private readonly playlist?: readonly PendingUnit[],
  ) {
    if (!playlist) return;
    let prev = -Infinity;
    for (const [pos, p] of playlist.entries()) {
      checkUnit({ index: p.index, bytes: 0, durationSec: p.durationSec }, pos, prev, rules);
      prev = p.index;
      this.secs.push(this.secs[pos] + p.durationSec);
    }
    for (let pos = playlist.length - 1; pos >= 0; pos--) this.maxDurFrom[pos] = Math.max(playlist[pos].durationSec, this.maxDurFrom[pos + 1] ?? 0);
  }

  /** Units pushed so far. */
  get length(): number {
    return this.indices.length;
  }

  push(unit: Unit): void {
    if (this.finished) throw permanent('bad_units', `unit ${unit?.index}: the plan is already complete`);
    const n = this.indices.length;
    checkUnit(unit, n - this.base, this.indices[n - 1] ?? -Infinity, this.rules);
    if (this.playlist) {
      const listed = this.playlist[n];
      if (!listed || listed.index !== unit.index || listed.durationSec !== unit.durationSec) {
        throw permanent('bad_units', `unit ${unit.index} (position ${n}) is not the next listed unit (${listed ? `${listed.index}, ${listed.durationSec} s` : 'none left'})`);
      }
    } else {
      this.secs.push(this.secs[n] + unit.durationSec);
    }
    if (n > this.cur.from && unit.streamKey !== this.lastKey) {
      // A change of stream ends the run: its last two parts are settled now.
      this.ready.push(...this.finishRun([...this.closed, this.cur], false).groups);
      this.closed = [];
      this.cur = { from: n, to: n };
    }
    this.indices.push(unit.index);
    this.bytes.push(this.bytes[n] + unit.bytes);
    this.lastKey = unit.streamKey;
    if (this.cur.to > this.cur.from && !this.fitsRange(this.cur.from, n + 1)) {
      this.closed.push(this.cur);
      this.cur = { from: n, to: n + 1 };
    } else {
      this.cur = { from: this.cur.from, to: n + 1 };
    }
  }

  /** Parts nothing later can change: `planParts(units, rules, { complete: false })`. */
  takeFinal(): PlannedPart[] {
    return this.emit(this.sureCount());
  }

  /**
   * Parts final while the download still runs, using the playlist: the rest of the VOD is
   * estimated at the bitrate so far (listed durations x bytes per second, rounded cumulatively),
   * and a closed part that is not one of the estimated plan's last two is final at once (greedy
   * parts do not depend on what follows them). Same as `planEarly` over the same units.
   */
  takeEarly(): PlannedPart[] {
    if (!this.playlist) throw new Error('IncrementalPlanner.takeEarly needs the playlist');
    const sure = this.sureCount();
    const closedCount = this.ready.length + this.closed.length;
    let count = sure;
    if (closedCount > sure) {
      const full = this.estimatedPlanLength();
      if (full !== undefined) count = Math.max(sure, Math.min(closedCount, full - 2));
    }
    return this.emit(count);
  }

  /** The download is complete: the remaining parts, `planParts(units, rules, { complete: true })`. */
  finish(): Plan {
    this.finished = true;
    if (this.indices.length === this.base) return { parts: [], dropped: null };
    const done = this.finishRun([...this.closed, this.cur], true);
    this.ready.push(...done.groups);
    this.closed = [];
    const start = this.base;
    const parts = this.emit(this.ready.length);
    const g = done.dropped;
    const dropped: DroppedTail | null = g
      ? {
          firstUnit: this.indices[g.from],
          lastUnit: this.indices[g.to - 1],
          bytes: this.b(g.from, g.to),
          durationSec: this.s(g.from, g.to),
          startSec: this.secs[g.from] - this.secs[start],
        }
      : null;
    return { parts, dropped };
  }

  // ------------------------------------------------------------------ internals

  /** Bytes at a position: pushed units' real sizes, listed units' estimates beyond them. */
  private at(pos: number): number {
    const n = this.indices.length;
    return pos <= n ? this.bytes[pos] : this.bytes[n] + Math.round(this.rate * (this.secs[pos] - this.secs[n]));
  }
  private b(from: number, to: number): number {
    return this.at(to) - this.at(from);
  }
  private s(from: number, to: number): number {
    return this.secs[to] - this.secs[from];
  }
  private fitsRange(from: number, to: number): boolean {
    return fits(this.b(from, to), this.s(from, to), this.rules);
  }

  /** The open run's rule: all but its last two groups, or but the last once that is big and long. */
  private sureCount(): number {
    const g = this.closed.length + (this.cur.to > this.cur.from ? 1 : 0);
    const { rules } = this;
    let final = Math.max(0, g - 2);
    const last = this.b(this.cur.from, this.cur.to);
    if (g >= 2 && last >= rules.mergeThresholdBytes && last >= rules.minPartBytes && this.s(this.cur.from, this.cur.to) >= rules.dropThresholdSec) final = g - 1;
    return this.ready.length + final;
  }

  /** Number of parts of the complete plan with the listed rest estimated; undefined if an estimate cannot fit. */
  private estimatedPlanLength(): number | undefined {
    const n = this.indices.length;
    const total = this.playlist!.length;
    const seconds = this.s(this.base, n);
    this.rate = seconds > 0 ? this.b(this.base, n) / seconds : 0;
    if (n < total && !this.estimatesFit(n, total)) return undefined;
    // Greedy groups from the open group on; four or more leave the closed ones outside the last two.
    const groups: Group[] = [];
    for (let from = this.cur.from; from < total && groups.length < 4;) {
      const to = Math.max(
        from + 1,
        lastTrue(from + 1, total, (c) => this.fitsRange(from, c)),
      );
      groups.push({ from, to });
      from = to;
    }
    if (groups.length >= 4) return Infinity;
    return this.ready.length + this.finishRun([...this.closed, ...groups], true).groups.length;
  }

  /** Every estimated unit fits alone (checked on a bound first, one by one only when that fails). */
  private estimatesFit(n: number, total: number): boolean {
    const longest = this.maxDurFrom[n];
    if (fits(Math.ceil(this.rate * longest) + 1, longest, this.rules)) return true;
    for (let pos = n; pos < total; pos++) if (!this.fitsRange(pos, pos + 1)) return false;
    return true;
  }

  /** planner.ts finishRun, with the best re-split found by binary search (the sums are monotone). */
  private finishRun(groups: Group[], isVodEnd: boolean): { groups: Group[]; dropped: Group | null } {
    const { rules } = this;
    const out = groups.filter((g) => g.to > g.from);
    if (out.length < 2) return { groups: out, dropped: null };
    const prev = out[out.length - 2];
    const last = out[out.length - 1];
    if (this.b(last.from, last.to) < rules.mergeThresholdBytes && this.fitsRange(prev.from, last.to)) {
      out.splice(-2, 2, { from: prev.from, to: last.to });
    } else if (this.b(last.from, last.to) < rules.minPartBytes) {
      const split = this.bestSplit(prev.from, last.to, rules.midTargetRatio * this.b(prev.from, last.to), false);
      if (split) out.splice(-2, 2, ...split);
    }
    if (out.length < 2) return { groups: out, dropped: null };
    const tail = out[out.length - 1];
    if (isVodEnd && this.s(tail.from, tail.to) < rules.dropThresholdSec) {
      const p = out[out.length - 2];
      const rescue = this.bestSplit(p.from, tail.to, rules.midTargetRatio * (this.b(p.from, p.to) + this.b(tail.from, tail.to)), true);
      if (rescue) out.splice(-2, 2, ...rescue);
      else {
        out.pop();
        return { groups: out, dropped: tail };
      }
    }
    return { groups: out, dropped: null };
  }

  /**
   * The cut of [from, to) into two fitting groups whose second is closest to `target` bytes, ties
   * to the later cut (planner.ts bestSplit). The cuts where both fit (and, for a rescue, the second
   * lasts long enough) form an interval; over it the second group's bytes only fall.
   */
  private bestSplit(from: number, to: number, target: number, rescue: boolean): [Group, Group] | null {
    const { rules } = this;
    let hi = lastTrue(from + 1, to - 1, (c) => this.fitsRange(from, c));
    if (rescue)
      hi = Math.min(
        hi,
        lastTrue(from + 1, to - 1, (c) => this.s(c, to) >= rules.dropThresholdSec),
      );
    const lo = lastTrue(from + 1, to - 1, (c) => !this.fitsRange(c, to)) + 1;
    if (lo > hi) return null;
    const second = (c: number) => this.b(c, to);
    const above = lastTrue(lo, hi, (c) => second(c) >= target);
    let cut: number;
    if (above < lo) cut = lastTrue(lo, hi, (c) => second(c) >= second(lo));
    else if (above === hi) cut = hi;
    else {
      const below = above + 1;
      cut = Math.abs(second(below) - target) <= Math.abs(second(above) - target) ? lastTrue(below, hi, (c) => second(c) >= second(below)) : above;
    }
    return [
      { from, to: cut },
      { from: cut, to },
    ];
  }

  /** Returns the first `count` final groups as parts and moves past them. */
  private emit(count: number): PlannedPart[] {
    const groups = [...this.ready, ...this.closed].slice(0, count);
    if (groups.length === 0) return [];
    const fromReady = Math.min(groups.length, this.ready.length);
    this.ready = this.ready.slice(fromReady);
    this.closed = this.closed.slice(groups.length - fromReady);
    const start = this.secs[this.base];
    this.base = groups[groups.length - 1].to;
    return groups.map((g, i) => {
      const bytes = this.b(g.from, g.to);
      const durationSec = this.s(g.from, g.to);
      return {
        index: i + 1,
        firstUnit: this.indices[g.from],
        lastUnit: this.indices[g.to - 1],
        bytes,
        durationSec,
        startSec: this.secs[g.from] - start,
        estimatedBytes: estimateMp4Bytes(bytes, durationSec, this.rules),
      };
    });
  }
}

/**
 * The early plan computed from scratch (the definition `IncrementalPlanner.takeEarly` follows):
 * `units` are the finished units after the last recorded part, `pending` the listed ones after
 * the last finished unit.
 */
export function planEarly(units: readonly Unit[], pending: readonly PendingUnit[], rules: SplitRules): PlannedPart[] {
  const sure = planParts(units, rules, { complete: false }).parts;
  if (units.length === 0) return sure;
  const lastDone = units[units.length - 1].index;
  const bytes = units.reduce((n, u) => n + u.bytes, 0);
  const seconds = units.reduce((n, u) => n + u.durationSec, 0);
  const rate = seconds > 0 ? bytes / seconds : 0;
  const streamKey = units[units.length - 1].streamKey;
  let at = 0;
  let before = 0;
  const rest: Unit[] = pending.map((p) => {
    at += p.durationSec;
    const upTo = Math.round(rate * at);
    const unit = { index: p.index, bytes: upTo - before, durationSec: p.durationSec, streamKey };
    before = upTo;
    return unit;
  });
  let estimated: PlannedPart[] = [];
  try {
    const full = planParts([...units, ...rest], rules, { complete: true }).parts;
    // A part ending on the newest unit might still grow: the next unit's real size decides.
    estimated = full.filter((p) => p.index <= full.length - 2 && p.lastUnit < lastDone);
  } catch {
    // An estimated unit too big on its own: fall back to what is certain.
  }
  return estimated.length > sure.length ? estimated : sure;
}
