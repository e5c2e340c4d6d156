import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planLiveParts } from '../../electron/engine/media/live-plan';
import { estimateMp4Bytes, planParts, type PlannedPart, type SplitRules, type Unit } from '../../electron/engine/media/planner';

/** Tiny rules: 10 units of 100 bytes fit a part; balancing and merging on, as in the product. */
const base: SplitRules = {
  ceilingBytes: 1e9,
  payloadRatio: 1,
  videoFps: 1,
  audioFramesPerSec: 1,
  minPartBytes: 800,
  mergeThresholdBytes: 300,
  midTargetRatio: 0.5,
  dropThresholdSec: 3,
};
const rules: SplitRules = { ...base, ceilingBytes: estimateMp4Bytes(1000, 20, base) };
const unit = (index: number, streamKey = 'a'): Unit => ({ index, bytes: 100, durationSec: 2, streamKey });
const units = (n: number, key = (_i: number) => 'a') => Array.from({ length: n }, (_, i) => unit(i, key(i)));

/** Plans as a live VOD grows one unit at a time, keeping every part once planned (as posted). */
function grow(all: Unit[], endAt = all.length): { settled: PlannedPart[]; whenFinal: number[] } {
  const settled: PlannedPart[] = [];
  const whenFinal: number[] = [];
  for (let n = 1; n <= endAt; n++) {
    const { parts } = planLiveParts({ units: all.slice(0, n), rules, settled, ended: n === endAt });
    for (let k = 0; k < parts.length; k++) whenFinal.push(n);
    settled.push(...parts);
  }
  return { settled, whenFinal };
}

describe('planLiveParts', () => {
  it('makes a part final as soon as the next unit would not fit, not when the part after it is big', () => {
    const all = units(35);
    const { settled, whenFinal } = grow(all);
    expect(settled.map((p) => [p.index, p.firstUnit, p.lastUnit])).toEqual([
      [1, 0, 9],
      [2, 10, 19],
      [3, 20, 29],
      [4, 30, 34],
    ]);
    // Part 1 is final with unit 10 listed (11 units), part 2 with 21, part 3 with 31.
    expect(whenFinal.slice(0, 3)).toEqual([11, 21, 31]);
    expect(settled.map((p) => p.startSec)).toEqual([0, 20, 40, 60]);
  });

  it('applies the tail rules at the end to what is not planned yet', () => {
    // A 2-unit tail (200 bytes < merge threshold) cannot join the full part 2: it stays on its own.
    const tail = grow(units(22)).settled;
    expect(tail.map((p) => [p.firstUnit, p.lastUnit])).toEqual([
      [0, 9],
      [10, 19],
      [20, 21],
    ]);
    // A 1-unit tail shorter than the drop threshold is dropped (and reported).
    const settled = grow(units(20)).settled.filter((p) => p.lastUnit < 20);
    const end = planLiveParts({ units: units(21), rules, settled, ended: true });
    expect(end.parts).toEqual([]);
    expect(end.dropped).toMatchObject({ firstUnit: 20, lastUnit: 20, startSec: 40 });
  });

  it('closes the part at a stream change (a drop and resume) at once', () => {
    const all = units(14, (i) => (i < 4 ? 'a' : 'a#d1'));
    const { settled, whenFinal } = grow(all);
    expect(settled.map((p) => [p.firstUnit, p.lastUnit])).toEqual([
      [0, 3],
      [4, 13],
    ]);
    expect(whenFinal[0]).toBe(5);
  });

  it('gives the ordinary plan when the VOD was complete from the start', () => {
    const all = units(35);
    expect(planLiveParts({ units: all, rules, settled: [], ended: true })).toEqual(planParts(all, rules, { complete: true }));
  });

  it('refuses settled parts that do not match the units', () => {
    const bogus = { index: 1, firstUnit: 0, lastUnit: 99, bytes: 0, durationSec: 0, startSec: 0, estimatedBytes: 0 };
    expect(() => planLiveParts({ units: units(5), rules, settled: [bogus], ended: false })).toThrow(/unit 99, which is not among/);
    const gap = { ...bogus, lastUnit: 2 };
    expect(() => planLiveParts({ units: units(5).filter((u) => u.index !== 2), rules, settled: [gap], ended: false })).toThrow(/not among the units/);
  });

  it('for any growth, the parts tile the units in order, each within the ceiling, with only a short end dropped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ bytes: fc.integer({ min: 0, max: 900 }), durationSec: fc.integer({ min: 0, max: 4 }), key: fc.integer({ min: 0, max: 2 }) }), {
          minLength: 1,
          maxLength: 60,
        }),
        (spec) => {
          let run = 0;
          const all = spec.map((u, index) => {
            if (u.key === 0 && index > 0) run++;
            return { index, bytes: u.bytes, durationSec: u.durationSec, streamKey: `k${run}` };
          });
          const settled: PlannedPart[] = [];
          let dropped: ReturnType<typeof planLiveParts>['dropped'] = null;
          for (let n = 1; n <= all.length; n++) {
            const r = planLiveParts({ units: all.slice(0, n), rules, settled, ended: n === all.length });
            settled.push(...r.parts);
            dropped = r.dropped;
          }
          let next = 0;
          let start = 0;
          for (const [i, p] of settled.entries()) {
            expect(p.index).toBe(i + 1);
            expect(p.firstUnit).toBe(next);
            expect(p.startSec).toBeCloseTo(start, 6);
            expect(p.estimatedBytes).toBeLessThanOrEqual(rules.ceilingBytes);
            next = p.lastUnit + 1;
            start += p.durationSec;
          }
          if (dropped) {
            expect(dropped.firstUnit).toBe(next);
            expect(dropped.durationSec).toBeLessThan(rules.dropThresholdSec);
            next = dropped.lastUnit + 1;
          }
          expect(next).toBe(all.length);
        },
      ),
      { numRuns: 200 },
    );
  });
});
