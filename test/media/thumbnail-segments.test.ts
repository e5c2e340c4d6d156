import { execFile } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPart } from '../../electron/engine/media/build';
import { jpegSize } from '../../electron/engine/media/jpeg';
import { makeSegmentThumbnail, makeThumbnail, segmentSpot, THUMB_MAX_BYTES, type ThumbnailSegment } from '../../electron/engine/media/thumbnail';
import { EngineError } from '../../electron/engine/util/errors';
import { tempDir, testTools } from './gen';

const exec = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;
/** A VOD whose luma says the time: Y = 16 + 8 * t (t in seconds, video range), 2 s segments at 25 fps. */
let ramp: ThumbnailSegment[];
/** The same luma as a JPEG stores it: full range (JFIF), (Y - 16) * 255 / 219. */
const jpegLumaAt = (sec: number) => (8 * sec * 255) / 219;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('thumb-seg'));
  ramp = await hls('ramp', "color=c=black:s=160x90:r=25,format=yuv420p,geq=lum='16+8*T':cb=128:cr=128", 24);
});
afterAll(async () => cleanup());

/** Encodes `source` (a lavfi video) with a sine tone into 2 s HLS segments; returns them in order. */
async function hls(prefix: string, video: string, seconds: number, extra: string[] = []): Promise<ThumbnailSegment[]> {
  // prettier-ignore
  await exec('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', video, '-f', 'lavfi', '-i', 'sine=r=48000', '-t', String(seconds), ...extra,
    '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-force_key_frames', 'expr:gte(t,n_forced*2)', '-c:a', 'aac',
    '-f', 'hls', '-hls_time', '2', '-hls_list_size', '0', '-hls_segment_filename', join(dir, `${prefix}%03d.ts`), join(dir, `${prefix}.m3u8`)]);
  const out: ThumbnailSegment[] = [];
  let duration = 0;
  for (const line of (await readFile(join(dir, `${prefix}.m3u8`), 'utf8')).split('\n')) {
    const m = /^#EXTINF:([\d.]+)/.exec(line);
    if (m) duration = Number(m[1]);
    else if (line.endsWith('.ts')) out.push({ path: join(dir, line.trim()), durationSec: duration });
  }
  return out;
}

async function luma(jpg: string): Promise<number> {
  const { stdout } = await exec('ffmpeg', ['-v', 'error', '-i', jpg, '-vf', 'signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-', '-f', 'null', '-']);
  return Number(/YAVG=([\d.]+)/.exec(stdout)?.[1] ?? 0);
}

const { ffmpegPath } = testTools();

