/**
 * A VOD whose quality setting opts into HEVC (Enhanced Broadcasting's fMP4 rendition, issue 16
 * item 8) goes through the engine to a folder: init segment, fMP4 segments, HEVC MP4 parts.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { operationsFor } from '../../electron/engine/store/operations';
import { partsOf } from '../../electron/engine/store/parts';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { makeHevcFmp4Vod, type Fmp4Vod } from '../fakes/hls-fmp4';
import { HEVC_VARIANT, startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine, type TestEngine } from './helpers';

let h264: HlsVod;
let hevc: Fmp4Vod;
let twitch: TwitchStandIn;
let archive: string;
let engine: TestEngine;

const probe = (path: string, entries: string) =>
  execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', entries, '-of', 'csv=p=0', path]).toString().trim();

beforeAll(async () => {
  const p = { durationSec: 12, segmentSec: 2, width: 160, height: 90 };
  [h264, hevc] = await Promise.all([makeHlsVod(hlsCacheDir('engine-fmp4-h264', { ...p, videoKbps: 200 }), { ...p, videoKbps: 200 }), makeHevcFmp4Vod('engine', p)]);
  twitch = await startTwitchStandIn({
    users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
    vods: [{ id: '9201', userId: '1001', title: 'HEVC night', createdAt: '2026-11-20T18:00:00Z', hls: h264, hevc }],
  });
  archive = mkdtempSync(join(tmpdir(), 'tvb-hevc-'));
  const settings = standInSettings(twitch, { destinations: [{ kind: 'folder', name: 'NAS', path: archive }], vod: { qualities: ['1080p60 hevc', 'best'] } });
  engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret });
}, 120_000);

afterAll(async () => {
  await engine?.close();
  await twitch?.close();
  rmSync(archive, { recursive: true, force: true });
});

it('downloads the HEVC rendition and posts HEVC MP4 parts', async () => {
  await engine.waitForStatus('9201', 'completed', 120_000);
  expect(getVod(engine.engine.db, '9201')?.quality).toBe(HEVC_VARIANT);
  const vodDir = join(archive, 'Streamer', readdirSync(join(archive, 'Streamer'))[0]);
  const mp4s = readdirSync(vodDir).filter((f) => f.endsWith('.mp4'));
  expect(mp4s).toHaveLength(partsOf(engine.engine.db, '9201').length);
  // An fMP4 segment cannot be decoded alone: each part's thumbnail comes from its built MP4.
  for (const p of partsOf(engine.engine.db, '9201')) expect(p.thumb_path).toMatch(/\.jpg$/);
  let total = 0;
  for (const f of mp4s) {
    expect(probe(join(vodDir, f), 'stream=codec_name')).toBe('hevc');
    total += Number(
      execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', join(vodDir, f)])
        .toString()
        .trim(),
    );
  }
  expect(Math.abs(total - 12)).toBeLessThan(0.5);
  // Segment by segment (not the whole-file fallback by yt-dlp), each fMP4 segment once; H.264 never fetched.
  expect(operationsFor(engine.engine.db, '9201').map((o) => o.operation_type)).not.toContain('download-whole-file');
  for (const [i] of hevc.segments.entries()) expect(twitch.stats.segmentFetchCount('9201', i)).toBe(1);
  expect(twitch.stats.segmentLog.filter((s) => s.vodId === '9201').every((s) => s.variant === HEVC_VARIANT)).toBe(true);
}, 200_000);
