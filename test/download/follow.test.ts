/**
 * Following a live VOD against the Twitch stand-in's live mode, on a virtual clock: the follower's
 * sleeps advance the clock the broadcast runs on, so the test is exact and quick on a loaded machine.
 */
import fc from 'fast-check';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { discontinuityMarks, followPlaylist, liveStreamKey, readLivePlaylist, type FollowEvent, type FollowedSegment } from '../../electron/engine/download/follow';
import { planParts } from '../../electron/engine/media/planner';
import { HelixClient } from '../../electron/engine/twitch/helix';
import { transient } from '../../electron/engine/util/errors';
import { vodStillProcessing } from '../../electron/engine/twitch/live-status';
import { listArchiveVideos } from '../../electron/engine/twitch/videos';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { LiveBroadcast, type LiveBroadcastOptions } from '../fakes/twitch/live';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';

const PARAMS = { durationSec: 16, segmentSec: 2, width: 160, height: 90, videoKbps: 200 };
let vod: HlsVod;
beforeAll(async () => {
  vod = await makeHlsVod(hlsCacheDir('follow-live', PARAMS), PARAMS);
}, 120_000);

let tw: TwitchStandIn | undefined;
afterEach(async () => {
  await tw?.close();
  tw = undefined;
});

/** A virtual clock: `sleep` advances it instead of waiting. */
function virtualClock(start = 1_000_000) {
  let t = start;
  return { now: () => t, sleep: async (ms: number) => void (t += ms), advance: (ms: number) => void (t += ms) };
}

async function liveStandIn(options: Omit<LiveBroadcastOptions, 'media'>) {
  tw = await startTwitchStandIn({ users: [{ id: '9', login: 'dave' }] });
  const broadcast = new LiveBroadcast({ media: vod, ...options });
  tw.addVod({ id: '700', userId: '9', hls: vod, broadcast, createdAt: new Date(broadcast.startedAt).toISOString() });
  return { tw, broadcast, playlistUrl: `${tw.origin}/media/700/chunked/index-dvr.m3u8` };
}

async function collect(gen: AsyncGenerator<FollowEvent>, onBatch?: (segments: FollowedSegment[]) => void): Promise<{ segments: FollowedSegment[]; events: FollowEvent[] }> {
  const segments: FollowedSegment[] = [];
  const events: FollowEvent[] = [];
  for await (const e of gen) {
    events.push(e);
    if (e.kind === 'segments') {
      segments.push(...e.segments);
      onBatch?.(e.segments);
    }
  }
  return { segments, events };
}

describe('the live stand-in', () => {
  it('grows the playlist with the clock, shows the VOD as processing on Helix, ends it, then mutes', async () => {
    const clock = virtualClock();
    const { tw, playlistUrl } = await liveStandIn({ clock: clock.now, speed: 2, mutedSegments: [1, 5], muteAfterSec: 30 });
    const helix = new HelixClient({ endpoints: tw.endpoints, clientId: tw.clientId, clientSecret: tw.clientSecret });
    const read = async () => readLivePlaylist(await (await fetch(playlistUrl)).text(), playlistUrl);

    expect((await read()).segments).toHaveLength(0);
    clock.advance(2500); // 5 media seconds at speed 2: segments 0 and 1 are complete
    const early = await read();
    expect(early.segments.map((s) => s.index)).toEqual([0, 1]);
    expect(early.ended).toBe(false);
    const [live] = await listArchiveVideos(helix, '9');
    expect(live!.thumbnailUrl).toContain('404_processing');
    expect(live!.durationSec).toBe(4);
    expect(await vodStillProcessing(helix, '700')).toBe(true);
    // A segment not listed yet does not exist.
    expect((await fetch(`${tw.origin}/media/700/chunked/3.ts`)).status).toBe(404);

    clock.advance(8000);
    const done = await read();
    expect(done.ended).toBe(true);
    expect(done.segments).toHaveLength(vod.segments.length);
    expect(done.segments.every((s) => !s.muted)).toBe(true);
    expect(await vodStillProcessing(helix, '700')).toBe(false);
    const [ended] = await listArchiveVideos(helix, '9');
    expect(ended!.durationSec).toBe(Math.round(vod.durationSec));
    expect(ended!.mutedSegments).toEqual([]);

    clock.advance(30_000);
    const muted = await read();
    expect(muted.segments.filter((s) => s.muted).map((s) => s.index)).toEqual([1, 5]);
    // Helix places the muted spans by the segments' real offsets (2 s segments here).
    expect((await listArchiveVideos(helix, '9'))[0]!.mutedSegments).toEqual([
      { offsetSec: 2, durationSec: 2 },
      { offsetSec: 10, durationSec: 2 },
    ]);
  });

  it('marks a broadcast that dropped and resumed with a discontinuity, without counting the offline time', async () => {
    const clock = virtualClock();
    const { playlistUrl } = await liveStandIn({ clock: clock.now, speed: 1, drops: [{ afterSegment: 2, offlineSec: 60 }] });
    clock.advance(7_000); // segments 0..2 out (6 s), then offline
    expect(readLivePlaylist(await (await fetch(playlistUrl)).text(), playlistUrl).segments).toHaveLength(3);
    clock.advance(59_000);
    expect(readLivePlaylist(await (await fetch(playlistUrl)).text(), playlistUrl).segments).toHaveLength(3);
    clock.advance(3_000);
    const text = await (await fetch(playlistUrl)).text();
    const reading = readLivePlaylist(text, playlistUrl);
    expect(reading.segments).toHaveLength(4);
    expect(reading.segments[3]).toMatchObject({ discontinuity: true, discontinuitySeq: 1 });
    expect(reading.totalSec).toBeCloseTo(8, 1);
    expect(text.split('\n').filter((l) => l === '#EXT-X-DISCONTINUITY')).toHaveLength(1);
  });
});

