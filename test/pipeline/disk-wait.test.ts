/**
 * Short of disk space (issue 17 item 8): a VOD keeps room for its next part only, waits while
 * that is not there (saying how much is needed), and goes on by itself once space returns. The
 * engine in-process; free space is faked through the engine port, not by filling a disk.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine, type TestEngine } from './helpers';

// About 12 MB in all, parts of at most 2 MB.
const params = { durationSec: 60, segmentSec: 2, width: 160, height: 90, videoKbps: 1500 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let archive: string;
let engine: TestEngine;
let free = 400_000;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('disk-wait', params), params);
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }] });
  archive = mkdtempSync(join(tmpdir(), 'tvb-disk-'));
  engine = await startTestEngine(standInSettings(twitch, { destinations: [{ kind: 'folder', name: 'NAS', path: archive }] }), { twitchClientSecret: twitch.clientSecret });
  Object.assign(engine.engine, { diskPollMs: 100, diskFreeBytes: () => free });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await twitch?.close();
  rmSync(archive, { recursive: true, force: true });
});

it('waits for room for the next part, says how much, and goes on by itself when space returns', async () => {
  expect(hls.totalBytes).toBeGreaterThan(8_000_000);
  twitch.addVod({ id: '9101', userId: '1001', title: 'Big one', createdAt: '2026-11-20T18:00:00Z', hls });
  await engine.request('queue.checkNow');
  const db = engine.engine.db;
  await expect.poll(() => getVod(db, '9101')?.last_error ?? '', { timeout: 60_000 }).toMatch(/needs [\d.]+ MB free on .*9101.*, 400 kB free/);
  expect(getVod(db, '9101')?.status).toBe('processing');
  expect(twitch.stats.segmentFetchCount('9101', 0)).toBe(0);
  expect(engine.notices.some((n) => n.kind === 'lowDisk' && n.vodId === '9101')).toBe(true);
  // Room for a part and its segments (2 x 2 MB), far less than the whole VOD: that is enough.
  free = 6_000_000;
  await engine.waitForStatus('9101', 'completed', 120_000);
  expect(getVod(db, '9101')?.last_error ?? null).toBeNull();
}, 200_000);
