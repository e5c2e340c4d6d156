/**
 * Enhanced Broadcasting renditions: the Twitch stand-in serves an HEVC fMP4 source rendition (made
 * with Debian's ffmpeg libx265) to a client that asks for h265; the real resolver, segment fetcher,
 * fMP4 check and part builder take it all the way to playable MP4 parts.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFmp4Segment, fetchInitSegment } from '../../electron/engine/download/fmp4-segment';
import { parseMediaPlaylist, type Variant } from '../../electron/engine/download/playlist';
import { parsePreference, pickVariant } from '../../electron/engine/download/quality';
import { resolveVodPlaylist } from '../../electron/engine/download/resolve';
import { fetchSegments, segmentPath } from '../../electron/engine/download/segments';
import { buildFmp4Part } from '../../electron/engine/media/build-fmp4';
import { readMp4Summary } from '../../electron/engine/media/mp4-atoms';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { makeHevcFmp4Vod, type Fmp4Vod } from '../fakes/hls-fmp4';
import { HEVC_VARIANT, startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { testTools } from '../media/gen';

let h264: HlsVod;
let hevc: Fmp4Vod;
let tw: TwitchStandIn;
let dir: string;

beforeAll(async () => {
  const p = { durationSec: 6, segmentSec: 2, width: 160, height: 90 };
  [h264, hevc] = await Promise.all([makeHlsVod(hlsCacheDir('fmp4-h264', { ...p, videoKbps: 200 }), { ...p, videoKbps: 200 }), makeHevcFmp4Vod('standin', p)]);
  tw = await startTwitchStandIn({ users: [{ id: '1', login: 'alice' }], vods: [{ id: '300', userId: '1', hls: h264, hevc }] });
  dir = mkdtempSync(join(tmpdir(), 'tvb-fmp4-'));
});
afterAll(async () => {
  await tw?.close();
  rmSync(dir, { recursive: true, force: true });
});

const v = (name: string, extra: Partial<Variant> = {}): Variant => ({ name, label: name, url: `http://x/${name}`, bandwidth: 1, audioOnly: false, ...extra });

describe('codec preference', () => {
  const variants = [
    v('1440p60_hevc', { label: '1440p60 (source)', height: 1440, fps: 60, videoCodec: 'hevc' }),
    v('chunked', { label: '1080p60 (source)', height: 1080, fps: 60 }),
    v('720p60', { height: 720, fps: 60, videoCodec: 'h264' }),
    v('audio_only', { audioOnly: true }),
  ];
  it('reads a codec named in the quality list', () => {
    expect(parsePreference('1440p60 hevc')).toEqual({ quality: '1440p60', codec: 'hevc' });
    expect(parsePreference('best av1')).toEqual({ quality: 'best', codec: 'av1' });
    expect(parsePreference('720p60')).toEqual({ quality: '720p60', codec: 'h264' });
  });
  it('defaults to the H.264 source; HEVC only when the user names it', () => {
    expect(pickVariant(variants, ['best']).variant.name).toBe('chunked');
    expect(pickVariant(variants, ['1440p60']).variant.name).toBe('chunked'); // no H.264 1440p60: fallback to the H.264 source
    expect(pickVariant(variants, ['1440p60 hevc']).variant.name).toBe('1440p60_hevc');
    expect(pickVariant(variants, ['best hevc', 'best']).variant.name).toBe('1440p60_hevc');
    expect(pickVariant(variants, ['best av1', '720p60']).variant.name).toBe('720p60');
  });
  it('parses #EXT-X-MAP and fMP4 segment names', () => {
    const pl = parseMediaPlaylist(
      '#EXTM3U\n#EXT-X-VERSION:6\n#EXT-X-MAP:URI="init-0.mp4"\n#EXTINF:2.000,\n0.mp4\n#EXTINF:2.000,\n1-muted.mp4\n#EXT-X-ENDLIST\n',
      'https://cdn/v/hevc/index-dvr.m3u8',
    );
    expect(pl).toMatchObject({ container: 'fmp4', initUrl: 'https://cdn/v/hevc/init-0.mp4', ended: true });
    expect(pl.segments[1]).toMatchObject({ muted: true, unmutedUrl: 'https://cdn/v/hevc/1.mp4' });
    expect(parseMediaPlaylist('#EXTM3U\n#EXTINF:2,\n0.ts\n', 'https://cdn/a/').container).toBe('ts');
  });
});

describe('HEVC fMP4 rendition, stand-in to parts', () => {
  it('usher lists HEVC because it is asked to; the default choice stays H.264 (MPEG-TS)', async () => {
    const resolved = await resolveVodPlaylist({ vodId: '300', endpoints: tw.endpoints, quality: ['best'] });
    expect(resolved.variants.map((x) => x.name)).toContain(HEVC_VARIANT);
    expect(resolved.variant.name).toBe('chunked');
    expect(resolved.playlist.container).toBe('ts');
  });

  it('opted in: fetches the init and fMP4 segments, checks them, builds parts in one ffmpeg pass each', async () => {
    const resolved = await resolveVodPlaylist({ vodId: '300', endpoints: tw.endpoints, quality: ['best hevc'] });
    expect(resolved.variant).toMatchObject({ name: HEVC_VARIANT, videoCodec: 'hevc' });
    expect(resolved.playlist.container).toBe('fmp4');
    const init = join(dir, 'init.mp4');
    await fetchInitSegment(resolved.playlist.initUrl!, init);
    const done: number[] = [];
    await fetchSegments({
      dir,
      segments: resolved.playlist.segments.map((s) => ({ index: s.index, url: s.url, durationSec: s.durationSec })),
      concurrency: 2,
      isSegmentDone: () => false,
      onSegmentDone: async (d) => {
        await checkFmp4Segment(d.path, d.index, d.bytes);
        done.push(d.index);
      },
    });
    expect(done.sort()).toEqual([0, 1, 2]);
    const seg = (i: number) => segmentPath(dir, i);
    const first = await buildFmp4Part({ ...testTools(), initSegment: init, inputs: [seg(0), seg(1)], output: join(dir, 'p1.mp4'), expectedDurationSec: 4 });
    const second = await buildFmp4Part({ ...testTools(), initSegment: init, inputs: [seg(2)], output: join(dir, 'p2.mp4'), expectedDurationSec: 2 });
    expect(first).toMatchObject({ videoCodec: 'hevc', audioCodec: 'aac', width: 160, height: 90, ffmpegRuns: 1 });
    expect(second.ffmpegRuns).toBe(1);
    expect(first.durationSec + second.durationSec).toBeCloseTo(hevc.durationSec, 0);
    const summary = await readMp4Summary(join(dir, 'p2.mp4'));
    expect(summary.video?.codec).toBe('hevc');
  });

  it('a corrupt fMP4 segment is refused with its number', async () => {
    const bad = join(dir, 'bad.mp4');
    writeFileSync(bad, Buffer.alloc(5000, 7));
    await expect(checkFmp4Segment(bad, 4, 5000)).rejects.toThrow(/Segment 4 is not a valid fMP4 media segment/);
    await expect(checkFmp4Segment(hevc.initPath, 0, hevc.initBytes)).rejects.toThrow(/Segment 0/);
    await expect(checkFmp4Segment(hevc.segments[1].path, 1, hevc.segments[1].bytes)).resolves.toBeUndefined();
  });
});
