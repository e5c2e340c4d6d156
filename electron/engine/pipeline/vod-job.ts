import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import type PQueue from 'p-queue';
import { destinationKey, destinationsFor, type Destination } from '../../contract/settings';
import type { Engine } from '../core/engine';
import type { TelegramService } from '../core/telegram-service';
import type { TwitchService } from '../core/twitch-service';
import { ensureFreeSpace, estimateVodBytes } from '../download/disk';
import { resolveVodPlaylist } from '../download/resolve';
import { fetchSegments, segmentPath, type SegmentTask } from '../download/segments';
import { segmentSources } from '../download/playlist';
import { checkTsSegment } from '../download/segment-check';
import { buildPart, PartOverCeilingError } from '../media/build';
import { estimateMp4Bytes, planParts, replanPart, splitRules, type SplitRules, type Unit } from '../media/planner';
import { tsStreamSignature } from '../media/ts-signature';
import { makeThumbnail } from '../media/thumbnail';
import { nowIso } from '../store/database';
import { logOperation } from '../store/operations';
import { insertPlannedPart, partsOf, replacePartWithPieces, updatePart, type PartRecord } from '../store/parts';
import { markSegmentDone, saveSegmentList, segmentsOf, type SegmentRecord } from '../store/segments';
import { ensureUploads, markPosted, markSending, markUploadError, uploadsOf, type UploadKey } from '../store/uploads';
import { getVod, updateVod, type VodRecord } from '../store/vods';
import { renderCaption, CAPTION_LIMIT, CAPTION_LIMIT_PREMIUM, type StoredDocument, type UploadResume } from '../telegram';
import { findTool } from '../util/binaries';
import { EngineError, classify } from '../util/errors';
import { createLogger } from '../util/log';
import { copyPartToFolder, writeArchiveMetadata } from './folder-destination';
import { sleep } from '../util/sleep';
import { setMeta } from '../store/meta';
import { downloadAndCutWholeFile, isWholeFile, playlistKey } from './whole-file';
import type { Gate } from './sync';
import { partFile, removeVodFolder, thumbFile, vodFolder, type VodFolder } from './work-folder';

const log = createLogger('pipeline');

export interface JobDeps {
  engine: Engine;
  twitch: TwitchService;
  telegram: TelegramService;
  /** Shared across VODs: parts are built side by side on the available cores. */
  buildQueue: PQueue;
  /** One VOD downloads at a time; the next may download while this one uploads. */
  downloadSlot: Gate;
  /** One VOD uploads at a time, so parts reach each channel in order. */
  uploadSlot: Gate;
}

/**
 * Backs up one VOD: download -> plan -> build -> upload -> post -> clean up, with the stages
 * overlapping (part 1 uploads while later segments still download). Every step's outcome is
 * committed to SQLite before the next step starts, so a kill at any instant resumes from the last
 * committed step. Throws on failure; the scheduler classifies and schedules the retry.
 */
export class VodJob {
  private readonly engine: Engine;
  private readonly folder: VodFolder;
  private readonly abort = new AbortController();
  private readonly changed = new Notifier();
  private failure: unknown;
  private downloadComplete = false;
  /** The segment download failed before any part existed: yt-dlp fetched the whole file instead. */
  private wholeFile = false;
  private planComplete = false;
  private rules!: SplitRules;
  private premium = false;
  private destinations: Destination[] = [];
  private vod!: VodRecord;
  private lastProgressEmit = 0;

  constructor(
    private readonly deps: JobDeps,
    readonly vodId: string,
    outerSignal: AbortSignal,
  ) {
    this.engine = deps.engine;
    this.folder = vodFolder(this.engine.workDir(), vodId);
    outerSignal.addEventListener('abort', () => this.abort.abort(outerSignal.reason), { once: true });
    // Every queued build and every wait listens to this signal; dozens of parts are normal.
    setMaxListeners(1000, this.abort.signal);
  }

  private get db() {
    return this.engine.db;
  }

  private get signal() {
    return this.abort.signal;
  }

