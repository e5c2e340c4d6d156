import { mkdirSync, rmSync } from 'node:fs';
import { ensureFreeSpace } from '../../download/disk';
import { liveStreamKey } from '../../download/follow';
import { segmentPath } from '../../download/segments';
import { buildPart, PartOverCeilingError } from '../../media/build';
import { estimateMp4Bytes, planParts, replanPart, type SplitRules, type Unit } from '../../media/planner';
import { makeThumbnail } from '../../media/thumbnail';
import { logOperation } from '../../store/operations';
import { insertPlannedPart, partsOf, replacePartWithPieces, updatePart, type PartRecord } from '../../store/parts';
import { segmentsOf, type SegmentRecord } from '../../store/segments';
import { getVod, updateVod } from '../../store/vods';
import { needTool } from '../../util/binaries';
import { EngineError, classify } from '../../util/errors';
import { createLogger } from '../../util/log';
import { throwIfStopped, type VodContext } from '../context';
import { partChaptersFile, planLiveAfter } from '../live-cut';
import { livePhase } from '../live-state';
import { cutWholeFile, isWholeFile, wholeFilePath } from '../whole-file';
import { partFile, thumbFile } from '../work-folder';

const log = createLogger('pipeline');

/**
 * The cut stage: plans parts from the segments recorded so far (all of them once the fetch stage
 * is done), builds each planned part on the shared build queue (with its thumbnail), and re-plans a
 * part that came out over the size ceiling. Reads segments from the store, writes parts to it.
 */
export async function cutStage(ctx: VodContext): Promise<void> {
  const run = new CutRun(ctx);
  for (;;) {
    throwIfStopped(ctx.signal);
    if (run.failure) throw run.failure;
    const parts = partsOf(ctx.db, ctx.vod.id);
    if (planComplete(ctx) && parts.every((p) => p.state !== 'planned') && run.building.size === 0) return;
    if (isWholeFile(ctx.db, ctx.vod.id, ctx.vod.generation)) {
      const path = wholeFilePath(ctx.db, ctx.vod.id, ctx.vod.generation);
      if (path && run.building.size === 0) await run.cutWhole(path);
      else await ctx.wake.wait(ctx.signal);
      continue;
    }
    run.plan();
    run.scheduleBuilds();
    await ctx.wake.wait(ctx.signal);
  }
}

/** The plan is complete once the VOD's part count is recorded (every caption says "Part k/N"). */
export function planComplete(ctx: VodContext): boolean {
  return (getVod(ctx.db, ctx.vod.id)?.parts_total ?? null) !== null;
}

class CutRun {
  readonly building = new Set<number>();
  failure: unknown;
  private replans = 0;

  constructor(private readonly ctx: VodContext) {}

  async cutWhole(path: string): Promise<void> {
    const { ctx } = this;
    const expected = segmentsOf(ctx.db, ctx.vod.id).reduce((sum, s) => sum + s.duration, 0);
    const v = { db: ctx.db, vodId: ctx.vod.id, generation: ctx.vod.generation, folder: ctx.folder, tools: ctx.tools, signal: ctx.signal };
    await ctx.slots.build.add(() => (throwIfStopped(ctx.signal), cutWholeFile(v, path, ctx.rules, expected)));
    ctx.progress.changed();
    ctx.wake.notify();
  }

