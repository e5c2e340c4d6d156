import { existsSync } from 'node:fs';
import { readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPart, PartOverCeilingError, type BuiltPart } from '../../electron/engine/media/build';
import { moovFirst, readTopLevelAtoms } from '../../electron/engine/media/mp4-atoms';
import { planParts, replanPart, type PlannedPart, type SplitRules } from '../../electron/engine/media/planner';
import { probeMedia, streamKey } from '../../electron/engine/media/probe';
import { EngineError } from '../../electron/engine/util/errors';
import { onLogLine } from '../../electron/engine/util/log';
import { decodeErrors, makeHls, streamFacts, tempDir, testTools, type Segment } from './gen';
import { tinyRules } from './tiny-rules';

let dir: string;
let cleanup: () => Promise<void>;
let vbr: Segment[];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('build'));
  vbr = await makeHls({ dir, prefix: 'vbr', seconds: 12, segmentSec: 1, vbr: true });
});
afterAll(async () => cleanup());

const rules = (ceilingBytes: number): SplitRules => tinyRules(ceilingBytes);

const segsOf = (segs: Segment[], p: PlannedPart) => segs.filter((s) => s.index >= p.firstUnit && s.index <= p.lastUnit);

async function buildAll(segs: Segment[], parts: PlannedPart[], name: string, ceilingBytes?: number) {
  return Promise.all(
    parts.map((p) =>
      buildPart({ ...testTools(), inputs: segsOf(segs, p).map((s) => s.path), output: join(dir, `${name}-${p.index}.mp4`), expectedDurationSec: p.durationSec, ceilingBytes }),
    ),
  );
}

/** Continuity: every part holds exactly its segments' frames, audio in sync, moov first. */
async function checkParts(segs: Segment[], parts: PlannedPart[], built: BuiltPart[], name: string) {
  const segFacts = await Promise.all(segs.map((s) => streamFacts(s.path)));
  let videoSum = 0;
  for (const [i, p] of parts.entries()) {
    const out = join(dir, `${name}-${p.index}.mp4`);
    expect(moovFirst(await readTopLevelAtoms(out))).toBe(true);
    const f = await streamFacts(out);
    const mine = segFacts.filter((_, k) => segs[k].index >= p.firstUnit && segs[k].index <= p.lastUnit);
    // No frame lost or repeated at either cut.
    expect(f.videoFrames).toBe(mine.reduce((s, x) => s + x.videoFrames, 0));
    expect(f.audioFrames).toBe(mine.reduce((s, x) => s + x.audioFrames, 0));
    // Timestamps from zero, audio and video start and end together.
    expect(Math.min(f.videoStartSec, f.audioStartSec)).toBeLessThan(0.001);
    // Audio in sync: the part keeps its first segment's own audio/video offset exactly.
    const first = mine[0];
    expect(Math.abs(f.audioStartSec - f.videoStartSec - (first.audioStartSec - first.videoStartSec))).toBeLessThan(0.002);
    expect(Math.abs(f.videoDurationSec - f.audioDurationSec)).toBeLessThan(0.1);
    expect(built[i].durationSec).toBeGreaterThan(0);
    expect(await decodeErrors(out)).toBe('');
    videoSum += f.videoDurationSec;
  }
  return videoSum;
}