  async run(): Promise<void> {
    const vod = getVod(this.db, this.vodId);
    if (!vod) throw new EngineError('permanent', 'not_found', `VOD ${this.vodId} is not in the database.`);
    this.vod = vod;
    updateVod(this.db, this.vodId, { status: 'processing', stage: 'downloading', last_attempt: nowIso(), last_error: null, error_class: null });
    logOperation(this.db, this.vodId, 'process', 'started', { generation: vod.generation });
    this.engine.live.set(this.vodId, { parts: new Map() });
    this.engine.publishVod(this.vodId);
    try {
      await this.prepare();
      const download = this.download().then(
        () => {
          this.downloadComplete = true;
          this.plan();
        },
        (error: unknown) => this.fail(error),
      );
      await this.deliverAll();
      await download;
      if (this.failure) throw this.failure;
      this.finish();
    } catch (error) {
      this.fail(error);
      throw this.failure;
    } finally {
      this.engine.live.delete(this.vodId);
    }
  }

  cancel(reason: string): void {
    this.abort.abort(new EngineError('cancelled', 'cancelled', reason));
  }

  private fail(error: unknown): void {
    this.failure ??= error;
    if (!this.signal.aborted) this.abort.abort(error);
    this.changed.notify();
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure;
    if (this.signal.aborted) throw this.signal.reason ?? new EngineError('cancelled', 'cancelled', 'Cancelled.');
  }

  // ---------------------------------------------------------------- prepare

  private async prepare(): Promise<void> {
    const { settings } = this.engine;
    const refs = settings.twitch.channels.map((c) => c.channel);
    const channels = await this.deps.twitch.resolveChannels(refs, this.signal).catch(() => []);
    const ref = refs[channels.findIndex((c) => c.id === this.vod.channel_id)] ?? refs[0] ?? '';
    this.destinations = destinationsFor(settings, ref);
    if (this.destinations.length === 0) throw new EngineError('permanent', 'no_destination', 'No destination is configured for this channel.');
    const needsTelegram = this.destinations.some((d) => d.kind === 'telegram');
    this.premium = needsTelegram ? await this.deps.telegram.premium() : false;
    this.rules = splitRules(settings.split, this.premium);
    mkdirSync(this.folder.segments, { recursive: true });
    mkdirSync(this.folder.parts, { recursive: true });
    this.repairMissingFiles();

    this.wholeFile = isWholeFile(this.db, this.vodId, this.vod.generation);
    if (segmentsOf(this.db, this.vodId).length === 0) {
      const ytDlp = this.ytDlp();
      const resolved = await resolveVodPlaylist({
        vodId: this.vodId,
        endpoints: settings.advanced.twitch,
        quality: settings.vod.qualities,
        playbackToken: this.engine.secrets.twitchPlaybackToken,
        ytDlpPath: ytDlp?.path,
        signal: this.signal,
      });
      for (const warning of resolved.warnings) log.warn(`VOD ${this.vodId}: ${warning}`);
      if (!resolved.playlist.ended) {
        throw new EngineError('transient', 'still_live', `VOD ${this.vodId} is still being broadcast; it will be backed up once it ends.`);
      }
      const bytes = estimateVodBytes(resolved.variant.bandwidth, resolved.playlist.totalSec);
      await this.checkDisk(bytes);
      this.db.transaction(() => {
        saveSegmentList(
          this.db,
          this.vodId,
          resolved.playlist.segments.map((s) => ({ index: s.index, uri: s.url, durationSec: s.durationSec, muted: s.muted })),
        );
        updateVod(this.db, this.vodId, { quality: resolved.variant.name });
        // Kept for the whole-file fallback, which hands yt-dlp the same media playlist.
        setMeta(this.db, playlistKey(this.vodId, this.vod.generation), resolved.mediaPlaylistUrl);
      })();
      logOperation(this.db, this.vodId, 'resolve', 'ok', { variant: resolved.variant.name, segments: resolved.playlist.segments.length, via: resolved.via });
    }
  }