  /**
   * Plans the parts that are final given the segments on disk so far. Parts already recorded are
   * never re-planned: planning continues after the last recorded one, so a restart reproduces the
   * same cut.
   */
  plan(): void {
    const { ctx } = this;
    if (planComplete(ctx)) return;
    const segments = segmentsOf(ctx.db, ctx.vod.id);
    const recorded = partsOf(ctx.db, ctx.vod.id);
    const last = recorded[recorded.length - 1];
    const units = unitsAfter(segments, last?.last_segment ?? -1);
    const live = livePhase(ctx.db, ctx.vod);
    const complete = segments.length > 0 && segments.every((s) => s.done) && live !== 'following';
    let offset = last ? last.idx : 0;
    const start = last ? last.start_sec + last.duration : 0;
    if (units.length > 0) {
      const plan = live
        ? planLiveAfter(units, recorded, ctx.rules, complete)
        : complete
          ? planParts(units, ctx.rules, { complete: true })
          : { parts: planEarly(units, segments, ctx.rules), dropped: null };
      for (const p of plan.parts) insertPlannedPart(ctx.db, ctx.vod.id, { ...p, index: offset + p.index, startSec: start + p.startSec });
      if (plan.dropped) {
        log.warn(`VOD ${ctx.vod.id}: dropped the last ${plan.dropped.durationSec.toFixed(1)} s (shorter than split.dropSegmentThresholdSec and the previous part is full)`);
        logOperation(ctx.db, ctx.vod.id, 'drop-tail', 'info', plan.dropped);
      }
      offset += plan.parts.length;
      if (plan.parts.length > 0) ctx.wake.notify();
    }
    if (complete) {
      updateVod(ctx.db, ctx.vod.id, { parts_total: offset });
      ctx.wake.notify();
    }
    ctx.progress.changed();
  }

  scheduleBuilds(): void {
    const { ctx } = this;
    for (const part of partsOf(ctx.db, ctx.vod.id)) {
      if (part.state !== 'planned' || this.building.has(part.idx)) continue;
      this.building.add(part.idx);
      // No queue signal: p-queue would settle an aborted task's promise while the task still runs,
      // and the next attempt could then build the same part beside it. A queued task that starts
      // after the abort returns at once instead (build() checks the signal first).
      void ctx.slots.build
        .add(() => this.build(part))
        .catch((error: unknown) => {
          if (!ctx.signal.aborted) this.failure ??= error;
        })
        .finally(() => {
          this.building.delete(part.idx);
          ctx.wake.notify();
        });
    }
  }

  private async build(part: PartRecord): Promise<void> {
    const { ctx } = this;
    throwIfStopped(ctx.signal);
    ctx.progress.part(part.idx, { build: 'active' });
    const ffmpegPath = needTool(ctx.tools, 'ffmpeg');
    const ffprobePath = needTool(ctx.tools, 'ffprobe');
    const inputs = segmentsOf(ctx.db, ctx.vod.id)
      .filter((s) => s.idx >= part.first_segment && s.idx <= part.last_segment)
      .map((s) => segmentPath(ctx.folder.segments, s.idx));
    mkdirSync(ctx.folder.parts, { recursive: true });
    await ensureFreeSpace(ctx.folder.root, part.planned_bytes, { reserveBytes: ctx.settings().advanced.lowDiskGuardMB * 1_000_000 });
    const output = partFile(ctx.folder, part.first_segment, part.last_segment);
    let built;
    try {
      const chaptersFile = await partChaptersFile(ctx, part, livePhase(ctx.db, ctx.vod) === 'following');
      built = await buildPart({ inputs, output, expectedDurationSec: part.duration, ceilingBytes: ctx.rules.ceilingBytes, signal: ctx.signal, ffmpegPath, chaptersFile });
    } catch (error) {
      if (!(error instanceof PartOverCeilingError)) throw error;
      return this.replan(part, error);
    }
    const thumb = thumbFile(ctx.folder, part.first_segment, part.last_segment);
    const thumbnail = await makeThumbnail({ input: output, output: thumb, durationSec: built.durationSec, signal: ctx.signal, ffmpegPath, ffprobePath }).catch((error: unknown) => {
      // A part without a thumbnail still backs up; Telegram draws its own.
      log.warn(`VOD ${ctx.vod.id} part ${part.idx}: no thumbnail (${classify(error).message})`);
      return null;
    });
    const { bytes, durationSec, width, height } = built;
    updatePart(ctx.db, ctx.vod.id, part.idx, { state: 'built', bytes, duration: durationSec, width, height, path: output, thumb_path: thumbnail?.path ?? null });
    logOperation(ctx.db, ctx.vod.id, 'build', 'ok', { part: part.idx, bytes, durationSec });
    // The part is on disk and recorded: its segments are no longer needed.
    for (const path of inputs) rmSync(path, { force: true });
    ctx.progress.part(part.idx, { build: 'done' });
    ctx.progress.changed();
  }

