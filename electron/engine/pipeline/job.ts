import { existsSync, mkdirSync } from 'node:fs';
import { setMaxListeners } from 'node:events';
import { destinationsFor, type LiveMode, type Settings } from '../../contract/settings';
import { deliveryTargets } from '../destinations';
import { freeBytes } from '../download/disk';
import { segmentPath } from '../download/segments';
import { splitRules } from '../media/planner';
import { nowIso } from '../store/database';
import { logOperation } from '../store/operations';
import { partsOf, updatePart } from '../store/parts';
import { markSegmentMissing, segmentsOf } from '../store/segments';
import { uploadsOf } from '../store/uploads';
import { getVod, updateVod, type VodRecord } from '../store/vods';
import { TelegramPublisher } from '../telegram/publish';
import { vodStillProcessing } from '../twitch/live-status';
import { EngineError } from '../util/errors';
import { createLogger } from '../util/log';
import { Notifier, type DiskWatch, type Slots, type VodContext } from './context';
import type { EnginePort, TelegramPort, ToolsPort, TwitchPort } from './ports';
import { finishLive } from './live-finish';
import { DEFAULT_LIVE_MODE } from './live-mode';
import { beginLiveCapture } from './live-state';
import { progressSink } from './progress';
import { SegmentBook } from './segment-book';
import { cutStage } from './stages/cut';
import { deliverStage } from './stages/deliver';
import { fetchStage } from './stages/fetch';
import { applyPartLimit } from './limit-change';
import { completedFromLocalCopy, failureWithSourceGone } from './source-gone';
import { removeVodFolder, vodFolder } from './work-folder';

const log = createLogger('pipeline');
/** How often a VOD waiting for disk space looks again. */
const DISK_POLL_MS = 30_000;

export interface JobDeps {
  engine: EnginePort;
  twitch: TwitchPort;
  telegram: TelegramPort;
  tools: ToolsPort;
  slots: Slots;
}

/**
 * The per-VOD conductor: builds the attempt's immutable context, runs the three stages side by
 * side (fetch -> segments in the store -> cut -> parts in the store -> deliver -> posts in the
 * store), and finishes the VOD. Every step's outcome is committed to SQLite before the next step
 * starts, so a kill at any instant resumes from the last committed step. Throws on failure; the
 * scheduler classifies and schedules the retry.
 */
export class VodJob {
  private readonly abort = new AbortController();

  constructor(
    private readonly deps: JobDeps,
    readonly vodId: string,
    outerSignal: AbortSignal,
  ) {
    const forward = () => this.abort.abort(outerSignal.reason);
    if (outerSignal.aborted) forward();
    else outerSignal.addEventListener('abort', forward, { once: true });
    // Every queued build and every wait listens to this signal; dozens of parts are normal.
    setMaxListeners(1000, this.abort.signal);
  }

  cancel(reason: string): void {
    this.abort.abort(new EngineError('cancelled', 'cancelled', reason));
  }

  async run(): Promise<void> {
    const { engine } = this.deps;
    const db = engine.db;
    const vod = getVod(db, this.vodId);
    if (!vod) throw new EngineError('permanent', 'not_found', `VOD ${this.vodId} is not in the database.`);
    // A broadcast whose channel waits for the end stays `live` (no attempt starts); others become a live capture.
    if (vod.status === 'live') beginLiveCapture(db, vod, liveModeOf(engine.settings, await this.channelOf(vod, engine.settings)));
    updateVod(db, this.vodId, { status: 'processing', stage: 'downloading', last_attempt: nowIso(), last_error: null, error_class: null });
    logOperation(db, this.vodId, 'process', 'started', { generation: vod.generation });
    engine.live.set(this.vodId, { parts: new Map() });
    engine.publishVod(this.vodId);
    try {
      const ctx = await this.context(vod);
      repairMissingFiles(ctx);
      applyPartLimit(ctx);
      // A stage that fails stops the others: the first failure is the attempt's reason.
      const stage = (run: (c: VodContext) => Promise<void>) =>
        run(ctx).catch((error: unknown) => {
          if (!this.abort.signal.aborted) this.abort.abort(error);
          throw this.abort.signal.reason ?? error;
        });
      const results = await Promise.allSettled([stage(fetchStage), stage(cutStage), stage(deliverStage)]);
      if (this.abort.signal.aborted) throw this.abort.signal.reason;
      const failed = results.find((r) => r.status === 'rejected');
      if (failed) throw failed.reason;
      await finishLive(ctx);
      await finish(ctx);
      removeVodFolder(engine.workDir(), vod.id);
      engine.publishVod(vod.id);
      const n = partsOf(db, vod.id).length;
      const note = completedFromLocalCopy(db, vod.id);
      engine.notice({ kind: 'vodCompleted', title: 'VOD backed up', body: `${vod.title} (${n} part${n === 1 ? '' : 's'})${note ? `. ${note}` : ''}`, vodId: vod.id });
    } catch (error) {
      throw failureWithSourceGone(db, vod.id, error);
    } finally {
      engine.live.delete(this.vodId);
    }
  }