describe('liveStreamKey', () => {
  it('keeps the signature before any drop and tells every later run apart', () => {
    expect(liveStreamKey('h264/1280x720', 0)).toBe('h264/1280x720');
    const keys = [0, 0, 1, 1, 2].map((d) => liveStreamKey('h264/1280x720', d));
    expect(new Set(keys).size).toBe(3);
    const units = keys.map((streamKey, index) => ({ index, bytes: 1000, durationSec: 2, streamKey }));
    const rules = { ceilingBytes: 1e9, payloadRatio: 1, videoFps: 30, audioFramesPerSec: 47, minPartBytes: 0, mergeThresholdBytes: 0, midTargetRatio: 0.5, dropThresholdSec: 0 };
    const plan = planParts(units, rules, { complete: true });
    expect(plan.parts.map((p) => [p.firstUnit, p.lastUnit])).toEqual([
      [0, 1],
      [2, 3],
      [4, 4],
    ]);
  });
});

describe('discontinuityMarks', () => {
  it('counts discontinuities per segment from the playlist base', () => {
    const text = ['#EXTM3U', '#EXT-X-DISCONTINUITY-SEQUENCE:4', '#EXTINF:2,', 'a.ts', '#EXT-X-DISCONTINUITY', '#EXTINF:2,', 'b.ts', '#EXTINF:2,', 'c.ts'].join('\n');
    expect(discontinuityMarks(text)).toEqual([
      { seq: 4, starts: false },
      { seq: 5, starts: true },
      { seq: 5, starts: false },
    ]);
  });
});