  /** Files can vanish between runs (a user cleaning up, a crash mid-rename): fetch or build them again. */
  private repairMissingFiles(): void {
    const segments = segmentsOf(this.db, this.vodId);
    const parts = partsOf(this.db, this.vodId);
    const reset = this.db.prepare(`UPDATE segments SET done = 0, bytes = NULL WHERE vod_id = ? AND idx = ?`);
    this.db.transaction(() => {
      for (const p of parts) {
        if (p.state === 'built' && (!p.path || !existsSync(p.path))) {
          updatePart(this.db, this.vodId, p.idx, { state: 'planned', path: null, thumb_path: null, bytes: null });
          p.state = 'planned';
        }
      }
      for (const s of segments) {
        const owner = parts.find((p) => s.idx >= p.first_segment && s.idx <= p.last_segment);
        const needed = !owner || owner.state === 'planned';
        if (s.done && needed && !existsSync(segmentPath(this.folder.segments, s.idx))) reset.run(this.vodId, s.idx);
      }
    })();
  }

  private async checkDisk(neededBytes: number): Promise<void> {
    const guard = this.engine.settings.advanced.lowDiskGuardMB * 1_000_000;
    mkdirSync(this.folder.root, { recursive: true });
    await ensureFreeSpace(this.folder.root, neededBytes, { reserveBytes: guard });
  }

  // ---------------------------------------------------------------- download

  private async download(): Promise<void> {
    const segments = segmentsOf(this.db, this.vodId);
    const done = new Set(segments.filter((s) => s.done).map((s) => s.idx));
    if (done.size === segments.length && !this.wholeFile) return;
    await this.deps.downloadSlot.acquire(this.signal);
    try {
      if (this.wholeFile) return await this.runWholeFile('resumed');
      this.setStage('downloading');
      const { settings } = this.engine;
      const tasks: SegmentTask[] = segments.map((s) => ({ index: s.idx, durationSec: s.duration, ...sourcesOf(s, this.vod.created_at) }));
      await fetchSegments({
        dir: this.folder.segments,
        segments: tasks,
        concurrency: settings.vod.downloadConcurrency,
        bandwidthCapBps: settings.vod.bandwidthCapMBps > 0 ? settings.vod.bandwidthCapMBps * 1_000_000 : undefined,
        // No Authorization header: segments come from the CDN, which needs none (the token only unlocks the playlist).
        isSegmentDone: (index) => done.has(index),
        onSegmentDone: async (d) => {
          const head = await checkTsSegment(d.path, d.index, d.bytes);
          markSegmentDone(this.db, this.vodId, d.index, d.bytes, tsStreamSignature(head) ?? null);
          done.add(d.index);
        },
        onContiguous: () => this.plan(),
        onProgress: (progress) => {
          const live = this.engine.live.get(this.vodId);
          if (live) live.download = progress;
          this.engine.bus.emit('download.progress', { vodId: this.vodId, progress });
        },
        signal: this.signal,
      }).catch(async (error: unknown) => {
        // Last resort, only while no part exists yet (parts cut from segments and from a whole
        // file would not line up): yt-dlp downloads the whole VOD instead.
        const info = classify(error);
        const ytDlp = this.ytDlp();
        if (['cancelled', 'disk', 'login'].includes(info.errorClass) || !ytDlp || this.signal.aborted || partsOf(this.db, this.vodId).length > 0) throw error;
        this.wholeFile = true;
        await this.runWholeFile(info.message);
      });
      if (!this.wholeFile) logOperation(this.db, this.vodId, 'download', 'ok', { segments: segments.length });
    } finally {
      this.deps.downloadSlot.release();
    }
  }

  private ytDlp() {
    const { settings } = this.engine;
    return findTool('yt-dlp', { overrides: { 'yt-dlp': settings.advanced.tools.ytDlp || undefined }, resourcesDir: this.engine.paths.resourcesDir || undefined });
  }