describe('buildPart', () => {
  it('cuts a variable-bitrate VOD into parts under the ceiling, in one run each, losing nothing', async () => {
    const total = vbr.reduce((s, u) => s + u.bytes, 0);
    const r = rules(Math.round(total / 2.6));
    const plan = planParts(vbr, r, { complete: true });
    expect(plan.parts.length).toBeGreaterThanOrEqual(3);
    expect(plan.dropped).toBeNull();
    const built = await buildAll(vbr, plan.parts, 'vbr', r.ceilingBytes);
    for (const b of built) {
      expect(b.ffmpegRuns).toBe(1);
      expect(b.bytes).toBeLessThanOrEqual(r.ceilingBytes);
      expect(b.videoCodec).toBe('h264');
      expect([b.width, b.height]).toEqual([160, 90]);
    }
    const whole = await streamFacts(`concat:${vbr.map((s) => s.path).join('|')}`);
    const videoSum = await checkParts(vbr, plan.parts, built, 'vbr');
    expect(Math.abs(videoSum - whole.videoDurationSec)).toBeLessThan(0.1);
    expect(Math.abs(built.reduce((s, b) => s + b.durationSec, 0) - plan.parts.reduce((s, p) => s + p.durationSec, 0))).toBeLessThan(0.1);
    expect((await readdir(dir)).filter((f) => f.includes('.partial'))).toEqual([]);
  });

  it('parts of a B-frame VOD add up to it and keep every frame', async () => {
    const segs = await makeHls({ dir, prefix: 'bf', seconds: 12, segmentSec: 1, fps: 30, bframes: true });
    const total = segs.reduce((s, u) => s + u.bytes, 0);
    const r = rules(Math.round(total / 4.5) + 70_000);
    const plan = planParts(segs, r, { complete: true });
    expect(plan.parts.length).toBeGreaterThanOrEqual(4);
    const built = await buildAll(segs, plan.parts, 'bf', r.ceilingBytes);
    await checkParts(segs, plan.parts, built, 'bf');
    const whole = await streamFacts(`concat:${segs.map((s) => s.path).join('|')}`);
    expect(Math.abs(built.reduce((s, b) => s + b.durationSec, 0) - whole.videoDurationSec)).toBeLessThan(0.1);
  });

  it('a VOD shorter than one part and one exactly at the ceiling each make a single part that fits', async () => {
    const segs = vbr.slice(0, 4);
    const bytes = segs.reduce((s, u) => s + u.bytes, 0);
    const dur = segs.reduce((s, u) => s + u.durationSec, 0);
    // The ceiling equal to the estimate of the whole: it fits exactly.
    const exact = planParts(segs, rules(10 ** 9), { complete: true }).parts[0].estimatedBytes;
    expect(exact).toBeGreaterThan(bytes * 0.9);
    for (const ceiling of [10 ** 9, exact]) {
      const plan = planParts(segs, rules(ceiling), { complete: true });
      expect(plan.parts).toHaveLength(1);
      const [b] = await buildAll(segs, plan.parts, `one-${ceiling}`, ceiling);
      expect(b.bytes).toBeLessThanOrEqual(ceiling);
      expect(Math.abs(b.durationSec - dur)).toBeLessThan(0.1);
    }
    // One byte less and it no longer fits in one part.
    expect(planParts(segs, rules(exact - 1), { complete: true }).parts).toHaveLength(2);
  });

  it('never joins segments across a resolution change, and both sides play', async () => {
    const a = await makeHls({ dir, prefix: 'resA', seconds: 4, segmentSec: 1 });
    const b = await makeHls({ dir, prefix: 'resB', seconds: 3, segmentSec: 1, width: 128, height: 72, tsOffsetSec: 4, firstIndex: a.length });
    const segs = [...a, ...b];
    for (const s of segs) s.streamKey = streamKey(await probeMedia(s.path, testTools()));
    const plan = planParts(segs, rules(10 ** 9), { complete: true });
    expect(plan.parts.map((p) => [p.firstUnit, p.lastUnit])).toEqual([
      [0, a.length - 1],
      [a.length, segs.length - 1],
    ]);
    const built = await buildAll(segs, plan.parts, 'res');
    expect(built.map((x) => `${x.width}x${x.height}`)).toEqual(['160x90', '128x72']);
    await checkParts(segs, plan.parts, built, 'res');
  });

  it('keeps an audio-only stretch in place (video pauses, audio continues, lengths agree)', async () => {
    const segs = await makeHls({ dir, prefix: 'gap', seconds: 8, segmentSec: 1, videoGap: [3, 5] });
    const plan = planParts(segs, rules(10 ** 9), { complete: true });
    const built = await buildAll(segs, plan.parts, 'gap');
    expect(Math.abs(built[0].durationSec - 8)).toBeLessThan(0.1);
    await checkParts(segs, plan.parts, built, 'gap');
  });

  it('accepts a part whose video stops before its audio (audio-only tail)', async () => {
    const segs = await makeHls({ dir, prefix: 'tail', seconds: 6, segmentSec: 1, videoGap: [4, 6] });
    const plan = planParts(segs, rules(10 ** 9), { complete: true });
    const [b] = await buildAll(segs, plan.parts, 'tail');
    const f = await streamFacts(join(dir, 'tail-1.mp4'));
    expect(f.audioDurationSec).toBeGreaterThan(5.9);
    expect(f.videoFrames).toBeLessThan(4.1 * 15);
    expect(b.durationSec).toBeGreaterThan(5.9);
  });

  it('joins many tiny segments in one run', async () => {
    const segs = await makeHls({ dir, prefix: 'tiny', seconds: 6, segmentSec: 0.2 });
    expect(segs.length).toBeGreaterThanOrEqual(25);
    const plan = planParts(segs, rules(10 ** 9), { complete: true });
    const built = await buildAll(segs, plan.parts, 'tiny');
    expect(built[0].ffmpegRuns).toBe(1);
    await checkParts(segs, plan.parts, built, 'tiny');
  });

  it('reports a part over the ceiling (no file left) so the caller re-plans it', async () => {
    const segs = vbr.slice(0, 6);
    const [part] = planParts(segs, rules(10 ** 9), { complete: true }).parts;
    const output = join(dir, 'over.mp4');
    const tooSmall = Math.floor(part.bytes * 0.8);
    const err = await buildPart({ ...testTools(), inputs: segs.map((s) => s.path), output, expectedDurationSec: part.durationSec, ceilingBytes: tooSmall }).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(PartOverCeilingError);
    const over = err as PartOverCeilingError;
    expect(over.builtBytes).toBeGreaterThan(tooSmall);
    expect(existsSync(output)).toBe(false);
    expect(existsSync(`${output}.partial.mp4`)).toBe(false);
    const again = replanPart(segs, rules(tooSmall), over.builtBytes);
    expect(again.length).toBeGreaterThanOrEqual(2);
    const built = await buildAll(segs, again, 'replanned', tooSmall);
    for (const b of built) expect(b.bytes).toBeLessThanOrEqual(tooSmall);
  });

  it('falls back to +faststart when the moov reservation is too small, and logs it', async () => {
    const segs = vbr.slice(0, 3);
    const output = join(dir, 'fallback.mp4');
    const lines: string[] = [];
    const off = onLogLine((l) => lines.push(`${l.level} ${l.message}`));
    const b = await buildPart({ ...testTools(), inputs: segs.map((s) => s.path), output, expectedDurationSec: 3, moovSizeBytes: 1000 });
    off();
    expect(b.ffmpegRuns).toBe(2);
    expect(lines.some((l) => l.startsWith('warn') && l.includes('faststart') && l.includes('fallback.mp4'))).toBe(true);
    expect(moovFirst(await readTopLevelAtoms(output))).toBe(true);
  });

  it('reports progress up to 1', async () => {
    const seen: number[] = [];
    await buildPart({ ...testTools(), inputs: vbr.map((s) => s.path), output: join(dir, 'progress.mp4'), expectedDurationSec: 12, onProgress: (f) => seen.push(f) });
    expect(seen[seen.length - 1]).toBe(1);
    expect(seen.every((f, i) => f >= 0 && f <= 1 && (i === 0 || f >= seen[i - 1]))).toBe(true);
  });

  it('fails clearly on unreadable input, a missing segment, a wrong duration, and when cancelled', async () => {
    const junk = join(dir, 'junk.ts');
    await writeFile(junk, Buffer.alloc(50_000, 7));
    const bad = await buildPart({ ...testTools(), inputs: [junk], output: join(dir, 'bad.mp4'), expectedDurationSec: 1 }).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(EngineError);
    expect((bad as Error).message).toContain('bad.mp4');
    const missing = await buildPart({ ...testTools(), inputs: [join(dir, 'nope.ts')], output: join(dir, 'm.mp4'), expectedDurationSec: 1 }).catch((e: unknown) => e);
    expect((missing as EngineError).code).toBe('segment_missing');
    expect((missing as Error).message).toContain('nope.ts');
    const short = await buildPart({ ...testTools(), inputs: [vbr[0].path], output: join(dir, 's.mp4'), expectedDurationSec: 5 }).catch((e: unknown) => e);
    expect((short as EngineError).code).toBe('part_duration_mismatch');
    const ac = new AbortController();
    ac.abort();
    const cancelled = await buildPart({ ...testTools(), inputs: [vbr[0].path], output: join(dir, 'c.mp4'), expectedDurationSec: 1, signal: ac.signal }).catch((e: unknown) => e);
    expect((cancelled as EngineError).errorClass).toBe('cancelled');
    expect((await readdir(dir)).filter((f) => f.includes('.partial'))).toEqual([]);
  });
});