  private async context(vod: VodRecord): Promise<VodContext> {
    const { engine, telegram, tools } = this.deps;
    const settings = engine.settings;
    const channel = await this.channelOf(vod, settings);
    const destinations = destinationsFor(settings, channel);
    if (destinations.length === 0) throw new EngineError('permanent', 'no_destination', 'No destination is configured for this channel.');
    // Read when the attempt's parts are planned: buying (or losing) Premium applies to the next VOD attempt.
    const premium = destinations.some((d) => d.kind === 'telegram') ? await telegram.premium() : false;
    const folder = vodFolder(engine.workDir(), vod.id);
    mkdirSync(folder.segments, { recursive: true });
    mkdirSync(folder.parts, { recursive: true });
    const signal = this.abort.signal;
    let publisher: TelegramPublisher | undefined;
    const telegramPublisher = () =>
      (publisher ??= new TelegramPublisher(() => telegram.connection(), { premium, inFlight: () => engine.settings.telegram.uploadConcurrency, signal }));
    return Object.freeze({
      db: engine.db,
      vod,
      rules: splitRules(settings.split, premium),
      premium,
      destinations: deliveryTargets(destinations, { telegram: telegramPublisher }),
      tools: tools.current(),
      folder,
      signal,
      progress: progressSink(engine, vod.id),
      slots: this.deps.slots,
      settings: (): Settings => engine.settings,
      twitchPlaybackToken: () => engine.secrets.twitchPlaybackToken,
      wake: new Notifier(),
      segments: new SegmentBook(engine.db, vod.id),
      dataDir: engine.paths.dataDir,
      disk: diskWatch(engine, vod),
      liveMode: liveModeOf(settings, channel),
      stillLive: (s?: AbortSignal) => vodStillProcessing(this.deps.twitch.helix(), vod.id, engine.settings.vod.liveThumbnailPhrases, s),
    });
  }

  /**
   * The configured channel this VOD belongs to, matched by the VOD's channel id. A VOD whose
   * channel is no longer configured is never posted to another channel's destinations.
   */
  private async channelOf(vod: VodRecord, settings: Settings): Promise<string> {
    const refs = settings.twitch.channels.map((c) => c.channel);
    const channels = await this.deps.twitch.resolveChannels(refs, this.abort.signal);
    const index = channels.findIndex((c) => c?.id === vod.channel_id);
    if (index < 0) {
      throw new EngineError(
        'permanent',
        'channel_unknown',
        `VOD ${vod.id} belongs to the channel ${vod.channel_name || vod.channel_id || '(unknown)'}, which is not among the configured channels; it is not posted anywhere. Add the channel under Settings > Channels, then Retry now.`,
      );
    }
    return refs[index];
  }
}

/** Free space through the engine (one place to ask, and to fake in tests); a wait shows on the VOD and as a notice. */
function diskWatch(engine: EnginePort, vod: VodRecord): DiskWatch {
  return {
    free: async (dir) => engine.diskFreeBytes() ?? freeBytes(dir),
    pollMs: engine.diskPollMs ?? DISK_POLL_MS,
    onWait: (message) => {
      if (message) log.warn(`VOD ${vod.id}: ${message}`);
      else log.info(`VOD ${vod.id}: enough disk space again, going on`);
      updateVod(engine.db, vod.id, { last_error: message, error_class: message ? 'disk' : null, error_code: message ? 'insufficient_space' : null });
      if (message) engine.notice({ kind: 'lowDisk', title: 'Not enough disk space', body: `${vod.title}: ${message}`, vodId: vod.id });
      engine.publishVod(vod.id);
    },
  };
}

function liveModeOf(settings: Settings, channel: string): LiveMode {
  return settings.twitch.channels.find((c) => c.channel === channel)?.liveMode ?? DEFAULT_LIVE_MODE;
}

/** Files can vanish between runs (a user cleaning up, a crash mid-rename): fetch or build them again. */
function repairMissingFiles(ctx: VodContext): void {
  const { db, vod, folder } = ctx;
  const parts = partsOf(db, vod.id);
  db.transaction(() => {
    for (const p of parts) {
      if (p.state === 'built' && (!p.path || !existsSync(p.path))) {
        updatePart(db, vod.id, p.idx, { state: 'planned', path: null, thumb_path: null, bytes: null });
        p.state = 'planned';
      }
    }
    for (const s of segmentsOf(db, vod.id)) {
      const owner = parts.find((p) => s.idx >= p.first_segment && s.idx <= p.last_segment);
      const needed = !owner || owner.state === 'planned';
      if (s.done && needed && !existsSync(segmentPath(folder.segments, s.idx))) markSegmentMissing(db, vod.id, s.idx);
    }
  })();
}

async function finish(ctx: VodContext): Promise<void> {
  const { db, vod } = ctx;
  const parts = partsOf(db, vod.id);
  const uploads = uploadsOf(db, vod.id, vod.generation);
  const allPosted = parts.length > 0 && parts.every((p) => p.state === 'posted') && uploads.every((u) => u.state === 'posted');
  if (!allPosted) throw new EngineError('transient', 'incomplete', `VOD ${vod.id}: not every part reached every destination; retrying.`);
  const job = { db, vod, premium: ctx.premium, settings: ctx.settings, signal: ctx.signal, onUploadProgress: () => {} };
  for (const target of ctx.destinations) await target.afterPart?.(job);
  updateVod(db, vod.id, { status: 'completed', stage: 'done', retries: 0, next_retry: null, last_error: null, error_class: null });
  logOperation(db, vod.id, 'process', 'ok', { parts: parts.length, destinations: ctx.destinations.length });
  log.info(`VOD ${vod.id} backed up: ${parts.length} parts to ${ctx.destinations.length} destinations`);
}
