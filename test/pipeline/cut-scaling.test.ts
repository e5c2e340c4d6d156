import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { IncrementalPlanner } from '../../electron/engine/media/incremental-planner';
import * as planner from '../../electron/engine/media/planner';
import * as segmentStore from '../../electron/engine/store/segments';
import { partsOf } from '../../electron/engine/store/parts';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine } from './helpers';

// Count the store's segment reads and the from-scratch planner on the path the app runs.
vi.mock('../../electron/engine/store/segments', async (importOriginal) => {
  const real = await importOriginal<typeof segmentStore>();
  return { ...real, segmentsOf: vi.fn(real.segmentsOf) };
});
vi.mock('../../electron/engine/media/planner', async (importOriginal) => {
  const real = await importOriginal<typeof planner>();
  return { ...real, planParts: vi.fn(real.planParts) };
});

const small = { durationSec: 16, segmentSec: 1, width: 160, height: 90, videoKbps: 300 };
const large = { ...small, durationSec: 64 };
let vods: { small: HlsVod; large: HlsVod };
let twitch: TwitchStandIn;
let archive: string;

beforeAll(async () => {
  vods = { small: await makeHlsVod(hlsCacheDir('cut-scaling', small), small), large: await makeHlsVod(hlsCacheDir('cut-scaling', large), large) };
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }], vods: [] });
  archive = mkdtempSync(join(tmpdir(), 'tvb-scaling-'));
}, 180_000);

afterAll(async () => {
  await twitch?.close();
  rmSync(archive, { recursive: true, force: true });
});

/** Backs up one VOD through the engine; returns the calls made while it ran. */
async function run(id: string, hls: HlsVod) {
  twitch.addVod({ id, userId: '1001', title: `VOD ${id}`, createdAt: '2026-11-20T18:00:00Z', hls });
  const push = vi.spyOn(IncrementalPlanner.prototype, 'push');
  const early = vi.spyOn(IncrementalPlanner.prototype, 'takeEarly');
  vi.mocked(segmentStore.segmentsOf).mockClear();
  vi.mocked(planner.planParts).mockClear();
  const engine = await startTestEngine(standInSettings(twitch, { destinations: [{ kind: 'folder', name: 'NAS', path: archive }] }), { twitchClientSecret: twitch.clientSecret });
  try {
    await engine.waitForStatus(id, 'completed', 150_000);
    const parts = partsOf(engine.engine.db, id).length;
    return {
      segments: hls.segments.length,
      parts,
      reads: vi.mocked(segmentStore.segmentsOf).mock.calls.length,
      pushes: push.mock.calls.length,
      early: early.mock.calls.length,
      fromScratch: vi.mocked(planner.planParts).mock.calls.length,
    };
  } finally {
    push.mockRestore();
    early.mockRestore();
    await engine.close();
    twitch.removeVod(id);
  }
}

describe('the cut stage per finished segment', () => {
  it('does the same work per segment whatever the segment count (no re-read, no re-plan from scratch)', async () => {
    const a = await run('7001', vods.small);
    const b = await run('7002', vods.large);
    expect(b.segments).toBeGreaterThanOrEqual(4 * a.segments);
    // Each segment goes to the planner once; the segment list is read a fixed number of times per attempt.
    expect(a.pushes).toBe(a.segments);
    expect(b.pushes).toBe(b.segments);
    console.log(JSON.stringify({ a, b }));
    expect(Math.max(a.reads, b.reads)).toBeLessThanOrEqual(10);
    expect(b.fromScratch).toBe(0);
    expect(b.early).toBeLessThanOrEqual(b.segments + 2 * b.parts + 2);
    expect(b.parts).toBeGreaterThan(1);
  }, 400_000);
});