  /** The size estimate was off: cut this part's segments again into smaller parts (bounded, logged). */
  private replan(part: PartRecord, error: PartOverCeilingError): void {
    const { ctx } = this;
    rmSync(error.output, { force: true });
    if (++this.replans > ctx.settings().split.maxRetriesSplit) {
      throw new EngineError('permanent', 'replan_limit', `VOD ${ctx.vod.id}: parts kept coming out over the size limit (${this.replans - 1} re-plans).`);
    }
    const units: Unit[] = segmentsOf(ctx.db, ctx.vod.id)
      .filter((s) => s.idx >= part.first_segment && s.idx <= part.last_segment)
      .map((s) => ({ index: s.idx, bytes: s.bytes ?? 0, durationSec: s.duration, streamKey: s.stream_key ?? undefined }));
    const estimated = estimateMp4Bytes(part.planned_bytes, part.duration, ctx.rules);
    const pieces = replanPart(units, ctx.rules, error.builtBytes, estimated);
    replacePartWithPieces(ctx.db, ctx.vod.id, part.idx, pieces, part.start_sec);
    log.warn(`VOD ${ctx.vod.id} part ${part.idx} came out at ${error.builtBytes} bytes, over the ceiling of ${ctx.rules.ceilingBytes}: re-planned into ${pieces.length} parts`);
    logOperation(ctx.db, ctx.vod.id, 'replan', 'info', { part: part.idx, builtBytes: error.builtBytes, pieces: pieces.length });
    ctx.wake.notify();
  }
}

/** Downloaded segments after `lastPlanned`, in order, up to the first one not on disk yet. */
function unitsAfter(segments: SegmentRecord[], lastPlanned: number): Unit[] {
  const units: Unit[] = [];
  let signature: string | undefined;
  for (const s of segments) {
    // A segment whose signature could not be read keeps its predecessor's (no spurious cut); a
    // live playlist's discontinuity run is part of the key (a drop and resume starts a new part).
    signature = s.stream_key ?? signature;
    const streamKey = signature === undefined && !s.discontinuity_seq ? undefined : liveStreamKey(signature, s.discontinuity_seq ?? 0);
    if (s.idx <= lastPlanned) continue;
    if (!s.done || s.bytes === null) break;
    units.push({ index: s.idx, bytes: s.bytes, durationSec: s.duration, streamKey });
  }
  return units;
}

/**
 * Parts that are final while the download still runs. The planner alone must wait until two
 * ceilings follow a part (only the last two parts are balanced, and it cannot know where the end
 * is). The playlist does know: every segment's duration is listed. So the rest of the VOD is
 * estimated from the bitrate so far, and a full part that is not one of the last two of that
 * estimated plan is final at once (greedy parts do not depend on what follows them). Part 1 can
 * then upload after about one ceiling of download instead of two.
 */
function planEarly(units: Unit[], segments: SegmentRecord[], rules: SplitRules): ReturnType<typeof planParts>['parts'] {
  const sure = planParts(units, rules, { complete: false }).parts;
  const lastDone = units[units.length - 1].index;
  const bytes = units.reduce((n, u) => n + u.bytes, 0);
  const seconds = units.reduce((n, u) => n + u.durationSec, 0);
  const rate = seconds > 0 ? bytes / seconds : 0;
  const streamKey = units[units.length - 1].streamKey;
  const rest: Unit[] = segments
    .filter((s) => s.idx > lastDone)
    .map((s) => ({ index: s.idx, bytes: Math.max(1, Math.round(rate * s.duration)), durationSec: s.duration, streamKey }));
  let estimated: typeof sure = [];
  try {
    const full = planParts([...units, ...rest], rules, { complete: true }).parts;
    // A part ending on the newest unit might still grow: the next unit's real size decides.
    estimated = full.filter((p) => p.index <= full.length - 2 && p.lastUnit < lastDone);
  } catch {
    // An estimated unit too big on its own: fall back to what is certain.
  }
  return estimated.length > sure.length ? estimated : sure;
}
