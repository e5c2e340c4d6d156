/**
 * The cut stage itself (pipeline/stages/cut.ts) on a real store and real segments, fed segment by
 * segment as the fetch stage does: every part built with its thumbnail, a part whose size estimate
 * was too low re-planned by the stage into smaller parts, and a segment too big for any part an error.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { link, mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import PQueue from 'p-queue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCutVod } from './cut-context';
import { segmentPath } from '../../electron/engine/download/segments';
import { jpegSize } from '../../electron/engine/media/jpeg';
import { moovReserveBytes } from '../../electron/engine/media/overhead';
import type { SplitRules } from '../../electron/engine/media/planner';
import { cutStage } from '../../electron/engine/pipeline/stages/cut';
import { operationsFor } from '../../electron/engine/store/operations';
import { partsOf } from '../../electron/engine/store/parts';
import { getVod } from '../../electron/engine/store/vods';
import { resolveTools } from '../../electron/engine/util/binaries';
import { EngineError } from '../../electron/engine/util/errors';
import { onLogLine } from '../../electron/engine/util/log';
import { makeHls, tempDir, type Segment } from '../media/gen';
import { tinyRules } from '../media/tiny-rules';

let dir: string;
let cleanup: () => Promise<void>;
let segs: Segment[];
let total: number;

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('cut-stage'));
  segs = await makeHls({ dir, prefix: 'v', seconds: 16, segmentSec: 1, vbr: true });
  total = segs.reduce((n, s) => n + s.bytes, 0);
}, 120_000);
afterAll(async () => cleanup());

/** Rules for tiny media: a small ceiling; `payloadRatio` is how far the stage's size estimate is off. */
const rules = (ceilingBytes: number, payloadRatio: number): SplitRules => tinyRules(ceilingBytes, payloadRatio);

/** Runs the stage over the test VOD until it returns, feeding it one finished segment at a time. */
async function cut(name: string, r: SplitRules) {
  const root = join(dir, name);
  const vod = openCutVod({ dir: root, vodId: '7', durations: segs.map((s) => s.durationSec), rules: r, tools: resolveTools({}), build: new PQueue({ concurrency: 2 }) });
  await mkdir(vod.ctx.folder.segments, { recursive: true });
  for (const [i, s] of segs.entries()) await link(s.path, segmentPath(vod.ctx.folder.segments, i));
  const lines: string[] = [];
  const off = onLogLine((l) => lines.push(`${l.level} ${l.message}`));
  const stage = cutStage(vod.ctx);
  try {
    for (const [i, s] of segs.entries()) await vod.segmentDone(i, s.bytes);
    vod.fetchDone();
    const error = await stage.then(
      () => null,
      (e: unknown) => e,
    );
    return { vod, error, lines, parts: partsOf(vod.db, '7'), ops: operationsFor(vod.db, '7') };
  } finally {
    off();
  }
}

describe('the cut stage', () => {
  it('builds every part with a thumbnail made from its segments, then deletes the segments', async () => {
    const r = await cut('plain', rules(Math.floor(total / 2.5), 184 / 188));
    try {
      expect(r.error).toBeNull();
      expect(r.parts.length).toBeGreaterThanOrEqual(2);
      expect(getVod(r.vod.db, '7')?.parts_total).toBe(r.parts.length);
      expect(r.parts[0].first_segment).toBe(0);
      expect(r.parts[r.parts.length - 1].last_segment).toBe(segs.length - 1);
      for (const p of r.parts) {
        expect(p.state).toBe('built');
        expect(existsSync(p.path!)).toBe(true);
        expect(p.thumb_path).toMatch(/\.jpg$/);
        expect(jpegSize(readFileSync(p.thumb_path!))).toEqual({ width: 160, height: 90 });
      }
      for (let i = 0; i < segs.length; i++) expect(existsSync(segmentPath(r.vod.ctx.folder.segments, i))).toBe(false);
    } finally {
      r.vod.close();
    }
  }, 120_000);

  it('re-plans a part that came out over the ceiling into parts under it, and logs it', async () => {
    // The estimate counts half the bytes: the plan's single part is far over the ceiling once built.
    const r = await cut('replan', rules(Math.round(total * 0.7), 0.5));
    try {
      expect(r.error).toBeNull();
      expect(r.parts.length).toBeGreaterThanOrEqual(2);
      for (const [i, p] of r.parts.entries()) {
        expect(p.state).toBe('built');
        expect(p.bytes).toBeLessThanOrEqual(Math.round(total * 0.7));
        if (i > 0) expect(p.first_segment).toBe(r.parts[i - 1].last_segment + 1);
      }
      expect(r.parts[0].first_segment).toBe(0);
      expect(r.parts[r.parts.length - 1].last_segment).toBe(segs.length - 1);
      expect(getVod(r.vod.db, '7')?.parts_total).toBe(r.parts.length);
      expect(r.ops.some((o) => o.operation_type === 'replan')).toBe(true);
      expect(r.lines.some((l) => l.startsWith('warn') && l.includes('re-planned'))).toBe(true);
      // The over-ceiling attempt left neither its MP4 nor its thumbnail behind.
      const files = readdirSync(r.vod.ctx.folder.parts).filter((f) => /\.(mp4|jpg)$/.test(f));
      expect(files.sort()).toEqual(r.parts.flatMap((p) => [basename(p.path!), basename(p.thumb_path!)]).sort());
    } finally {
      r.vod.close();
    }
  }, 120_000);

  it('fails the VOD with a clear error when a segment cannot fit a part even alone', async () => {
    // The estimate (a payload ratio of 0.05) lets single segments through; built, none fits.
    const fixed = moovReserveBytes(1, { videoFps: 60, audioFramesPerSec: 48_000 / 1024 });
    const ceiling = fixed + Math.ceil(0.05 * Math.max(...segs.map((s) => s.bytes))) + 1;
    const r = await cut('too-big', rules(ceiling, 0.05));
    try {
      expect(r.error).toBeInstanceOf(EngineError);
      expect((r.error as EngineError).errorClass).toBe('permanent');
      expect((r.error as Error).message).toMatch(/exceed the part ceiling|cannot be split/);
      expect((r.error as Error).message).toContain(String(ceiling));
      // Nothing built was kept for a part over the ceiling.
      expect(r.parts.every((p) => p.state === 'planned')).toBe(true);
    } finally {
      r.vod.close();
    }
  }, 120_000);
});
