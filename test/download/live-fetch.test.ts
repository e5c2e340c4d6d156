/** The live fetch against the live stand-in, on the real clock (sped up): every segment, unmuted, once. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FollowedSegment } from '../../electron/engine/download/follow';
import { followAndFetch } from '../../electron/engine/download/live-fetch';
import { segmentSources } from '../../electron/engine/download/playlist';
import { segmentPath } from '../../electron/engine/download/segments';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { LiveBroadcast } from '../fakes/twitch/live';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';

const PARAMS = { durationSec: 16, segmentSec: 2, width: 160, height: 90, videoKbps: 200 };
let vod: HlsVod;
beforeAll(async () => {
  vod = await makeHlsVod(hlsCacheDir('follow-live', PARAMS), PARAMS);
}, 120_000);

let tw: TwitchStandIn | undefined;
let dir: string | undefined;
afterEach(async () => {
  await tw?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  tw = undefined;
  dir = undefined;
});

async function setUp(speed: number) {
  tw = await startTwitchStandIn({ users: [{ id: '9', login: 'dave' }] });
  const broadcast = new LiveBroadcast({ media: vod, speed, mutedSegments: [1, 6], muteAfterSec: 0.2 });
  const createdAt = new Date(broadcast.startedAt).toISOString();
  tw.addVod({ id: '800', userId: '9', hls: vod, broadcast, createdAt });
  dir = mkdtempSync(join(tmpdir(), 'tvb-live-fetch-'));
  return { tw, dir, createdAt, url: `${tw.origin}/media/800/chunked/index-dvr.m3u8` };
}

describe('followAndFetch', () => {
  it('records each batch before fetching it and fetches every segment unmuted while live', async () => {
    // 8x: a 2 s segment every 250 ms, so fetching keeps up with listing on a loaded machine.
    const { tw, dir, createdAt, url } = await setUp(8);
    const listed: FollowedSegment[] = [];
    const done = new Set<number>();
    const fetchedWhileListedCount: number[] = [];
    const result = await followAndFetch({
      follow: { mediaPlaylistUrl: url, pollMs: 50 },
      fetch: {
        dir,
        isSegmentDone: (i) => done.has(i),
        onSegmentDone: (d) => {
          // Never fetched before it was recorded.
          expect(listed.some((s) => s.index === d.index)).toBe(true);
          fetchedWhileListedCount.push(listed.length);
          done.add(d.index);
        },
      },
      toTask: (s) => ({ index: s.index, durationSec: s.durationSec, ...segmentSources(s, createdAt) }),
      onListed: (batch) => void listed.push(...batch),
    });
    expect(result).toMatchObject({ reason: 'endlist', segmentCount: vod.segments.length, segmentsFetched: vod.segments.length });
    expect(listed.map((s) => s.index)).toEqual(vod.segments.map((s) => s.index));
    for (const s of vod.segments) expect(readFileSync(segmentPath(dir, s.index)).equals(readFileSync(s.path))).toBe(true);
    // Fetched as they appeared, not all at the end.
    expect(Math.min(...fetchedWhileListedCount)).toBeLessThan(vod.segments.length);
    // Every request was for the unmuted name, each segment once.
    expect(tw.stats.segmentLog.every((r) => /^\d+\.ts$/.test(r.name))).toBe(true);
    for (const s of vod.segments) expect(tw.stats.segmentFetchCount('800', s.index)).toBe(1);
  });

  it('after a restart, resumes from the stored list: nothing missing, only what was in flight fetched again', async () => {
    const { tw, dir, createdAt, url } = await setUp(16);
    const done = new Set<number>();
    const ac = new AbortController();
    const stored: FollowedSegment[] = [];
    const toTask = (s: FollowedSegment) => ({ index: s.index, durationSec: s.durationSec, ...segmentSources(s, createdAt) });
    const run = (signal: AbortSignal | undefined, resume: FollowedSegment[], fromIndex: number) =>
      followAndFetch({
        follow: { mediaPlaylistUrl: url, pollMs: 50, fromIndex },
        fetch: { dir, isSegmentDone: (i) => done.has(i), onSegmentDone: (d) => void done.add(d.index) },
        toTask,
        onListed: (batch) => {
          stored.push(...batch);
          if (stored.length >= 3) ac.abort();
        },
        resume: resume.map(toTask),
        signal,
      });
    await expect(run(ac.signal, [], 0)).rejects.toMatchObject({ errorClass: 'cancelled' });
    const notDone = stored.filter((s) => !done.has(s.index));
    expect(notDone.length).toBeGreaterThan(0);
    const next = await run(undefined, notDone, stored.length);
    expect(next.segmentCount).toBe(vod.segments.length);
    for (const s of vod.segments) {
      expect(done.has(s.index)).toBe(true);
      expect(readFileSync(segmentPath(dir, s.index)).equals(readFileSync(s.path))).toBe(true);
    }
    const fetches = vod.segments.reduce((a, s) => a + tw.stats.segmentFetchCount('800', s.index), 0);
    expect(fetches).toBeLessThanOrEqual(vod.segments.length + notDone.length);
  });
});
