import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PartOverCeilingError } from '../../electron/engine/media/build';
import { moovFirst, readTopLevelAtoms } from '../../electron/engine/media/mp4-atoms';
import { buildOneFileParts, oneFileRules, oneFileUnits } from '../../electron/engine/media/one-file';
import { planParts, type SplitRules } from '../../electron/engine/media/planner';
import { EngineError } from '../../electron/engine/util/errors';
import { decodeErrors, streamFacts, tempDir, testTools } from './gen';
import { tinyRules } from './tiny-rules';

const exec = promisify(execFile);
let dir: string;
let cleanup: () => Promise<void>;
let mp4: string;
let ts: string;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('onefile'));
  mp4 = join(dir, 'vod.mp4');
  ts = join(dir, 'vod.ts');
  // B-frames and variable bitrate: the hard case for cutting a single file.
  await exec('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=160x90:r=15',
    '-f',
    'lavfi',
    '-i',
    'sine=f=440:r=48000',
    '-t',
    '16',
    '-vf',
    "noise=alls=60:allf=t:enable='lt(mod(t,6),3)'",
    '-c:v',
    'libx264',
    '-preset',
    'veryfast',
    '-bf',
    '2',
    '-g',
    '15',
    '-keyint_min',
    '15',
    '-sc_threshold',
    '0',
    '-c:a',
    'aac',
    '-b:a',
    '48k',
    mp4,
  ]);
  await exec('ffmpeg', ['-v', 'error', '-y', '-i', mp4, '-c', 'copy', '-f', 'mpegts', ts]);
});
afterAll(async () => cleanup());

const rules = (ceilingBytes: number): SplitRules => oneFileRules(tinyRules(ceilingBytes, 1));

describe('one-file input', () => {
  for (const kind of ['mp4', 'ts'] as const) {
    it(`plans a single ${kind} file from its keyframes and cuts every part in one run, losing nothing`, async () => {
      const input = kind === 'mp4' ? mp4 : ts;
      const { units, info } = await oneFileUnits(input, testTools());
      expect(units.length).toBe(16);
      expect(units.reduce((s, u) => s + u.durationSec, 0)).toBeCloseTo(info.durationSec, 1);
      const total = units.reduce((s, u) => s + u.bytes, 0);
      const r = rules(Math.round(total / 2.5) + 200_000);
      const plan = planParts(units, r, { complete: true });
      expect(plan.parts.length).toBeGreaterThanOrEqual(3);
      const seen: number[] = [];
      const built = await buildOneFileParts({
        ...testTools(),
        input,
        plan,
        units,
        outputFor: (i) => join(dir, `${kind}-${i}.mp4`),
        ceilingBytes: r.ceilingBytes,
        onProgress: (f) => seen.push(f),
      });
      expect(seen[seen.length - 1]).toBe(1);
      const whole = await streamFacts(input);
      let frames = 0;
      let audio = 0;
      let seconds = 0;

      for (const [i, p] of plan.parts.entries()) {
        const out = join(dir, `${kind}-${p.index}.mp4`);
        expect(moovFirst(await readTopLevelAtoms(out))).toBe(true);
        expect(built[i].bytes).toBeLessThanOrEqual(r.ceilingBytes);
        expect(built[i].ffmpegRuns).toBe(1);
        const f = await streamFacts(out);
        // Whole GOPs: 15 frames per planned second.
        expect(f.videoFrames).toBe(Math.round(p.durationSec * 15));
        // Packets go to parts in file order, so with B-frames (video pts runs ~0.13 s ahead of
        // dts here) audio and video ends differ by up to that delay; timestamps keep them in sync.
        expect(Math.abs(f.videoStartSec - f.audioStartSec)).toBeLessThan(0.2);
        expect(Math.abs(f.videoStartSec + f.videoDurationSec - (f.audioStartSec + f.audioDurationSec))).toBeLessThan(0.2);
        expect(await decodeErrors(out)).toBe('');
        frames += f.videoFrames;
        audio += f.audioFrames;
        seconds += built[i].durationSec;
      }
      expect(frames).toBe(whole.videoFrames);
      expect(audio).toBe(whole.audioFrames);
      expect(Math.abs(seconds - whole.videoDurationSec)).toBeLessThan(0.1);
      expect(Math.abs(seconds - info.durationSec)).toBeLessThan(0.1);
    });
  }

  it('reports a part over the ceiling and leaves no parts behind', async () => {
    const { units } = await oneFileUnits(mp4, testTools());
    const plan = planParts(units, rules(10 ** 9), { complete: true });
    const err = await buildOneFileParts({ ...testTools(), input: mp4, plan, units, outputFor: (i) => join(dir, `over-${i}.mp4`), ceilingBytes: 50_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PartOverCeilingError);
    expect(existsSync(join(dir, 'over-1.mp4'))).toBe(false);
  });

  it('names an unreadable file', async () => {
    const err = await oneFileUnits(join(dir, 'missing.mp4'), testTools()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('unreadable_media');
    expect((err as Error).message).toContain('missing.mp4');
  });
});