describe('a thumbnail from the part segments', () => {
  it('finds the segment holding a point of the part, and the segments the filter window needs after it', () => {
    const segs = [2, 2, 2, 2, 2, 2].map((durationSec, i) => ({ path: `/s/${i}.ts`, durationSec }));
    expect(segmentSpot(segs, 0)).toEqual({ paths: ['/s/0.ts', '/s/1.ts'], startSec: 0, offsetSec: 0 });
    expect(segmentSpot(segs, 3.5)).toEqual({ paths: ['/s/1.ts', '/s/2.ts', '/s/3.ts'], startSec: 2, offsetSec: 1.5 });
    // A point on a boundary belongs to the segment that starts there.
    expect(segmentSpot(segs, 4)).toMatchObject({ startSec: 4, offsetSec: 0 });
    // Near the end: what is left of the part, never past its last segment.
    expect(segmentSpot(segs, 11)).toEqual({ paths: ['/s/5.ts'], startSec: 10, offsetSec: 1 });
    expect(segmentSpot(segs, 99)).toEqual({ paths: ['/s/5.ts'], startSec: 10, offsetSec: 2 });
  });

  it('picks the frame at 10 % of the part, in the part time, for a part from the middle of the VOD', async () => {
    // Segments 3..10: the part starts 6 s into the VOD and lasts 16 s; 10 % is 1.6 s into it (segment 3, 1.6 s in).
    const part = ramp.slice(3, 11);
    const t = await makeSegmentThumbnail({ ffmpegPath, segments: part, output: join(dir, 'mid.jpg') });
    // The thumbnail filter chooses among the 30 frames (1.2 s) from the point on.
    expect(t.atSec).toBeGreaterThanOrEqual(1.6 - 0.05);
    expect(t.atSec).toBeLessThanOrEqual(1.6 + 1.25);
    // The picture is the one shown at 6 s + atSec of the VOD.
    expect(Math.abs((await luma(t.path)) - jpegLumaAt(6 + t.atSec))).toBeLessThanOrEqual(2);
    expect([t.width, t.height]).toEqual([160, 90]);
    expect(jpegSize(await readFile(t.path))).toEqual({ width: 160, height: 90 });
  });

  it('chooses the same moment as the thumbnail of the built part', async () => {
    const part = ramp.slice(2, 9);
    const output = join(dir, 'built.mp4');
    const built = await buildPart({ ffmpegPath, inputs: part.map((s) => s.path), output, expectedDurationSec: part.reduce((n, s) => n + s.durationSec, 0) });
    const fromFile = await makeThumbnail({ ...testTools(), input: output, output: join(dir, 'from-file.jpg'), durationSec: built.durationSec });
    const fromSegments = await makeSegmentThumbnail({ ffmpegPath, segments: part, output: join(dir, 'from-segments.jpg') });
    expect(Math.abs(fromSegments.atSec - fromFile.atSec)).toBeLessThanOrEqual(0.1);
    expect(Math.abs((await luma(fromSegments.path)) - (await luma(fromFile.path)))).toBeLessThanOrEqual(2);
  });

  it('skips a dark opening across segments and keeps within 320 px and 200 KB', async () => {
    const segs = await hls('dark', "testsrc2=s=640x360:r=25,drawbox=c=black:t=fill:enable='lt(t,5)'", 10);
    const t = await makeSegmentThumbnail({ ffmpegPath, segments: segs, output: join(dir, 'dark.jpg') });
    // 10 % (1 s) and 35 % (3.5 s) are black; 60 % (6 s) is the first lit candidate.
    expect(t.atSec).toBeGreaterThanOrEqual(6 - 0.05);
    expect([t.width, t.height]).toEqual([320, 180]);
    expect(t.bytes).toBeLessThanOrEqual(THUMB_MAX_BYTES);
    expect(await luma(t.path)).toBeGreaterThan(40);
    // No candidate file is left beside it.
    expect((await readdir(dir)).filter((f) => f.startsWith('dark.jpg.cand'))).toEqual([]);
  });

  it('goes on to the next candidate when there is no video around a point (audio-only stretch)', async () => {
    // 6 s of audio-only segments, then video: the 10 % point (1.2 s) has no picture within reach, 35 % (4.2 s) does from 6 s on.
    const audio: ThumbnailSegment[] = [];
    for (let i = 0; i < 3; i++) {
      const path = join(dir, `quiet${i}.ts`);
      // prettier-ignore
      await exec('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=r=48000', '-t', '2', '-c:a', 'aac', '-output_ts_offset', String(2 * i), '-f', 'mpegts', path]);
      audio.push({ path, durationSec: 2 });
    }
    const video = await hls('late', 'testsrc2=s=160x90:r=25', 6, ['-output_ts_offset', '6']);
    const t = await makeSegmentThumbnail({ ffmpegPath, segments: [...audio, ...video], output: join(dir, 'late.jpg') });
    expect(t.atSec).toBeGreaterThanOrEqual(6 - 0.05);
    expect(t.atSec).toBeLessThanOrEqual(8);
    expect(await luma(t.path)).toBeGreaterThan(40);
  });

  it('fails clearly for segments without video, naming them', async () => {
    const audio = join(dir, 'audio000.ts');
    await exec('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=r=48000', '-t', '2', '-c:a', 'aac', '-f', 'mpegts', audio]);
    const err = await makeSegmentThumbnail({ ffmpegPath, segments: [{ path: audio, durationSec: 2 }], output: join(dir, 'audio.jpg') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('thumbnail_failed');
    expect((err as Error).message).toContain('audio000.ts');
  });
});

describe('jpegSize', () => {
  it('reads the frame header and refuses what is not a JPEG', async () => {
    const jpg = join(dir, 'probe.jpg');
    await exec('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=s=124x46', '-frames:v', '1', jpg]);
    const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', jpg]);
    const [width, height] = stdout.trim().split(',').map(Number);
    const bytes = await readFile(jpg);
    expect(jpegSize(bytes)).toEqual({ width, height });
    expect(width).toBe(124);
    expect(jpegSize(bytes.subarray(0, 20))).toBeNull();
    expect(jpegSize(Buffer.from('not a jpeg at all'))).toBeNull();
    expect(jpegSize(Buffer.alloc(0))).toBeNull();
  });
});
