import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  estimateMp4Bytes,
  planParts,
  replanPart,
  splitRules,
  TELEGRAM_LIMIT_BYTES,
  TELEGRAM_PREMIUM_LIMIT_BYTES,
  type Plan,
  type SplitRules,
  type Unit,
} from '../../electron/engine/media/planner';
import { EngineError } from '../../electron/engine/util/errors';
import { moovReserveBytes } from '../../electron/engine/media/overhead';

const defaults = { maxFileSizeMB: 4194, minFileSizeMB: 1800, mergeThresholdMB: 100, midTargetRatio: 0.5, dropSegmentThresholdSec: 0 };

/** Small ceilings so a few dozen units make several parts. */
const rulesArb: fc.Arbitrary<SplitRules> = fc
  .record({
    ceilingBytes: fc.integer({ min: 400_000, max: 3_000_000 }),
    minFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    mergeFrac: fc.double({ min: 0, max: 0.5, noNaN: true }),
    midTargetRatio: fc.double({ min: 0.05, max: 0.95, noNaN: true }),
    dropThresholdSec: fc.constantFrom(0, 0, 5, 30),
    payloadRatio: fc.constantFrom(184 / 188, 1),
  })
  .map((r) => ({
    ceilingBytes: r.ceilingBytes,
    payloadRatio: r.payloadRatio,
    // Tiny sample rates keep the moov reservation small next to these ceilings.
    videoFps: 1,
    audioFramesPerSec: 1,
    minPartBytes: Math.floor(r.minFrac * r.ceilingBytes),
    mergeThresholdBytes: Math.floor(r.mergeFrac * r.ceilingBytes),
    midTargetRatio: r.midTargetRatio,
    dropThresholdSec: r.dropThresholdSec,
  }));

function unitsArb(maxBytes: number, withKeys = false): fc.Arbitrary<Unit[]> {
  return fc
    .array(
      fc.record({
        bytes: fc.integer({ min: 0, max: maxBytes }),
        durationSec: fc.double({ min: 0.5, max: 12, noNaN: true }),
        key: fc.constantFrom('a', 'a', 'a', 'a', 'b'),
      }),
      { minLength: 0, maxLength: 60 },
    )
    .map((xs) => xs.map((x, i) => ({ index: i + 7, bytes: x.bytes, durationSec: x.durationSec, ...(withKeys ? { streamKey: x.key } : {}) })));
}

/** Units that each fit alone under the rules. */
const caseArb = (withKeys = false) => rulesArb.chain((rules) => unitsArb(Math.floor((rules.ceilingBytes - 100_000) / 1.05 / 2), withKeys).map((units) => ({ rules, units })));

const fitsAlone = (u: Unit[], rules: SplitRules) =>
  estimateMp4Bytes(
    u.reduce((s, x) => s + x.bytes, 0),
    u.reduce((s, x) => s + x.durationSec, 0),
    rules,
  ) <= rules.ceilingBytes;

function unitsOf(units: Unit[], first: number, last: number) {
  return units.filter((u) => u.index >= first && u.index <= last);
}

/** The last two parts of the final run of `plan`, as unit lists, if both exist. */
function lastTwo(plan: Plan, units: Unit[]) {
  const n = plan.parts.length;
  if (n < 2) return null;
  const a = plan.parts[n - 2];
  const b = plan.parts[n - 1];
  return { a, b, ua: unitsOf(units, a.firstUnit, a.lastUnit), ub: unitsOf(units, b.firstUnit, b.lastUnit) };
}

describe('splitRules', () => {
  it('takes the lower of Telegram limit and MAX_FILE_SIZE_MB (decimal MB)', () => {
    expect(splitRules(defaults, false).ceilingBytes).toBe(TELEGRAM_LIMIT_BYTES);
    expect(splitRules(defaults, true).ceilingBytes).toBe(4_194_000_000);
    expect(splitRules({ ...defaults, maxFileSizeMB: 5000 }, true).ceilingBytes).toBe(TELEGRAM_PREMIUM_LIMIT_BYTES);
    expect(splitRules({ ...defaults, maxFileSizeMB: 2024 }, false).ceilingBytes).toBe(2_024_000_000);
    const r = splitRules({ ...defaults, minFileSizeMB: 1800, mergeThresholdMB: 100, dropSegmentThresholdSec: 30 }, false);
    expect(r.minPartBytes).toBe(1_800_000_000);
    expect(r.mergeThresholdBytes).toBe(100_000_000);
    expect(r.dropThresholdSec).toBe(30);
  });
  it('rejects a ceiling too small to hold anything, naming the setting', () => {
    expect(() => splitRules({ ...defaults, maxFileSizeMB: 0 }, false)).toThrow(/maxFileSizeMB/);
  });
  it('a 2 GB part keeps a margin for the moov and still fills the ceiling', () => {
    const r = splitRules(defaults, false);
    // 2800 s at 6 Mbit/s: TS bytes of 99.3 % of the ceiling still fit; the margin is not wasteful.
    expect(estimateMp4Bytes(0.993 * r.ceilingBytes, 2800, r)).toBeLessThanOrEqual(r.ceilingBytes);
    expect(estimateMp4Bytes(r.ceilingBytes, 2800, r)).toBeGreaterThan(0.98 * r.ceilingBytes);
  });
});

