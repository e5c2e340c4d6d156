import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IncrementalPlanner, planEarly } from '../../electron/engine/media/incremental-planner';
import { planParts, splitRules, type Plan, type PlannedPart, type SplitRules, type Unit } from '../../electron/engine/media/planner';

/** Small ceilings so a few dozen units make several parts (as in planner.test.ts). */
const rulesArb: fc.Arbitrary<SplitRules> = fc
  .record({
    ceilingBytes: fc.integer({ min: 400_000, max: 3_000_000 }),
    minFrac: fc.double({ min: 0, max: 1, noNaN: true }),
    mergeFrac: fc.double({ min: 0, max: 0.5, noNaN: true }),
    midTargetRatio: fc.oneof(fc.constant(0.5), fc.double({ min: 0.05, max: 0.95, noNaN: true })),
    dropThresholdSec: fc.constantFrom(0, 0, 5, 30),
    payloadRatio: fc.constantFrom(184 / 188, 1),
  })
  .map((r) => ({
    ceilingBytes: r.ceilingBytes,
    payloadRatio: r.payloadRatio,
    videoFps: 1,
    audioFramesPerSec: 1,
    minPartBytes: Math.floor(r.minFrac * r.ceilingBytes),
    mergeThresholdBytes: Math.floor(r.mergeFrac * r.ceilingBytes),
    midTargetRatio: r.midTargetRatio,
    dropThresholdSec: r.dropThresholdSec,
  }));

/**
 * Durations are multiples of 1/4 s so sums of seconds are exact in binary whatever the order of
 * addition: the batch plan re-sums from its first unit, the incremental one subtracts running sums,
 * and with durations like 10.01 s the two could differ in the last bit (never in a real decision).
 */
const caseArb = rulesArb.chain((rules) =>
  fc
    .array(
      fc.record({
        // Sizes from a coarse grid too, so equal scores (ties between two cuts) happen.
        bytes: fc.oneof(
          fc.integer({ min: 0, max: Math.floor((rules.ceilingBytes - 100_000) / 1.05 / 2) }),
          fc.integer({ min: 0, max: 4 }).map((k) => k * Math.floor(rules.ceilingBytes / 10)),
          fc.constant(0),
        ),
        quarters: fc.integer({ min: 0, max: 48 }),
        key: fc.constantFrom('a', 'a', 'a', 'a', 'b'),
        gap: fc.integer({ min: 1, max: 3 }),
      }),
      { minLength: 0, maxLength: 70 },
    )
    .chain((xs) => fc.record({ xs: fc.constant(xs), uniform: fc.boolean() }))
    .map(({ xs, uniform }) => {
      let index = 5;
      // Uniform sizes (as a constant-bitrate stream makes) give exact ties between two cuts.
      const units: Unit[] = xs.map((x) => ({ index: (index += x.gap), bytes: uniform ? (xs[0]?.bytes ?? 0) : x.bytes, durationSec: x.quarters / 4, streamKey: x.key }));
      return { rules, units };
    }),
);

interface Step {
  parts: PlannedPart[];
  dropped?: Plan['dropped'];
}

/** The pipeline's loop done the batch way: after each finished unit, plan the units after the last part recorded. */
function batchLoop(units: Unit[], rules: SplitRules, early: boolean): Step[] {
  const steps: Step[] = [];
  let base = 0;
  const record = (parts: PlannedPart[]) => {
    if (parts.length) base = units.findIndex((u) => u.index === parts[parts.length - 1].lastUnit) + 1;
  };
  for (let k = 1; k <= units.length; k++) {
    const done = units.slice(base, k);
    const parts = early ? planEarly(done, units.slice(k), rules) : planParts(done, rules, { complete: false }).parts;
    record(parts);
    steps.push({ parts });
  }
  const last = planParts(units.slice(base), rules, { complete: true });
  steps.push({ parts: last.parts, dropped: last.dropped });
  return steps;
}

function incrementalLoop(units: Unit[], rules: SplitRules, early: boolean): Step[] {
  const planner = new IncrementalPlanner(rules, early ? units : undefined);
  const steps: Step[] = [];
  for (const u of units) {
    planner.push(u);
    steps.push({ parts: early ? planner.takeEarly() : planner.takeFinal() });
  }
  const last = planner.finish();
  steps.push({ parts: last.parts, dropped: last.dropped });
  return steps;
}

describe('IncrementalPlanner', () => {
  it('returns, unit by unit, exactly what planParts returns over the units after the last part (final parts only)', () => {
    fc.assert(
      fc.property(caseArb, ({ rules, units }) => {
        expect(incrementalLoop(units, rules, false)).toEqual(batchLoop(units, rules, false));
      }),
      { numRuns: 400 },
    );
  });

  it('returns, unit by unit, exactly what the early plan returns (rest of the playlist estimated)', () => {
    fc.assert(
      fc.property(caseArb, ({ rules, units }) => {
        expect(incrementalLoop(units, rules, true)).toEqual(batchLoop(units, rules, true));
      }),
      { numRuns: 400 },
    );
  });

  it('makes the same whole plan as planParts when asked only at the end', () => {
    fc.assert(
      fc.property(caseArb, ({ rules, units }) => {
        const planner = new IncrementalPlanner(rules);
        for (const u of units) planner.push(u);
        expect(planner.finish()).toEqual(planParts(units, rules, { complete: true }));
      }),
      { numRuns: 400 },
    );
  });

  it("rejects bad units with the batch planner's errors, and units that do not follow the playlist", () => {
    const rules = splitRules({ maxFileSizeMB: 10, minFileSizeMB: 0, mergeThresholdMB: 0, midTargetRatio: 0.5, dropSegmentThresholdSec: 0 }, false);
    const planner = new IncrementalPlanner(rules);
    planner.push({ index: 3, bytes: 1000, durationSec: 2 });
    expect(() => planner.push({ index: 3, bytes: 1000, durationSec: 2 })).toThrow(/strictly increasing/);
    expect(() => planner.push({ index: 4, bytes: 20_000_000, durationSec: 2 })).toThrow(/exceed the part ceiling/);
    const listed = new IncrementalPlanner(rules, [{ index: 1, durationSec: 2 }]);
    expect(() => listed.push({ index: 2, bytes: 10, durationSec: 2 })).toThrow(/not the next listed unit/);
  });

  it('does constant work per unit: 60,000 units of a 16-hour-like VOD plan in well under a second of steps', () => {
    // Counted, not timed: the planner is called once per unit and its binary searches are logarithmic.
    const rules = splitRules({ maxFileSizeMB: 2000, minFileSizeMB: 1800, mergeThresholdMB: 100, midTargetRatio: 0.5, dropSegmentThresholdSec: 30 }, false);
    const playlist = Array.from({ length: 60_000 }, (_, i) => ({ index: i, durationSec: 1 }));
    const planner = new IncrementalPlanner(rules, playlist);
    const parts: PlannedPart[] = [];
    for (const p of playlist) {
      planner.push({ ...p, bytes: 750_000 + ((p.index * 7919) % 1000) });
      parts.push(...planner.takeEarly());
    }
    parts.push(...planner.finish().parts);
    expect(parts.reduce((n, p) => n + p.bytes, 0)).toBe(playlist.reduce((n, p) => n + 750_000 + ((p.index * 7919) % 1000), 0));
    expect(parts.length).toBeGreaterThanOrEqual(22);
  });
});