  private async runWholeFile(cause: string): Promise<void> {
    const { settings } = this.engine;
    const ytDlp = this.ytDlp();
    if (!ytDlp) throw new EngineError('permanent', 'yt_dlp_missing', 'yt-dlp is needed to finish this VOD (it was switched to a whole-file download) but was not found.');
    await this.checkDisk(2 * this.vod.duration * 1_000_000); // rough: the file and its parts side by side
    this.setStage('downloading');
    await downloadAndCutWholeFile(
      {
        db: this.db,
        vodId: this.vodId,
        generation: this.vod.generation,
        folder: this.folder,
        rules: this.rules,
        ytDlpPath: ytDlp.path,
        ffmpegPath: settings.advanced.tools.ffmpeg || undefined,
        concurrency: settings.vod.downloadConcurrency,
        rateLimitBps: settings.vod.bandwidthCapMBps > 0 ? settings.vod.bandwidthCapMBps * 1_000_000 : undefined,
        expectedDurationSec: segmentsOf(this.db, this.vodId).reduce((sum, s) => sum + s.duration, 0),
        signal: this.signal,
        onProgress: (progress) => {
          const live = this.engine.live.get(this.vodId);
          if (live) live.download = progress;
          this.engine.bus.emit('download.progress', { vodId: this.vodId, progress });
        },
      },
      cause,
    );
    this.planComplete = true;
    this.engine.publishVod(this.vodId);
    this.changed.notify();
  }

  // ---------------------------------------------------------------- plan and build

  /**
   * Plans the parts that are final given the segments on disk so far (all of them once the
   * download is complete). Parts already recorded are never re-planned: planning continues after
   * the last recorded one, so a restart reproduces the same cut.
   */
  private plan(): void {
    if (this.wholeFile || this.planComplete || this.failure) return;
    const segments = segmentsOf(this.db, this.vodId);
    const recorded = partsOf(this.db, this.vodId);
    const last = recorded[recorded.length - 1];
    const units: Unit[] = [];
    let streamKey: string | undefined;
    for (const s of segments) {
      // A segment whose signature could not be read keeps its predecessor's (no spurious cut).
      streamKey = s.stream_key ?? streamKey;
      if (last && s.idx <= last.last_segment) continue;
      if (!s.done || s.bytes === null) break;
      units.push({ index: s.idx, bytes: s.bytes, durationSec: s.duration, streamKey });
    }
    const complete = this.downloadComplete;
    let offset = last ? last.idx : 0;
    const start = last ? last.start_sec + last.duration : 0;
    if (units.length > 0) {
      let plan;
      try {
        plan = complete ? planParts(units, this.rules, { complete: true }) : this.planEarly(units, segments);
      } catch (error) {
        this.fail(error);
        return;
      }
      for (const p of plan.parts) {
        insertPlannedPart(this.db, this.vodId, { ...p, index: offset + p.index, startSec: start + p.startSec });
      }
      if (plan.dropped) {
        log.warn(`VOD ${this.vodId}: dropped the last ${plan.dropped.durationSec.toFixed(1)} s (shorter than split.dropSegmentThresholdSec and the previous part is full)`);
        logOperation(this.db, this.vodId, 'drop-tail', 'info', plan.dropped);
      }
      offset += plan.parts.length;
    }
    if (complete) {
      this.planComplete = true;
      updateVod(this.db, this.vodId, { parts_total: offset });
    }
    this.scheduleBuilds();
    this.engine.publishVod(this.vodId);
    this.changed.notify();
  }

