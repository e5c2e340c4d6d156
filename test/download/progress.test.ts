import { describe, expect, it } from 'vitest';
import { ProgressTracker } from '../../electron/engine/download/progress';
import { RateLimiter } from '../../electron/engine/download/segments';

describe('ProgressTracker', () => {
  it('computes speed over its window and ETA from the media still to fetch', () => {
    let now = 0;
    const t = new ProgressTracker({ segmentsTotal: 10, segmentsDone: 2, bytesDone: 2000, durationTotalSec: 100, durationDoneSec: 20, now: () => now });
    expect(t.snapshot()).toEqual({ bytes: 2000, segmentsDone: 2, segmentsTotal: 10, speedBps: 0, etaSec: null });
    now = 1000;
    t.addBytes(1000);
    t.segmentDone(10, 1000);
    // 100 bytes per media second -> 10000 total, 7000 left at 1000 B/s.
    expect(t.snapshot()).toEqual({ bytes: 3000, segmentsDone: 3, segmentsTotal: 10, speedBps: 1000, etaSec: 7 });
    t.addBytes(-500); // a failed attempt's bytes are taken back
    expect(t.snapshot().bytes).toBe(2500);
  });

  it('emits only on change and at most once per interval tick, plus a final event', async () => {
    const events: number[] = [];
    const t = new ProgressTracker({ segmentsTotal: 1, segmentsDone: 0, bytesDone: 0, durationTotalSec: 1, durationDoneSec: 0, intervalMs: 20, emit: (p) => events.push(p.bytes) });
    await new Promise((r) => setTimeout(r, 100));
    expect(events).toEqual([0]); // the initial state once, then nothing while nothing changes
    for (let i = 0; i < 1000; i++) t.addBytes(1);
    t.segmentDone(1, 1000);
    t.stop();
    expect(events).toEqual([0, 1000]);
  });
});

describe('RateLimiter', () => {
  it('spreads bytes at the cap after a small burst', () => {
    const r = new RateLimiter(1000);
    expect(r.delayFor(250, 10_000)).toBe(0); // burst allowance
    expect(r.delayFor(1000, 10_000)).toBe(1000);
    expect(r.delayFor(500, 10_000)).toBe(1500);
    expect(r.delayFor(100, 20_000)).toBe(0); // idle again
  });
});