describe('planParts (properties)', () => {
  it('covers every unit once, in order, contiguously; only a trailing remainder is dropped', () => {
    fc.assert(
      fc.property(caseArb(true), ({ rules, units }) => {
        const plan = planParts(units, rules, { complete: true });
        const covered: number[] = [];
        for (const [i, p] of plan.parts.entries()) {
          expect(p.index).toBe(i + 1);
          const us = unitsOf(units, p.firstUnit, p.lastUnit);
          expect(us.length).toBeGreaterThan(0);
          covered.push(...us.map((u) => u.index));
          expect(p.bytes).toBe(us.reduce((s, u) => s + u.bytes, 0));
          expect(p.durationSec).toBeCloseTo(
            us.reduce((s, u) => s + u.durationSec, 0),
            6,
          );
          const before = units.filter((u) => u.index < p.firstUnit).reduce((s, u) => s + u.durationSec, 0);
          expect(p.startSec).toBeCloseTo(before, 6);
        }
        if (plan.dropped) covered.push(...unitsOf(units, plan.dropped.firstUnit, plan.dropped.lastUnit).map((u) => u.index));
        expect(covered).toEqual(units.map((u) => u.index));
      }),
    );
  });

  it('every part fits under the ceiling and never spans a change of stream key', () => {
    fc.assert(
      fc.property(caseArb(true), ({ rules, units }) => {
        for (const p of planParts(units, rules, { complete: true }).parts) {
          expect(p.estimatedBytes).toBeLessThanOrEqual(rules.ceilingBytes);
          expect(new Set(unitsOf(units, p.firstUnit, p.lastUnit).map((u) => u.streamKey)).size).toBe(1);
        }
      }),
    );
  });

  it('parts fill the ceiling: all but the last two could not take the next unit', () => {
    fc.assert(
      fc.property(caseArb(), ({ rules, units }) => {
        const { parts } = planParts(units, rules, { complete: true });
        for (const p of parts.slice(0, -2)) {
          const withNext = unitsOf(units, p.firstUnit, p.lastUnit + 1);
          expect(withNext.length).toBe(unitsOf(units, p.firstUnit, p.lastUnit).length + 1);
          expect(fitsAlone(withNext, rules)).toBe(false);
        }
      }),
    );
  });

  it('the last part is merged into or balanced with the previous one when small', () => {
    fc.assert(
      fc.property(caseArb(), ({ rules, units }) => {
        const plan = planParts(units, rules, { complete: true });
        const two = lastTwo(plan, units);
        if (!two) return;
        const all = [...two.ua, ...two.ub];
        // Merge threshold: a small last part exists only if both would not fit together.
        if (two.b.bytes < rules.mergeThresholdBytes) expect(fitsAlone(all, rules)).toBe(false);
        // Balance: a last part under MIN is the split closest to MID_TARGET_RATIO of the sum.
        if (two.b.bytes < rules.minPartBytes && !plan.dropped && rules.dropThresholdSec === 0) {
          const total = two.a.bytes + two.b.bytes;
          const target = rules.midTargetRatio * total;
          let best = Infinity;
          for (let cut = 1; cut < all.length; cut++) {
            const a = all.slice(0, cut);
            const b = all.slice(cut);
            if (!fitsAlone(a, rules) || !fitsAlone(b, rules)) continue;
            best = Math.min(best, Math.abs(b.reduce((s, u) => s + u.bytes, 0) - target));
          }
          expect(Math.abs(two.b.bytes - target)).toBeLessThanOrEqual(best);
        }
      }),
    );
  });

  it('drops only a trailing remainder shorter than the threshold that cannot join the previous part', () => {
    fc.assert(
      fc.property(caseArb(), ({ rules, units }) => {
        const plan = planParts(units, rules, { complete: true });
        if (!plan.dropped) {
          const last = plan.parts[plan.parts.length - 1];
          if (last && plan.parts.length >= 2) {
            // A short last part remains only when nothing could be done.
            if (last.durationSec < rules.dropThresholdSec) throw new Error('short tail neither rescued nor dropped');
          }
          return;
        }
        expect(plan.dropped.durationSec).toBeLessThan(rules.dropThresholdSec);
        expect(plan.parts.length).toBeGreaterThan(0);
        const prev = plan.parts[plan.parts.length - 1];
        const all = [...unitsOf(units, prev.firstUnit, prev.lastUnit), ...unitsOf(units, plan.dropped.firstUnit, plan.dropped.lastUnit)];
        expect(fitsAlone(all, rules)).toBe(false);
        for (let cut = 1; cut < all.length; cut++) {
          const b = all.slice(cut);
          const ok = fitsAlone(all.slice(0, cut), rules) && fitsAlone(b, rules) && b.reduce((s, u) => s + u.durationSec, 0) >= rules.dropThresholdSec;
          expect(ok).toBe(false);
        }
      }),
    );
  });

  it('the incremental plan at every prefix is a prefix of the final plan', () => {
    fc.assert(
      fc.property(caseArb(true), ({ rules, units }) => {
        const final = planParts(units, rules, { complete: true }).parts;
        for (let k = 0; k <= units.length; k++) {
          const partial = planParts(units.slice(0, k), rules, { complete: false });
          expect(partial.dropped).toBeNull();
          expect(final.slice(0, partial.parts.length)).toEqual(partial.parts);
        }
      }),
    );
  });

  it('a unit bigger than the ceiling alone is an error naming it', () => {
    fc.assert(
      fc.property(caseArb(), fc.nat(), ({ rules, units }, at) => {
        const pos = units.length ? at % units.length : 0;
        const big = { index: units.length ? units[pos].index : 1, bytes: rules.ceilingBytes, durationSec: 1 };
        const bad = units.length ? units.map((u, i) => (i === pos ? big : u)) : [big];
        for (const complete of [true, false]) {
          let caught: unknown;
          try {
            planParts(bad, rules, { complete });
          } catch (e) {
            caught = e;
          }
          expect(caught).toBeInstanceOf(EngineError);
          expect((caught as EngineError).code).toBe('unit_too_large');
          expect((caught as Error).message).toContain(`unit ${big.index} `);
        }
      }),
    );
  });
});