describe('followPlaylist', () => {
  it('yields every segment once, in order, within one poll of its appearance, before it is muted', async () => {
    const clock = virtualClock();
    const { tw, broadcast, playlistUrl } = await liveStandIn({ clock: clock.now, speed: 1, mutedSegments: [0, 3, 7], muteAfterSec: 1 });
    const appear: number[] = [];
    let at = broadcast.startedAt;
    for (const s of vod.segments) appear.push((at += s.durationSec * 1000));
    const lags: number[] = [];
    const { segments, events } = await collect(followPlaylist({ mediaPlaylistUrl: playlistUrl, now: clock.now, sleep: clock.sleep }), (batch) => {
      for (const s of batch) lags.push(clock.now() - appear[s.index]!);
    });
    expect(segments.map((s) => s.index)).toEqual(vod.segments.map((s) => s.index));
    expect(segments.every((s) => !s.muted && /\/\d+\.ts$/.test(s.url))).toBe(true);
    // Polled about once per target duration (2 s): no segment waits longer than that.
    expect(Math.min(...lags)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...lags)).toBeLessThanOrEqual(2000);
    expect(events.at(-1)).toMatchObject({ kind: 'end', reason: 'endlist', segmentCount: vod.segments.length });
    // Polls: about one per segment, not a busy loop.
    expect(tw.stats.requests['GET playlist']).toBeLessThanOrEqual(vod.segments.length + 3);
  });

  it('started mid-broadcast, catches up from the first segment in one batch, then follows', async () => {
    const clock = virtualClock();
    const { playlistUrl } = await liveStandIn({ clock: clock.now, speed: 1 });
    clock.advance(9_000);
    const { events, segments } = await collect(followPlaylist({ mediaPlaylistUrl: playlistUrl, now: clock.now, sleep: clock.sleep }));
    const first = events[0]!;
    expect(first.kind === 'segments' && first.segments.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(segments.map((s) => s.index)).toEqual(vod.segments.map((s) => s.index));
  });

  it('resumes after a restart from the first segment not yet recorded', async () => {
    const clock = virtualClock();
    const { playlistUrl } = await liveStandIn({ clock: clock.now, speed: 1 });
    clock.advance(9_000);
    const { segments } = await collect(followPlaylist({ mediaPlaylistUrl: playlistUrl, fromIndex: 3, now: clock.now, sleep: clock.sleep }));
    expect(segments.map((s) => s.index)).toEqual(vod.segments.slice(3).map((s) => s.index));
  });

  it('marks the segments after a drop so the planner starts a new part there', async () => {
    const clock = virtualClock();
    const { playlistUrl } = await liveStandIn({ clock: clock.now, speed: 1, drops: [{ afterSegment: 3, offlineSec: 40 }] });
    const { segments } = await collect(followPlaylist({ mediaPlaylistUrl: playlistUrl, now: clock.now, sleep: clock.sleep, idleLimitMs: 120_000 }));
    expect(segments.map((s) => s.discontinuitySeq)).toEqual(vod.segments.map((s) => (s.index >= 4 ? 1 : 0)));
    expect(segments.filter((s) => s.discontinuity).map((s) => s.index)).toEqual([4]);
  });

  it('stops when Helix no longer says processing and the playlist stays idle, even without ENDLIST', async () => {
    const clock = virtualClock();
    const { tw, playlistUrl } = await liveStandIn({ clock: clock.now, speed: 1, withholdEndlist: true });
    const helix = new HelixClient({ endpoints: tw.endpoints, clientId: tw.clientId, clientSecret: tw.clientSecret, now: clock.now });
    let checks = 0;
    const stillProcessing = async () => {
      checks++;
      // The first check fails (Helix unreachable): following goes on and asks again later.
      if (checks === 1) throw transient('HTTP_503', 'Helix answered 503.');
      return vodStillProcessing(helix, '700');
    };
    const { segments, events } = await collect(
      followPlaylist({ mediaPlaylistUrl: playlistUrl, now: clock.now, sleep: clock.sleep, stillProcessing, processingCheckMs: 10_000, quietAfterEndMs: 30_000 }),
    );
    expect(segments).toHaveLength(vod.segments.length);
    expect(events.at(-1)).toMatchObject({ kind: 'end', reason: 'not_processing' });
    // Helix is asked only while the playlist is idle, at most once per check interval.
    expect(checks).toBeGreaterThanOrEqual(2);
    expect(checks).toBeLessThanOrEqual(6);
  });

  it('gives up with a transient error when the playlist stays idle while Twitch says live', async () => {
    const clock = virtualClock();
    const { playlistUrl } = await liveStandIn({ clock: clock.now, speed: 1, drops: [{ afterSegment: 1, offlineSec: 7200 }] });
    const run = collect(
      followPlaylist({ mediaPlaylistUrl: playlistUrl, now: clock.now, sleep: clock.sleep, stillProcessing: async () => true, idleLimitMs: 600_000, pollMs: 10_000 }),
    );
    await expect(run).rejects.toMatchObject({ errorClass: 'transient', code: 'live_stalled' });
  });

  it('stops at the end of a broadcast ended early, with the segments out by then', async () => {
    const clock = virtualClock();
    const { tw, playlistUrl } = await liveStandIn({ clock: clock.now, speed: 1 });
    const { segments, events } = await collect(followPlaylist({ mediaPlaylistUrl: playlistUrl, now: clock.now, sleep: clock.sleep }), (batch) => {
      if (batch.some((s) => s.index === 2)) tw.setVodLive('700', false);
    });
    expect(segments.map((s) => s.index)).toEqual([0, 1, 2]);
    expect(events.at(-1)).toMatchObject({ kind: 'end', reason: 'endlist', segmentCount: 3 });
  });

  it('gives up on a playlist that is not HLS after a few tries, saying so', async () => {
    const garbage = (async () => new Response('<html>maintenance</html>', { status: 200 })) as unknown as typeof fetch;
    const clock = virtualClock();
    const run = collect(followPlaylist({ mediaPlaylistUrl: 'http://127.0.0.1:9/x.m3u8', fetchImpl: garbage, now: clock.now, sleep: clock.sleep, maxFailures: 3 }));
    await expect(run).rejects.toMatchObject({ errorClass: 'transient', code: 'bad_live_playlist', message: expect.stringMatching(/not an HLS playlist/) });
  });

  it('rides out failing polls, and stops with a permanent error when the VOD is deleted', async () => {
    const clock = virtualClock();
    const { tw, playlistUrl } = await liveStandIn({ clock: clock.now, speed: 1 });
    tw.setFault({ kind: 'status', target: 'playlist', status: 503, times: 3 });
    const { segments } = await collect(followPlaylist({ mediaPlaylistUrl: playlistUrl, now: clock.now, sleep: clock.sleep }));
    expect(segments).toHaveLength(vod.segments.length);
    await tw.close();

    const again = await liveStandIn({ clock: clock.now, speed: 1 });
    const gen = followPlaylist({ mediaPlaylistUrl: again.playlistUrl, now: clock.now, sleep: clock.sleep });
    const seen: number[] = [];
    await expect(
      (async () => {
        for await (const e of gen) {
          if (e.kind === 'segments') seen.push(...e.segments.map((s) => s.index));
          if (seen.length >= 2) again.tw.removeVod('700');
        }
      })(),
    ).rejects.toMatchObject({ errorClass: 'permanent', code: 'vod_not_found' });
    expect(seen.length).toBeGreaterThanOrEqual(2);
  });

  it('stops at once when cancelled', async () => {
    const { playlistUrl } = await liveStandIn({ speed: 1 });
    const ac = new AbortController();
    const gen = followPlaylist({ mediaPlaylistUrl: playlistUrl, signal: ac.signal, pollMs: 60_000 });
    const first = gen.next();
    setTimeout(() => ac.abort(), 50);
    await expect(
      (async () => {
        await first;
        for (;;) await gen.next();
      })(),
    ).rejects.toMatchObject({ errorClass: 'cancelled' });
  });

  it('for any broadcast (speed, drops, restart point), yields every segment once, in order, with its discontinuity run', async () => {
    const n = vod.segments.length;
    tw = await startTwitchStandIn({ users: [{ id: '9', login: 'dave' }] });
    let id = 1000;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 8 }),
        fc.uniqueArray(fc.integer({ min: 0, max: n - 2 }), { maxLength: 3 }),
        fc.integer({ min: 0, max: n }),
        fc.integer({ min: 0, max: 20_000 }),
        async (speed, dropsAfter, fromIndex, joinAtMs) => {
          const clock = virtualClock();
          const broadcast = new LiveBroadcast({ media: vod, clock: clock.now, speed, drops: dropsAfter.map((afterSegment) => ({ afterSegment, offlineSec: 30 })) });
          const vodId = String(id++);
          tw!.addVod({ id: vodId, userId: '9', hls: vod, broadcast });
          clock.advance(joinAtMs);
          const { segments, events } = await collect(
            followPlaylist({ mediaPlaylistUrl: `${tw!.origin}/media/${vodId}/chunked/index-dvr.m3u8`, fromIndex, now: clock.now, sleep: clock.sleep }),
          );
          expect(segments.map((s) => s.index)).toEqual(vod.segments.slice(fromIndex).map((s) => s.index));
          const runOf = (i: number) => dropsAfter.filter((d) => d < i).length;
          expect(segments.map((s) => s.discontinuitySeq)).toEqual(segments.map((s) => runOf(s.index)));
          expect(events.at(-1)).toMatchObject({ kind: 'end', reason: 'endlist', segmentCount: Math.max(n, fromIndex) });
          tw!.removeVod(vodId);
        },
      ),
      { numRuns: 25 },
    );
  }, 120_000);
});
