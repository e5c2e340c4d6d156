/**
 * Generates an HEVC fMP4 HLS VOD with Debian's ffmpeg (libx265, ultrafast, tiny picture), like the
 * HEVC renditions Twitch serves to Enhanced Broadcasting viewers: an init segment named by
 * `#EXT-X-MAP` and fragment segments, each starting on a keyframe (FACTS.md, first audit; yt-dlp
 * #14994). Cached under os.tmpdir() like makeHlsVod.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseMediaPlaylistFile, testSourceArgs, type HlsSegment } from './hls';

const run = promisify(execFile);

export interface Fmp4Vod {
  dir: string;
  initPath: string;
  initBytes: number;
  segments: HlsSegment[];
  totalBytes: number;
  durationSec: number;
}

export async function makeHevcFmp4Vod(key: string, p: { durationSec: number; segmentSec: number; width: number; height: number; fps?: number }): Promise<Fmp4Vod> {
  const fps = p.fps ?? 30;
  const dir = join(tmpdir(), 'tvb-hls-cache', `fmp4-${key}-${p.durationSec}-${p.segmentSec}-${p.width}x${p.height}-${fps}`);
  const manifest = join(dir, 'vod.json');
  if (existsSync(manifest)) {
    const vod = JSON.parse(readFileSync(manifest, 'utf8')) as Fmp4Vod;
    if (existsSync(vod.initPath) && vod.segments.every((s) => existsSync(s.path) && statSync(s.path).size === s.bytes)) return vod;
  }
  const work = `${dir}.tmp-${process.pid}-${Date.now()}`;
  mkdirSync(work, { recursive: true });
  try {
    const gop = Math.round(fps * p.segmentSec);
    await run(
      'ffmpeg',
      [
        ...testSourceArgs(p.width, p.height, fps, p.durationSec),
        '-c:v',
        'libx265',
        '-preset',
        'ultrafast',
        '-pix_fmt',
        'yuv420p',
        '-tag:v',
        'hvc1',
        '-x265-params',
        `keyint=${gop}:min-keyint=${gop}:scenecut=0:log-level=error`,
        '-force_key_frames',
        `expr:gte(t,n_forced*${p.segmentSec})`,
        '-c:a',
        'aac',
        '-b:a',
        '64k',
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
        '-hls_segment_type',
        'fmp4',
        '-hls_fmp4_init_filename',
        'init-0.mp4',
        '-hls_segment_filename',
        join(work, '%d.mp4'),
        join(work, 'index.m3u8'),
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const listed = parseMediaPlaylistFile(readFileSync(join(work, 'index.m3u8'), 'utf8'));
    if (listed.length === 0) throw new Error(`makeHevcFmp4Vod: ffmpeg wrote no segments into ${work}`);
    rmSync(dir, { recursive: true, force: true });
    const segments = listed.map((s, index) => ({ index, name: s.name, path: join(dir, s.name), bytes: statSync(join(work, s.name)).size, durationSec: s.durationSec }));
    const vod: Fmp4Vod = {
      dir,
      initPath: join(dir, 'init-0.mp4'),
      initBytes: statSync(join(work, 'init-0.mp4')).size,
      segments,
      totalBytes: segments.reduce((a, s) => a + s.bytes, 0),
      durationSec: segments.reduce((a, s) => a + s.durationSec, 0),
    };
    writeFileSync(join(work, 'vod.json'), JSON.stringify(vod));
    renameSync(work, dir);
    return vod;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