describe('planParts (examples)', () => {
  const rules: SplitRules = {
    ceilingBytes: 10_000_000,
    payloadRatio: 1,
    videoFps: 1,
    audioFramesPerSec: 1,
    minPartBytes: 0,
    mergeThresholdBytes: 0,
    midTargetRatio: 0.5,
    dropThresholdSec: 0,
  };
  // TS bytes that fit next to the moov reserved for `dur` seconds.
  const room = (dur: number) => rules.ceilingBytes - estimateMp4Bytes(0, dur, rules);
  const u = (index: number, bytes: number, durationSec = 2): Unit => ({ index, bytes, durationSec });

  it('a VOD shorter than one part is one part', () => {
    const plan = planParts([u(0, 1000), u(1, 2000)], rules, { complete: true });
    expect(plan.parts).toHaveLength(1);
    expect(plan.parts[0]).toMatchObject({ index: 1, firstUnit: 0, lastUnit: 1, bytes: 3000, durationSec: 4, startSec: 0 });
    expect(planParts([], rules, { complete: true })).toEqual({ parts: [], dropped: null });
  });

  it('a VOD exactly at the ceiling is one part; one byte more makes two', () => {
    const exact = [u(0, room(4) - 500), u(1, 500)];
    expect(planParts(exact, rules, { complete: true }).parts).toHaveLength(1);
    expect(planParts(exact, rules, { complete: true }).parts[0].estimatedBytes).toBe(rules.ceilingBytes);
    const over = [u(0, room(4) - 500), u(1, 501)];
    expect(planParts(over, rules, { complete: true }).parts).toHaveLength(2);
  });

  it('many tiny units fill the ceiling', () => {
    const units = Array.from({ length: 3000 }, (_, i) => u(i, 10_000, 0.1));
    const { parts } = planParts(units, rules, { complete: true });
    for (const p of parts.slice(0, -1)) expect(p.estimatedBytes).toBeGreaterThan(rules.ceilingBytes - 10_000);
    expect(parts.reduce((s, p) => s + p.bytes, 0)).toBe(30_000_000);
  });

  it('balances a tiny last part with the previous one (MIN_FILE_SIZE, MID_TARGET_RATIO)', () => {
    const units = Array.from({ length: 11 }, (_, i) => u(i, 1_000_000));
    const plain = planParts(units, rules, { complete: true }).parts.map((p) => p.bytes);
    expect(plain).toEqual([9_000_000, 2_000_000]);
    const balanced = planParts(units, { ...rules, minPartBytes: 4_000_000 }, { complete: true }).parts.map((p) => p.bytes);
    expect(balanced).toEqual([6_000_000, 5_000_000]);
    const skewed = planParts(units, { ...rules, minPartBytes: 4_000_000, midTargetRatio: 0.3 }, { complete: true }).parts.map((p) => p.bytes);
    expect(skewed).toEqual([8_000_000, 3_000_000]);
  });

  it('drops a short trailing remainder only when it cannot join, and reports it', () => {
    const huge = room(10) - 100;
    const units = [u(0, huge, 10), u(1, 1000, 3)];
    const kept = planParts(units, rules, { complete: true });
    expect(kept.parts).toHaveLength(2);
    expect(kept.dropped).toBeNull();
    const plan = planParts(units, { ...rules, dropThresholdSec: 5 }, { complete: true });
    expect(plan.parts).toHaveLength(1);
    expect(plan.dropped).toEqual({ firstUnit: 1, lastUnit: 1, bytes: 1000, durationSec: 3, startSec: 10 });
    // While downloading nothing is dropped and the open parts are not returned.
    expect(planParts(units, { ...rules, dropThresholdSec: 5 }, { complete: false })).toEqual({ parts: [], dropped: null });
    // Small units can be moved: a short tail gets rescued instead of dropped.
    const small = [...Array.from({ length: 9 }, (_, i) => u(i, 1_000_000, 2)), u(9, 1_000_000, 2)];
    const rescued = planParts(small, { ...rules, dropThresholdSec: 5 }, { complete: true });
    expect(rescued.dropped).toBeNull();
    expect(rescued.parts[rescued.parts.length - 1].durationSec).toBeGreaterThanOrEqual(5);
  });

  it('starts a new part when the stream changes (resolution)', () => {
    const units = [u(0, 100), u(1, 100), { ...u(2, 100), streamKey: 'h264 256x144' }, { ...u(3, 100), streamKey: 'h264 256x144' }];
    const plan = planParts(units, rules, { complete: true });
    expect(plan.parts.map((p) => [p.firstUnit, p.lastUnit])).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it('rejects bad units with their position', () => {
    expect(() => planParts([u(0, 1), u(0, 1)], rules, { complete: true })).toThrow(/unit 0 \(position 1\).*increasing/);
    expect(() => planParts([u(0, -1)], rules, { complete: true })).toThrow(/unit 0 \(position 0\): bytes/);
    expect(() => planParts([u(0, 1, Number.NaN)], rules, { complete: true })).toThrow(/durationSec/);
  });

  it('replanPart splits an oversized part with the measured ratio and keeps every unit', () => {
    const units = Array.from({ length: 9 }, (_, i) => u(i, 1_000_000));
    const [part] = planParts(units, rules, { complete: true }).parts;
    expect(part.lastUnit).toBe(8);
    const parts = replanPart(units, rules, part.estimatedBytes * 1.2);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts[0].firstUnit).toBe(0);
    expect(parts[parts.length - 1].lastUnit).toBe(8);
    for (const p of parts) expect(p.bytes * 1.2).toBeLessThanOrEqual(rules.ceilingBytes);
  });

  it('replanPart corrects small parts too, where the moov reservation is much of the estimate', () => {
    // 10 units of 60 KB, 2 s each, planned at a payload ratio of 0.5; the media came out at 0.9.
    // Scaling the whole estimate by built/estimated (reservation included) would call it fitting.
    const small: SplitRules = { ...rules, ceilingBytes: 620_000, payloadRatio: 0.5, videoFps: 60, audioFramesPerSec: 48_000 / 1024 };
    const units = Array.from({ length: 10 }, (_, i) => u(i, 60_000));
    const [part] = planParts(units, small, { complete: true }).parts;
    expect(part.lastUnit).toBe(9);
    const built = 0.9 * 600_000 + moovReserveBytes(20, small);
    expect(built).toBeGreaterThan(small.ceilingBytes);
    const parts = replanPart(units, small, built);
    expect(parts.length).toBeGreaterThanOrEqual(2);
    expect(parts[0].firstUnit).toBe(0);
    expect(parts[parts.length - 1].lastUnit).toBe(9);
    // At the measured ratio, with its own reservation, each piece fits.
    for (const p of parts) expect(estimateMp4Bytes(p.bytes, p.durationSec, { ...small, payloadRatio: 0.9 })).toBeLessThanOrEqual(small.ceilingBytes);
  });
});
