/**
 * A VOD Twitch stops listing while it is being backed up (issue 16 item 5), on the engine's path
 * against the Twitch stand-in (which deletes the VOD: its listing, playlists and segments go).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, expect, it } from 'vitest';
import { TwitchService } from '../../electron/engine/core/twitch-service';
import { discoverAll, sourceGoneSince } from '../../electron/engine/pipeline/discovery-runner';
import { operationsFor } from '../../electron/engine/store/operations';
import { segmentsOf } from '../../electron/engine/store/segments';
import { getVod } from '../../electron/engine/store/vods';
import { COMPLETED_FROM_LOCAL_COPY, MISSED_CHECKS_BEFORE_GONE } from '../../electron/engine/twitch/discovery';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine, type TestEngine } from './helpers';

const params = { durationSec: 20, segmentSec: 1, width: 160, height: 90, videoKbps: 400 };
let hls: HlsVod;
const cleanup: Array<() => Promise<void> | void> = [];

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('source-gone', params), params);
}, 120_000);
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function setUp(options: { bytesPerSec?: number; archive: string }): Promise<{ twitch: TwitchStandIn; engine: TestEngine }> {
  const twitch = await startTwitchStandIn({
    connectionBytesPerSec: options.bytesPerSec,
    users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
    vods: [{ id: '9001', userId: '1001', title: 'Deleted soon', createdAt: '2026-11-20T18:00:00Z', hls }],
  });
  cleanup.push(() => twitch.close());
  const settings = standInSettings(twitch, {
    destinations: [{ kind: 'folder', name: 'NAS', path: options.archive }],
    vod: { minRetryDelaySec: 1, maxRetryDelaySec: 1, checkIntervalSec: 3600, maxRetries: 50, downloadConcurrency: 1 },
  });
  const engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret });
  cleanup.push(() => engine.close());
  return { twitch, engine };
}

/** Twitch stops listing the VOD: the discovery passes of the grace, on the engine's own code. */
async function vanish(twitch: TwitchStandIn, engine: TestEngine): Promise<void> {
  twitch.removeVod('9001');
  for (let i = 0; i < MISSED_CHECKS_BEFORE_GONE; i++) await discoverAll(engine.engine.db, engine.engine.settings, new TwitchService(engine.engine));
  expect(sourceGoneSince(engine.engine.db, '9001')).toEqual(expect.any(String));
}

it('every segment already on disk: completes from the local copy and says so', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tvb-gone-'));
  cleanup.push(() => rmSync(root, { recursive: true, force: true }));
  // The archive is a file at first, so delivery fails after the download and the VOD waits for a retry.
  const archive = join(root, 'archive');
  writeFileSync(archive, 'not a folder');
  const { twitch, engine } = await setUp({ archive });
  const db = engine.engine.db;
  await expect.poll(() => getVod(db, '9001')?.last_error ?? null, { timeout: 60_000 }).not.toBeNull();
  expect(segmentsOf(db, '9001').every((s) => s.done)).toBe(true);
  await vanish(twitch, engine);
  rmSync(archive);
  mkdirSync(archive);
  await engine.waitForStatus('9001', 'completed');
  const notice = engine.notices.find((n) => n.kind === 'vodCompleted' && n.vodId === '9001');
  expect(notice?.body).toContain(COMPLETED_FROM_LOCAL_COPY);
  expect(operationsFor(db, '9001').some((o) => o.operation_type === 'source-gone' && String(o.details).includes('Completed from local copy'))).toBe(true);
}, 120_000);

it('segments still missing: fails for good with the reason instead of retrying', async () => {
  const root = mkdtempSync(join(tmpdir(), 'tvb-gone-'));
  cleanup.push(() => rmSync(root, { recursive: true, force: true }));
  // Slow enough that the VOD vanishes mid-download (20 segments of about 60 kB).
  const { twitch, engine } = await setUp({ archive: root, bytesPerSec: 40_000 });
  const db = engine.engine.db;
  await expect.poll(() => segmentsOf(db, '9001').filter((s) => s.done).length, { timeout: 60_000, interval: 50 }).toBeGreaterThan(0);
  await vanish(twitch, engine);
  await engine.waitForStatus('9001', 'failed');
  const vod = getVod(db, '9001')!;
  expect(vod.error_class).toBe('permanent');
  expect(vod.last_error).toMatch(/no longer lists this VOD.*segments had not been downloaded/);
  expect(vod.next_retry).toBeNull();
  expect(engine.notices.some((n) => n.kind === 'vodFailed' && n.vodId === '9001')).toBe(true);
}, 120_000);
