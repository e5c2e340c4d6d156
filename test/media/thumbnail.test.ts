import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeThumbnail, THUMB_MAX_BYTES } from '../../electron/engine/media/thumbnail';
import { EngineError } from '../../electron/engine/util/errors';
import { tempDir, testTools } from './gen';

const exec = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('thumb'));
});
afterAll(async () => cleanup());

async function encode(name: string, size: string, extra: string[] = [], seconds = 10) {
  const out = join(dir, name);
  await exec('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=${size}:r=10`,
    '-t',
    String(seconds),
    ...extra,
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-pix_fmt',
    'yuv420p',
    out,
  ]);
  return out;
}

async function luma(jpg: string): Promise<number> {
  const { stdout } = await exec('ffmpeg', ['-v', 'error', '-i', jpg, '-vf', 'signalstats,metadata=print:key=lavfi.signalstats.YAVG:file=-', '-f', 'null', '-']);
  return Number(/YAVG=([\d.]+)/.exec(stdout)?.[1] ?? 0);
}

describe('makeThumbnail', () => {
  it('skips a black opening and keeps within 320 px and 200 KB', async () => {
    const input = await encode('dark-start.mp4', '640x360', ['-vf', "drawbox=c=black:t=fill:enable='lt(t,5)'"]);
    const t = await makeThumbnail({ ...testTools(), input, output: join(dir, 'a.jpg') });
    expect([t.width, t.height]).toEqual([320, 180]);
    expect(t.bytes).toBeLessThanOrEqual(THUMB_MAX_BYTES);
    expect(t.bytes).toBeGreaterThan(1000);
    expect(t.atSec).toBeGreaterThanOrEqual(5);
    expect(await luma(t.path)).toBeGreaterThan(40);
  });

  it('fits portrait video by its long side and never upscales', async () => {
    const tall = await makeThumbnail({ ...testTools(), input: await encode('tall.mp4', '360x640', [], 3), output: join(dir, 'tall.jpg') });
    expect([tall.width, tall.height]).toEqual([180, 320]);
    const small = await makeThumbnail({ ...testTools(), input: await encode('small.mp4', '160x90', [], 3), output: join(dir, 'small.jpg') });
    expect([small.width, small.height]).toEqual([160, 90]);
  });

  it('gives the brightest frame when everything is dark', async () => {
    const input = await encode('night.mp4', '320x180', ['-vf', 'drawbox=c=black:t=fill'], 4);
    const t = await makeThumbnail({ ...testTools(), input, output: join(dir, 'night.jpg') });
    expect(t.bytes).toBeGreaterThan(0);
  });

  it('fails clearly for a file without video', async () => {
    const audio = join(dir, 'audio.m4a');
    await exec('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=r=48000', '-t', '2', '-c:a', 'aac', audio]);
    const err = await makeThumbnail({ ...testTools(), input: audio, output: join(dir, 'x.jpg') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('thumbnail_failed');
    expect((err as Error).message).toContain('audio.m4a');
  });
});
