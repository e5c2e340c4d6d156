import { mkdirSync, rmSync } from 'node:fs';
import { waitForFreeSpace } from '../../download/disk';
import { liveStreamKey } from '../../download/follow';
import { segmentPath } from '../../download/segments';
import { PartOverCeilingError } from '../../media/build';
import { IncrementalPlanner } from '../../media/incremental-planner';
import { replanPart, type PlannedPart, type Unit } from '../../media/planner';
import { buildPartAndThumbnail } from '../../media/part-job';
import { logOperation } from '../../store/operations';
import { insertPlannedPart, partsOf, replacePartWithPieces, updatePart, type PartRecord } from '../../store/parts';
import { segmentsOf, type SegmentRecord } from '../../store/segments';
import { getVod, updateVod } from '../../store/vods';
import { partThumbnail } from '../../twitch/thumbnails';
import { needTool } from '../../util/binaries';
import { EngineError, classify } from '../../util/errors';
import { createLogger } from '../../util/log';
import { throwIfStopped, type VodContext } from '../context';
import { ensureInitSegment, fmp4Rendition } from '../fmp4';
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
    const complete = planComplete(ctx);
    let parts = partsOf(ctx.db, ctx.vod.id);
    if (complete && parts.every((p) => p.state !== 'planned') && run.building.size === 0) return;
    if (isWholeFile(ctx.db, ctx.vod.id, ctx.vod.generation)) {
      const path = wholeFilePath(ctx.db, ctx.vod.id, ctx.vod.generation);
      if (path && run.building.size === 0) await run.cutWhole(path);
      else await ctx.wake.wait(ctx.signal);
      continue;
    }
    // Woken once per finished segment: the parts read above stay current unless the plan recorded some.
    if (!complete && run.plan()) parts = partsOf(ctx.db, ctx.vod.id);
    run.scheduleBuilds(parts);
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
  private planner: IncrementalPlanner | undefined;
  /** Position in the segment list of the next segment to give the planner. */
  private next = 0;
  private streamKey: string | undefined;

  constructor(private readonly ctx: VodContext) {}

  async cutWhole(path: string): Promise<void> {
    const { ctx } = this;
    const expected = ctx.segments.all().reduce((sum, s) => sum + s.duration, 0);
    const v = { db: ctx.db, vodId: ctx.vod.id, generation: ctx.vod.generation, folder: ctx.folder, tools: ctx.tools, signal: ctx.signal };
    await ctx.slots.build.add(() => (throwIfStopped(ctx.signal), cutWholeFile(v, path, ctx.rules, expected)));
    ctx.progress.changed();
    ctx.wake.notify();
  }

  /**
   * Plans the parts that are final given the segments on disk so far, feeding the planner only the
   * segments that became contiguous since the last call. Parts already recorded are never
   * re-planned: the planner starts after the last recorded one, so a restart reproduces the same cut.
   * Answers whether it recorded anything (parts, or the part count).
   */
  plan(): boolean {
    const { ctx } = this;
    // A broadcast still being recorded: its segment list grows in the store (the live follower).
    if (livePhase(ctx.db, ctx.vod)) return planLive(ctx);
    const segments = ctx.segments.all();
    if (segments.length === 0) return false;
    const planner = (this.planner ??= this.startPlanner(segments));
    for (; this.next < segments.length; this.next++) {
      const s = segments[this.next];
      if (!s.done || s.bytes === null) break;
      // A segment whose signature could not be read keeps its predecessor's (no spurious cut).
      this.streamKey = s.stream_key ?? this.streamKey;
      planner.push({ index: s.idx, bytes: s.bytes, durationSec: s.duration, streamKey: this.streamKey });
    }
    if (this.next < segments.length) {
      // Most segments finish no part: nothing to record, no store read, nothing new to show.
      const early = planner.takeEarly();
      if (early.length === 0) return false;
      this.record(early);
    } else {
      const plan = planner.finish();
      const total = this.record(plan.parts);
      if (plan.dropped) {
        log.warn(`VOD ${ctx.vod.id}: dropped the last ${plan.dropped.durationSec.toFixed(1)} s (shorter than split.dropSegmentThresholdSec and the previous part is full)`);
        logOperation(ctx.db, ctx.vod.id, 'drop-tail', 'info', plan.dropped);
      }
      updateVod(ctx.db, ctx.vod.id, { parts_total: total });
      ctx.wake.notify();
    }
    ctx.progress.changed();
    return true;
  }

  /** A planner for the segments after the last recorded part (the stream key carried over from before it). */
  private startPlanner(segments: readonly SegmentRecord[]): IncrementalPlanner {
    const recorded = partsOf(this.ctx.db, this.ctx.vod.id);
    const lastPlanned = recorded[recorded.length - 1]?.last_segment ?? -1;
    this.next = 0;
    for (; this.next < segments.length && segments[this.next].idx <= lastPlanned; this.next++) this.streamKey = segments[this.next].stream_key ?? this.streamKey;
    const pending = segments.slice(this.next).map((s) => ({ index: s.idx, durationSec: s.duration }));
    return new IncrementalPlanner(this.ctx.rules, pending);
  }

  /** Records newly final parts after the last recorded one; returns the VOD's part count. */
  private record(parts: readonly PlannedPart[]): number {
    const { ctx } = this;
    const recorded = partsOf(ctx.db, ctx.vod.id);
    const last = recorded[recorded.length - 1];
    const offset = last ? last.idx : 0;
    if (parts.length === 0) return offset;
    // Read here, not kept: a re-plan may have renumbered the recorded parts.
    const start = last ? last.start_sec + last.duration : 0;
    for (const p of parts) insertPlannedPart(ctx.db, ctx.vod.id, { ...p, index: offset + p.index, startSec: start + p.startSec });
    ctx.wake.notify();
    return offset + parts.length;
  }

  /** Queues a build for each planned part of `parts` (the VOD's parts as stored now) not yet building. */
  scheduleBuilds(parts: readonly PartRecord[]): void {
    const { ctx } = this;
    for (const part of parts) {
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
    const records = ctx.segments.range(part.first_segment, part.last_segment);
    const inputs = records.map((s) => segmentPath(ctx.folder.segments, s.idx));
    mkdirSync(ctx.folder.parts, { recursive: true });
    const reserveBytes = ctx.settings().advanced.lowDiskGuardMB * 1_000_000;
    await waitForFreeSpace(ctx.folder.root, part.planned_bytes, { reserveBytes, free: ctx.disk.free, signal: ctx.signal, pollMs: ctx.disk.pollMs, onWait: ctx.disk.onWait });
    const output = partFile(ctx.folder, part.first_segment, part.last_segment);
    let job;
    try {
      const fmp4 = fmp4Rendition(ctx.db, ctx.vod.id, ctx.vod.generation);
      job = await buildPartAndThumbnail({
        segments: records.map((s, i) => ({ path: inputs[i], durationSec: s.duration })),
        initSegment: fmp4 ? await ensureInitSegment(fmp4, ctx.folder.segments, ctx.signal) : undefined,
        output,
        thumbnailOutput: thumbFile(ctx.folder, part.first_segment, part.last_segment),
        expectedDurationSec: part.duration,
        ceilingBytes: ctx.rules.ceilingBytes,
        chaptersFile: await partChaptersFile(ctx, part, livePhase(ctx.db, ctx.vod) === 'following'),
        ffmpegPath: needTool(ctx.tools, 'ffmpeg'),
        ffprobePath: needTool(ctx.tools, 'ffprobe'),
        signal: ctx.signal,
        // A part without a thumbnail still backs up; Telegram draws its own.
        onThumbnailError: (error) => log.warn(`VOD ${ctx.vod.id} part ${part.idx}: no thumbnail (${classify(error).message})`),
      });
    } catch (error) {
      if (!(error instanceof PartOverCeilingError)) throw error;
      return this.replan(part, error);
    }
    const { built, thumbnail } = job;
    const { bytes, durationSec, width, height } = built;
    updatePart(ctx.db, ctx.vod.id, part.idx, { state: 'built', bytes, duration: durationSec, width, height, path: output, thumb_path: thumbnail?.path ?? null });
    logOperation(ctx.db, ctx.vod.id, 'build', 'ok', { part: part.idx, bytes, durationSec });
    // The UI's copy of the thumbnail, kept under the data folder: the work folder goes once the VOD is posted.
    if (thumbnail) partThumbnail({ db: ctx.db, dataDir: ctx.dataDir, livePhrases: ctx.settings().vod.liveThumbnailPhrases }, ctx.vod.id, part.idx);
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
    const units: Unit[] = ctx.segments
      .range(part.first_segment, part.last_segment)
      .map((s) => ({ index: s.idx, bytes: s.bytes ?? 0, durationSec: s.duration, streamKey: s.stream_key ?? undefined }));
    const pieces = replanPart(units, ctx.rules, error.builtBytes);
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
 * Plans a broadcast still being recorded (or just ended): a part is final as soon as it is full or
 * its stream run ends, parts already planned never change (media/live-plan.ts).
 */
function planLive(ctx: VodContext): boolean {
  const segments = segmentsOf(ctx.db, ctx.vod.id);
  const recorded = partsOf(ctx.db, ctx.vod.id);
  const last = recorded[recorded.length - 1];
  const units = unitsAfter(segments, last?.last_segment ?? -1);
  const complete = segments.length > 0 && segments.every((s) => s.done) && livePhase(ctx.db, ctx.vod) !== 'following';
  let offset = last ? last.idx : 0;
  const start = last ? last.start_sec + last.duration : 0;
  if (units.length > 0) {
    const plan = planLiveAfter(units, recorded, ctx.rules, complete);
    for (const p of plan.parts) insertPlannedPart(ctx.db, ctx.vod.id, { ...p, index: offset + p.index, startSec: start + p.startSec });
    offset += plan.parts.length;
    if (plan.parts.length > 0) ctx.wake.notify();
  }
  if (complete) {
    updateVod(ctx.db, ctx.vod.id, { parts_total: offset });
    ctx.wake.notify();
  }
  ctx.progress.changed();
  return true;
}
