import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Unit } from '../../electron/engine/media/planner';
import { resolveTools } from '../../electron/engine/util/binaries';

/** Small generated media for the media tests: real ffmpeg, low resolution, a few seconds. */
const exec = promisify(execFile);

export interface Segment extends Unit {
  path: string;
}

export interface HlsSpec {
  dir: string;
  prefix: string;
  seconds: number;
  segmentSec: number;
  width?: number;
  height?: number;
  fps?: number;
  /** Noise switched on and off every 2 s: segment sizes vary a lot. */
  vbr?: boolean;
  /** [from, to) seconds without video frames (audio continues). */
  videoGap?: [number, number];
  /** Timestamp offset so a second run continues the first one's timeline. */
  tsOffsetSec?: number;
  firstIndex?: number;
  /** Encode with B-frames (as Twitch sources usually are): decode and display order differ. */
  bframes?: boolean;
  /**
   * Constant video bitrate (Mb/s) on a noisy picture: big keyframes, so a segment's first audio
   * packet lies far in (at 12 Mb/s about 600-800 KB, as Twitch's 6 Mb/s segments at ~1 MB).
   */
  videoMbps?: number;
}

export async function tempDir(name: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), `media-${name}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Encodes an A/V HLS VOD (H.264 + AAC in .ts segments) and returns its segments as units. */
export async function makeHls(spec: HlsSpec): Promise<Segment[]> {
  const { dir, prefix, seconds, segmentSec } = spec;
  const w = spec.width ?? 160;
  const h = spec.height ?? 90;
  const fps = spec.fps ?? 15;
  const filters: string[] = [];
  if (spec.videoMbps) filters.push('noise=alls=80:allf=t');
  if (spec.vbr) filters.push(`noise=alls=60:allf=t:enable='lt(mod(t,4),2)'`);
  if (spec.videoGap) filters.push(`select='not(between(t,${spec.videoGap[0]},${spec.videoGap[1] - 0.001}))'`);
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=${w}x${h}:r=${fps}`,
    '-f',
    'lavfi',
    '-i',
    'sine=f=440:r=48000',
    '-t',
    String(seconds),
    ...(filters.length ? ['-vf', filters.join(',')] : []),
    ...(spec.videoGap ? ['-fps_mode', 'passthrough'] : []),
    '-c:v',
    'libx264',
    '-preset',
    spec.bframes ? 'veryfast' : 'ultrafast',
    ...(spec.bframes ? ['-bf', '2'] : []),
    '-pix_fmt',
    'yuv420p',
    ...(spec.videoMbps ? ['-b:v', `${spec.videoMbps}M`, '-maxrate', `${spec.videoMbps}M`, '-bufsize', `${spec.videoMbps / 3}M`] : []),
    '-force_key_frames',
    `expr:gte(t,n_forced*${segmentSec})`,
    '-c:a',
    'aac',
    '-b:a',
    '48k',
    '-ac',
    '2',
    ...(spec.tsOffsetSec ? ['-output_ts_offset', String(spec.tsOffsetSec)] : []),
    '-f',
    'hls',
    '-hls_time',
    String(segmentSec),
    '-hls_list_size',
    '0',
    '-start_number',
    String(spec.firstIndex ?? 0),
    '-hls_segment_filename',
    join(dir, `${prefix}%05d.ts`),
    join(dir, `${prefix}.m3u8`),
  ];
  await exec('ffmpeg', args);
  return readPlaylist(dir, `${prefix}.m3u8`, spec.firstIndex ?? 0);
}

async function readPlaylist(dir: string, name: string, firstIndex: number): Promise<Segment[]> {
  const lines = (await readFile(join(dir, name), 'utf8')).split('\n');
  const out: Segment[] = [];
  let dur = 0;
  for (const line of lines) {
    const m = /^#EXTINF:([\d.]+)/.exec(line);
    if (m) dur = Number(m[1]);
    else if (line && !line.startsWith('#')) {
      const path = join(dir, line.trim());
      out.push({ index: firstIndex + out.length, bytes: (await stat(path)).size, durationSec: dur, path });
    }
  }
  return out;
}

export interface StreamFacts {
  videoFrames: number;
  audioFrames: number;
  videoDurationSec: number;
  audioDurationSec: number;
  videoStartSec: number;
  audioStartSec: number;
}

/** Frame counts and stream spans of a file (via packets: exact for stream copy). */
export async function streamFacts(path: string): Promise<StreamFacts> {
  const { stdout } = await exec('ffprobe', ['-v', 'error', '-of', 'csv=p=0', '-show_entries', 'packet=stream_index,pts_time,duration_time:stream=index,codec_type', path], {
    maxBuffer: 64 * 1024 * 1024,
  });
  const kinds = new Map<string, string>();
  const spans = { video: { n: 0, min: Infinity, max: -Infinity }, audio: { n: 0, min: Infinity, max: -Infinity } };
  const rows = stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => l.split(','));
  for (const r of rows) if (r.length === 2 && (r[1] === 'video' || r[1] === 'audio')) kinds.set(r[0], r[1]);
  for (const r of rows) {
    if (r.length < 3) continue;
    const kind = kinds.get(r[0]) as 'video' | 'audio' | undefined;
    if (!kind) continue;
    const pts = Number(r[1]);
    const s = spans[kind];
    s.n++;
    s.min = Math.min(s.min, pts);
    s.max = Math.max(s.max, pts + Number(r[2]));
  }
  const span = (s: { n: number; min: number; max: number }) => (s.n ? s.max - s.min : 0);
  return {
    videoFrames: spans.video.n,
    audioFrames: spans.audio.n,
    videoDurationSec: span(spans.video),
    audioDurationSec: span(spans.audio),
    videoStartSec: spans.video.n ? spans.video.min : 0,
    audioStartSec: spans.audio.n ? spans.audio.min : 0,
  };
}

/** Decodes the whole file; rejects with ffmpeg's errors when anything is broken. */
export async function decodeErrors(path: string): Promise<string> {
  const { stderr } = await exec('ffmpeg', ['-v', 'error', '-i', path, '-f', 'null', '-']);
  return stderr.trim();
}

/** The tool paths the app would resolve here (util/binaries.ts resolveTools: no overrides, no bundled folder). */
export function testTools(): { ffmpegPath: string; ffprobePath: string } {
  const tools = resolveTools({});
  if (!tools.ffmpeg || !tools.ffprobe) throw new Error('the media tests need ffmpeg and ffprobe on PATH');
  return { ffmpegPath: tools.ffmpeg, ffprobePath: tools.ffprobe };
}