  /**
   * Parts that are final while the download still runs. The planner alone must wait until two
   * ceilings follow a part (only the last two parts are balanced, and it cannot know where the end
   * is). The playlist does know: every segment's duration is listed. So the rest of the VOD is
   * estimated from the bitrate so far, and a full part that is not one of the last two of that
   * estimated plan is final at once (greedy parts do not depend on what follows them). Part 1 can
   * then upload after about one ceiling of download instead of two.
   */
  private planEarly(units: Unit[], segments: SegmentRecord[]): { parts: ReturnType<typeof planParts>['parts']; dropped: null } {
    const sure = planParts(units, this.rules, { complete: false }).parts;
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
      const full = planParts([...units, ...rest], this.rules, { complete: true }).parts;
      // A part ending on the newest unit might still grow: the next unit's real size decides.
      estimated = full.filter((p) => p.index <= full.length - 2 && p.lastUnit < lastDone);
    } catch {
      // An estimated unit too big on its own: fall back to what is certain.
    }
    return { parts: estimated.length > sure.length ? estimated : sure, dropped: null };
  }

  private readonly building = new Set<number>();

  private scheduleBuilds(): void {
    if (this.wholeFile) return; // the whole-file path cuts every part in one run
    for (const part of partsOf(this.db, this.vodId)) {
      if (part.state !== 'planned' || this.building.has(part.idx)) continue;
      this.building.add(part.idx);
      void this.deps.buildQueue
        .add(() => this.build(part), { signal: this.signal })
        .catch((error: unknown) => {
          if (!this.signal.aborted) this.fail(error);
        })
        .finally(() => {
          this.building.delete(part.idx);
          // A re-plan may have put new pieces at this index.
          if (!this.signal.aborted) this.scheduleBuilds();
        });
    }
  }

  private async build(part: PartRecord): Promise<void> {
    this.throwIfFailed();
    this.setPartLive(part.idx, { build: 'active' });
    const { settings } = this.engine;
    const tools = { ffmpegPath: settings.advanced.tools.ffmpeg || undefined, ffprobePath: settings.advanced.tools.ffprobe || undefined };
    const inputs = segmentsOf(this.db, this.vodId)
      .filter((s) => s.idx >= part.first_segment && s.idx <= part.last_segment)
      .map((s) => segmentPath(this.folder.segments, s.idx));
    await this.checkDisk(part.planned_bytes);
    const output = partFile(this.folder, part.first_segment, part.last_segment);
    let built;
    try {
      built = await buildPart({ inputs, output, expectedDurationSec: part.duration, ceilingBytes: this.rules.ceilingBytes, signal: this.signal, ...tools });
    } catch (error) {
      if (!(error instanceof PartOverCeilingError)) throw error;
      return this.replan(part, error);
    }
    const thumb = thumbFile(this.folder, part.first_segment, part.last_segment);
    const thumbnail = await makeThumbnail({ input: output, output: thumb, durationSec: built.durationSec, signal: this.signal, ...tools }).catch((error: unknown) => {
      // A part without a thumbnail still backs up; Telegram draws its own.
      log.warn(`VOD ${this.vodId} part ${part.idx}: no thumbnail (${classify(error).message})`);
      return null;
    });
    updatePart(this.db, this.vodId, part.idx, {
      state: 'built',
      bytes: built.bytes,
      duration: built.durationSec,
      width: built.width,
      height: built.height,
      path: output,
      thumb_path: thumbnail?.path ?? null,
    });
    logOperation(this.db, this.vodId, 'build', 'ok', { part: part.idx, bytes: built.bytes, durationSec: built.durationSec });
    // The part is on disk and recorded: its segments are no longer needed.
    for (const path of inputs) rmSync(path, { force: true });
    this.setPartLive(part.idx, { build: 'done' });
    this.engine.publishVod(this.vodId);
    this.changed.notify();
  }

  private replans = 0;

  /** The size estimate was off: cut this part's segments again into smaller parts (bounded, logged). */
  private replan(part: PartRecord, error: PartOverCeilingError): void {
    rmSync(error.output, { force: true });
    if (++this.replans > this.engine.settings.split.maxRetriesSplit) {
      throw new EngineError('permanent', 'replan_limit', `VOD ${this.vodId}: parts kept coming out over the size limit (${this.replans - 1} re-plans).`);
    }
    const units: Unit[] = segmentsOf(this.db, this.vodId)
      .filter((s) => s.idx >= part.first_segment && s.idx <= part.last_segment)
      .map((s) => ({ index: s.idx, bytes: s.bytes ?? 0, durationSec: s.duration, streamKey: s.stream_key ?? undefined }));
    const estimated = estimateMp4Bytes(part.planned_bytes, part.duration, this.rules);
    const pieces = replanPart(units, this.rules, error.builtBytes, estimated);
    replacePartWithPieces(this.db, this.vodId, part.idx, pieces, part.start_sec);
    log.warn(`VOD ${this.vodId} part ${part.idx} came out at ${error.builtBytes} bytes, over the ceiling of ${this.rules.ceilingBytes}: re-planned into ${pieces.length} parts`);
    logOperation(this.db, this.vodId, 'replan', 'info', { part: part.idx, builtBytes: error.builtBytes, pieces: pieces.length });
    this.scheduleBuilds();
    this.changed.notify();
  }

  // ---------------------------------------------------------------- deliver

  /**
   * Two loops in part order: uploads start as soon as a part is built (while later segments still
   * download), posts wait until the plan is complete, because every caption says "Part k/N". Posting
   * is one cheap request per destination; uploading is what takes the time, and it overlaps.
   */
  private async deliverAll(): Promise<void> {
    let holdsUploadSlot = false;
    const takeSlot = async () => {
      if (holdsUploadSlot) return;
      holdsUploadSlot = true;
      await this.deps.uploadSlot.acquire(this.signal).catch((error: unknown) => {
        holdsUploadSlot = false;
        throw error;
      });
    };
    const needsUpload = this.destinations.some((d) => d.kind === 'telegram');
    try {
      const uploads = (async () => {
        if (!needsUpload) return;
        for (let index = 1; ; index++) {
          const part = await this.waitForPart(index, (p) => p.state !== 'planned');
          if (!part) return;
          await takeSlot();
          if (part.state === 'built' && this.hasPendingTelegramPost(part)) await this.ensureDocument(part);
        }
      })();
      const posts = (async () => {
        for (let index = 1; ; index++) {
          const part = await this.waitForPart(index, (p) => this.planComplete && (needsUpload ? p.state === 'uploaded' || p.state === 'posted' : p.state !== 'planned'));
          if (!part) return;
          await takeSlot();
          await this.deliver(part);
        }
      })();
      await Promise.all([uploads.catch((error: unknown) => this.fail(error)), posts.catch((error: unknown) => this.fail(error))]);
      this.throwIfFailed();
    } finally {
      if (holdsUploadSlot) this.deps.uploadSlot.release();
    }
  }

  /** Resolves with part `index` once `ready` holds for it, or undefined after the last part. */
  private async waitForPart(index: number, ready: (part: PartRecord) => boolean): Promise<PartRecord | undefined> {
    for (;;) {
      this.throwIfFailed();
      const part = partsOf(this.db, this.vodId).find((p) => p.idx === index);
      if (part && ready(part)) return part;
      if (!part && this.planComplete) return undefined;
      await this.changed.wait(this.signal);
    }
  }

  private hasPendingTelegramPost(part: PartRecord): boolean {
    const posted = new Set(
      uploadsOf(this.db, this.vodId, this.vod.generation)
        .filter((u) => u.part_idx === part.idx && u.state === 'posted')
        .map((u) => u.destination),
    );
    return this.destinations.some((d) => d.kind === 'telegram' && !posted.has(destinationKey(d)));
  }

  private async deliver(part: PartRecord): Promise<void> {
    const { generation } = this.vod;
    const keys = this.destinations.map(destinationKey);
    ensureUploads(this.db, this.vodId, generation, part.idx, keys);
    const pending = () => uploadsOf(this.db, this.vodId, generation).filter((u) => u.part_idx === part.idx && u.state !== 'posted');
    if (part.state === 'posted' || pending().length === 0) return this.partDelivered(part);
    this.setStage('posting');
    const total = getVod(this.db, this.vodId)?.parts_total ?? null;
    for (const dest of this.destinations) {
      const key = destinationKey(dest);
      const row = pending().find((u) => u.destination === key);
      if (!row) continue;
      this.throwIfFailed();
      const uploadKey: UploadKey = { vodId: this.vodId, generation, partIdx: part.idx, destination: key };
      try {
        if (dest.kind === 'folder') {
          const path = await copyPartToFolder(dest, this.vod, part.idx, part.path as string, part.thumb_path);
          markPosted(this.db, uploadKey, null, path);
          this.writeFolderMetadata(dest);
        } else {
          const doc = await this.ensureDocument(part);
          const randomId = row.random_id ?? BigInt.asIntN(64, BigInt(`0x${randomBytes(8).toString('hex')}`)).toString();
          markSending(this.db, uploadKey, randomId);
          const caption = this.caption(part, total);
          const conn = await this.deps.telegram.connection();
          const result = await conn.post(doc, { chat: dest.chatId, topicId: dest.topicId }, caption, { randomId }).catch(async (error: unknown) => {
            const info = classify(error);
            // The same random id was already delivered: the earlier attempt posted it.
            if (info.code === 'RANDOM_ID_DUPLICATE') return { messageId: null, link: undefined };
            if (info.code === 'FILE_REFERENCE_EXPIRED') {
              updatePart(this.db, this.vodId, part.idx, { document: null, upload_resume: null });
              const fresh = await this.ensureDocument({ ...part, document: null, upload_resume: null });
              return conn.post(fresh, { chat: dest.chatId, topicId: dest.topicId }, caption, { randomId });
            }
            throw error;
          });
          markPosted(this.db, uploadKey, result.messageId, result.link ?? null);
        }
        logOperation(this.db, this.vodId, 'post', 'ok', { part: part.idx, destination: key });
      } catch (error) {
        markUploadError(this.db, uploadKey, classify(error).message);
        throw error;
      }
      this.engine.publishVod(this.vodId);
      if (this.engine.settings.telegram.postDelaySec > 0) await sleep(this.engine.settings.telegram.postDelaySec * 1000, this.signal);
    }
    this.partDelivered(part);
  }

  private partDelivered(part: PartRecord): void {
    updatePart(this.db, this.vodId, part.idx, { state: 'posted' });
    for (const path of [part.path, part.thumb_path]) if (path) rmSync(path, { force: true });
    this.engine.publishVod(this.vodId);
  }

  /** Uploads the part once (resuming acknowledged chunks) and stores the document for every destination. */
  private async ensureDocument(part: PartRecord): Promise<StoredDocument> {
    const current = partsOf(this.db, this.vodId).find((p) => p.idx === part.idx);
    if (current?.document) return JSON.parse(current.document) as StoredDocument;
    const conn = await this.deps.telegram.connection();
    const resume = current?.upload_resume ? (JSON.parse(current.upload_resume) as UploadResume) : undefined;
    const name = `${this.vodId}-part${String(part.idx).padStart(2, '0')}.mp4`;
    this.setPartLive(part.idx, { upload: 'active', uploadProgress: 0 });
    const file = await conn.upload({
      path: part.path as string,
      name,
      resume,
      inFlight: this.engine.settings.telegram.uploadConcurrency,
      premium: this.premium,
      signal: this.signal,
      onPartAcked: (state) => updatePart(this.db, this.vodId, part.idx, { upload_resume: JSON.stringify(state) }),
      onProgress: (p) => this.setPartLive(part.idx, { upload: 'active', uploadProgress: p.fraction, uploadSpeedBps: p.speedBps }),
      onFloodWait: (seconds) => log.warn(`Telegram asked to wait ${seconds} s during the upload of VOD ${this.vodId} part ${part.idx}`),
    });
    const doc = await conn.uploadMedia(
      file,
      { durationSec: current?.duration ?? part.duration, width: current?.width ?? 0, height: current?.height ?? 0, fileName: name, thumbPath: current?.thumb_path ?? undefined },
      this.signal,
    );
    updatePart(this.db, this.vodId, part.idx, { state: 'uploaded', document: JSON.stringify(doc) });
    logOperation(this.db, this.vodId, 'upload', 'ok', { part: part.idx, bytes: file.size, resumed: file.resumed });
    this.setPartLive(part.idx, { upload: 'done', uploadProgress: 1 });
    return doc;
  }

  private caption(part: PartRecord, total: number | null): string {
    const t = this.engine.settings.telegram;
    return renderCaption(
      {
        title: this.vod.title,
        channel: this.vod.channel_name,
        createdAt: this.vod.created_at,
        part: part.idx,
        parts: total ?? part.idx,
        durationSec: part.duration,
        url: this.vod.url,
      },
      { template: t.captionTemplate, dateFormat: t.dateFormat, timeZone: t.timeZone, limit: this.premium ? CAPTION_LIMIT_PREMIUM : CAPTION_LIMIT },
    );
  }

  private writeFolderMetadata(dest: Extract<Destination, { kind: 'folder' }>): void {
    const vod = getVod(this.db, this.vodId) ?? this.vod;
    const uploads = uploadsOf(this.db, this.vodId, vod.generation);
    writeArchiveMetadata(dest, vod, {
      vod: { id: vod.id, title: vod.title, channel: vod.channel_name, channelId: vod.channel_id, createdAt: vod.created_at, durationSec: vod.duration, url: vod.url },
      parts: partsOf(this.db, this.vodId)
        .filter((p) => uploads.some((u) => u.part_idx === p.idx && u.destination === destinationKey(dest) && u.state === 'posted'))
        .map((p) => ({
          index: p.idx,
          file: `part-${String(p.idx).padStart(2, '0')}.mp4`,
          bytes: p.bytes,
          durationSec: p.duration,
          startSec: p.start_sec,
          messages: uploads.filter((u) => u.part_idx === p.idx && u.state === 'posted').map((u) => ({ destination: u.destination, link: u.link })),
        })),
      partsTotal: vod.parts_total,
      updatedAt: nowIso(),
    });
  }

  // ---------------------------------------------------------------- finish

  private finish(): void {
    const vod = getVod(this.db, this.vodId);
    const parts = partsOf(this.db, this.vodId);
    const uploads = uploadsOf(this.db, this.vodId, vod?.generation ?? 0);
    const allPosted = parts.length > 0 && parts.every((p) => p.state === 'posted') && uploads.every((u) => u.state === 'posted');
    if (!allPosted) throw new EngineError('transient', 'incomplete', `VOD ${this.vodId}: not every part reached every destination; retrying.`);
    for (const dest of this.destinations) if (dest.kind === 'folder') this.writeFolderMetadata(dest);
    updateVod(this.db, this.vodId, { status: 'completed', stage: 'done', retries: 0, next_retry: null, last_error: null, error_class: null });
    logOperation(this.db, this.vodId, 'process', 'ok', { parts: parts.length, destinations: this.destinations.length });
    removeVodFolder(this.engine.workDir(), this.vodId);
    this.engine.publishVod(this.vodId);
    this.engine.notice({ kind: 'vodCompleted', title: 'VOD backed up', body: `${this.vod.title} (${parts.length} part${parts.length === 1 ? '' : 's'})`, vodId: this.vodId });
    log.info(`VOD ${this.vodId} backed up: ${parts.length} parts to ${this.destinations.length} destinations`);
  }

  // ---------------------------------------------------------------- progress

  private setStage(stage: VodRecord['stage']): void {
    const current = getVod(this.db, this.vodId);
    if (current && current.stage !== stage) {
      updateVod(this.db, this.vodId, { stage });
      this.engine.publishVod(this.vodId);
    }
  }

  private setPartLive(index: number, patch: { build?: 'active' | 'done'; upload?: 'active' | 'done'; uploadProgress?: number; uploadSpeedBps?: number }): void {
    const live = this.engine.live.get(this.vodId);
    if (!live) return;
    live.parts.set(index, { ...live.parts.get(index), ...patch });
    const now = Date.now();
    // Upload progress comes per 512 KiB chunk; a few updates a second are plenty for a progress bar.
    if (patch.upload === 'active' && patch.uploadProgress !== 0 && now - this.lastProgressEmit < 250) return;
    this.lastProgressEmit = now;
    const row = this.engine.publishVodQuietly(this.vodId);
    const part = row?.parts.find((p) => p.index === index);
    if (part) this.engine.bus.emit('part.progress', { vodId: this.vodId, part });
  }
}

function sourcesOf(s: SegmentRecord, createdAt: string): { url: string; fallbackUrl?: string } {
  const unmutedUrl = s.muted ? s.uri.replace(/-muted\.ts(\?|$)/, '.ts$1') : undefined;
  return segmentSources({ index: s.idx, url: s.uri, unmutedUrl, muted: Boolean(s.muted), durationSec: s.duration }, createdAt);
}

/** Wakes every waiter on `notify`; waiters re-check their condition (no lost wake-ups: they loop). */
class Notifier {
  private waiters: Array<() => void> = [];

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
      // Re-check periodically too: cheap insurance against a missed notify.
      setTimeout(done, 1000).unref?.();
    });
  }
}
