/**
 * Generates a real HLS VOD with ffmpeg, fast: H.264 (x264 ultrafast, constant bitrate with filler,
 * so the byte size is predictable) + AAC, MPEG-TS segments that each start on a keyframe, and a
 * VOD media playlist (`index.m3u8`, segments `0.ts`, `1.ts`, ...), like Twitch's.
 *
 * Cache-friendly: the result is written to a temp folder and renamed into `dir` with a
 * `vod.json` manifest; a later call with the same parameters (in any process) reuses it.
 *
 *   const vod = await makeHlsVod(hlsCacheDir('my-test'), { durationSec: 6, segmentSec: 2, width: 160, height: 90, videoKbps: 300 });
 *   vod.segments[0].path  // .../0.ts
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** ffmpeg's quiet start and the test pattern with a 440 Hz tone as its two inputs, `seconds` long. */
export function testSourceArgs(width: number, height: number, fps: number, seconds: number): string[] {
  // prettier-ignore
  return [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${fps}`,
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', String(seconds),
  ];
}

export interface HlsVodParams {
  durationSec: number;
  /** Target segment length; every segment starts on a keyframe. */
  segmentSec: number;
  width: number;
  height: number;
  /** Constant video bitrate (filler data keeps it constant even for the simple test picture). */
  videoKbps: number;
  fps?: number;
  audioKbps?: number;
}

export interface HlsSegment {
  index: number;
  /** File name as listed in the playlist, e.g. `3.ts`. */
  name: string;
  path: string;
  bytes: number;
  durationSec: number;
}

export interface HlsVod {
  dir: string;
  params: Required<HlsVodParams>;
  playlistPath: string;
  segments: HlsSegment[];
  totalBytes: number;
  durationSec: number;
}

const MANIFEST = 'vod.json';

/** A stable folder under os.tmpdir() for a cache key plus the parameters. */
export function hlsCacheDir(key: string, params?: HlsVodParams): string {
  const suffix = params ? `-${paramsHash(withDefaults(params))}` : '';
  return join(tmpdir(), 'tvb-hls-cache', `${key.replace(/[^\w.-]/g, '_')}${suffix}`);
}

function withDefaults(p: HlsVodParams): Required<HlsVodParams> {
  return { fps: 30, audioKbps: 96, ...p };
}

function paramsHash(p: Required<HlsVodParams>): string {
  const canonical = JSON.stringify(
    Object.keys(p)
      .sort()
      .map((k) => [k, p[k as keyof HlsVodParams]]),
  );
  return createHash('sha1').update(canonical).digest('hex').slice(0, 10);
}

function validate(p: Required<HlsVodParams>): void {
  const positive: Array<keyof HlsVodParams> = ['durationSec', 'segmentSec', 'width', 'height', 'videoKbps', 'fps', 'audioKbps'];
  for (const key of positive) {
    if (!(Number.isFinite(p[key]) && p[key] > 0)) throw new Error(`makeHlsVod: ${key} must be a positive number, got ${p[key]}`);
  }
  if (p.width % 2 || p.height % 2) throw new Error(`makeHlsVod: width and height must be even, got ${p.width}x${p.height}`);
}

function readCached(dir: string, hash: string): HlsVod | undefined {
  const file = join(dir, MANIFEST);
  if (!existsSync(file)) return undefined;
  try {
    const vod = JSON.parse(readFileSync(file, 'utf8')) as HlsVod & { hash: string };
    if (vod.hash !== hash) return undefined;
    if (!vod.segments.every((s) => existsSync(s.path) && statSync(s.path).size === s.bytes)) return undefined;
    return vod;
  } catch {
    return undefined;
  }
}

/** Parses `#EXTINF:d,` + URI pairs of a media playlist. */
export function parseMediaPlaylistFile(text: string): Array<{ name: string; durationSec: number }> {
  const out: Array<{ name: string; durationSec: number }> = [];
  let pending: number | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line && !line.startsWith('#') && pending !== undefined) {
      out.push({ name: line, durationSec: pending });
      pending = undefined;
    }
  }
  return out;
}

export async function makeHlsVod(dir: string, params: HlsVodParams): Promise<HlsVod> {
  const p = withDefaults(params);
  validate(p);
  const hash = paramsHash(p);
  const cached = readCached(dir, hash);
  if (cached) return cached;

  const work = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(work, { recursive: true });
  try {
    const gop = Math.max(1, Math.round(p.fps * p.segmentSec));
    const v = `${p.videoKbps}k`;
    await run(
      'ffmpeg',
      [
        ...testSourceArgs(p.width, p.height, p.fps, p.durationSec),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-b:v',
        v,
        '-minrate',
        v,
        '-maxrate',
        v,
        '-bufsize',
        `${Math.max(100, Math.round(p.videoKbps / 4))}k`,
        '-x264-params',
        'nal-hrd=cbr:force-cfr=1',
        '-g',
        String(gop),
        '-keyint_min',
        String(gop),
        '-sc_threshold',
        '0',
        '-force_key_frames',
        `expr:gte(t,n_forced*${p.segmentSec})`,
        '-c:a',
        'aac',
        '-b:a',
        `${p.audioKbps}k`,
        '-ac',
        '2',
        '-f',
        'hls',
        '-hls_time',
        String(p.segmentSec),
        '-hls_list_size',
        '0',
        '-hls_playlist_type',
        'vod',
        '-hls_segment_filename',
        join(work, '%d.ts'),
        join(work, 'index.m3u8'),
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const listed = parseMediaPlaylistFile(readFileSync(join(work, 'index.m3u8'), 'utf8'));
    if (listed.length === 0) throw new Error(`makeHlsVod: ffmpeg wrote no segments into ${work}`);
    // Another process may have finished the same VOD meanwhile: keep theirs, it may be in use.
    const done = readCached(dir, hash);
    if (done) return done;
    rmSync(dir, { recursive: true, force: true });
    const segments: HlsSegment[] = listed.map((s, index) => ({
      index,
      name: s.name,
      path: join(dir, s.name),
      bytes: statSync(join(work, s.name)).size,
      durationSec: s.durationSec,
    }));
    const vod: HlsVod & { hash: string } = {
      hash,
      dir,
      params: p,
      playlistPath: join(dir, 'index.m3u8'),
      segments,
      totalBytes: segments.reduce((a, s) => a + s.bytes, 0),
      durationSec: segments.reduce((a, s) => a + s.durationSec, 0),
    };
    writeFileSync(join(work, MANIFEST), JSON.stringify(vod));
    try {
      renameSync(work, dir);
    } catch (err) {
      // Another process finished the same VOD first: use theirs.
      const theirs = readCached(dir, hash);
      if (theirs) return theirs;
      throw err;
    }
    return vod;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
