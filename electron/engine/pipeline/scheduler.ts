import PQueue from 'p-queue';
import { availableParallelism } from 'node:os';
import type { ChannelProblem } from '../../contract/domain';
import { destinationKey } from '../../contract/settings';
import { sweepArchiveTemps } from '../destinations/sweep-temp';
import { clearParts } from '../store/parts';
import { clearSegments } from '../store/segments';
import { logOperation } from '../store/operations';
import { dueVods, getVod, nextRetryAt, updateVod, waitingCount } from '../store/vods';
import { AlertSender, type Alert } from '../telegram';
import { TelegramPublisher } from '../telegram/publish';
import { classify, type ErrorClass } from '../util/errors';
import { createLogger } from '../util/log';
import { discoverAll } from './discovery-runner';
import { decideAfterFailure, vodAfterFailure } from './retry';
import { Gate } from './sync';
import { isLiveCapture } from './live-state';
import { mayStart } from './admission';
import { VodJob, type JobDeps } from './job';
import type { EnginePort, QueueControl, TelegramPort, ToolsPort, TwitchPort } from './ports';
import { removeStaleFolders, removeVodFolder } from './work-folder';

const log = createLogger('scheduler');

/**
 * The queue: discovers VODs every PROCESSING_INTERVAL (and on "check now"), runs due VODs in the
 * configured order, applies the retry policy to failures, and holds the queue (instead of
 * retrying in a loop) when the cause is a login or the disk.
 */
export class Scheduler implements QueueControl {
  private readonly active = new Map<string, { job: VodJob; done: Promise<void>; abort: AbortController }>();
  private readonly stopController = new AbortController();
  /** Shared by every VOD: builds side by side on the cores, one download and one upload at a time. */
  private readonly slots = { build: new PQueue({ concurrency: Math.max(1, Math.min(4, availableParallelism())) }), download: new Gate(1), upload: new Gate(1) };
  private readonly afterStop = new Map<string, () => void>();
  private paused = false;
  /** Why the queue is held: a login or disk problem, cleared by the user's fix or "resume". */
  private hold: { errorClass: ErrorClass; message: string } | null = null;
  private checkRequested = true;
  private lastCheck = 0;
  private wakeUp: () => void = () => {};
  private loop?: Promise<void>;
  private alerts: AlertSender;
  /** Alerts go through the publisher: the one place that applies Telegram's rules (waits, deadlines). */
  private readonly publisher = new TelegramPublisher(() => this.telegram.connection(), { premium: false, inFlight: () => 1, signal: this.stopController.signal });
  /** The channel problems of the last discovery pass (`channel\nmessage`). */
  private channelProblems = new Set<string>();
  private diskPoll: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly engine: EnginePort,
    private readonly twitch: TwitchPort,
    private readonly telegram: TelegramPort,
    private readonly tools: ToolsPort,
  ) {
    this.alerts = new AlertSender(async (html) => {
      const s = this.engine.settings;
      const key = s.telegram.alertDestination || s.destinations.filter((d) => d.kind === 'telegram').map(destinationKey)[0];
      const dest = s.destinations.find((d) => destinationKey(d) === key);
      if (!s.telegram.alerts || !dest || dest.kind !== 'telegram') return;
      await this.publisher.sendText({ chat: dest.chatId, topicId: dest.topicId }, html);
    });
  }

  private get jobDeps(): JobDeps {
    return { engine: this.engine, twitch: this.twitch, telegram: this.telegram, tools: this.tools, slots: this.slots };
  }

  start(): void {
    const removed = removeStaleFolders(this.engine.workDir(), (id) => {
      const vod = getVod(this.engine.db, id);
      return Boolean(vod && !['completed', 'skipped'].includes(vod.status));
    });
    if (removed.length) log.info(`removed ${removed.length} stale work folders`);
    void sweepArchiveTemps(this.engine.settings.destinations);
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopController.abort();
    this.wakeUp();
    for (const { abort } of this.active.values()) abort.abort(new Error('engine stopping'));
    await Promise.allSettled([...this.active.values()].map((a) => a.done));
    await this.loop;
  }

  /** Settings or secrets changed: a held queue may be able to go on, and timers may change. */
  settingsChanged(): void {
    if (this.hold?.errorClass === 'login') this.hold = null;
    this.wakeUp();
  }

  // ---------------------------------------------------------------- controls

  checkNow(): void {
    this.checkRequested = true;
    this.hold = null;
    this.wakeUp();
  }

  pause(): void {
    this.paused = true;
    this.updateStatus();
  }

  resume(): void {
    this.paused = false;
    this.hold = null;
    this.wakeUp();
  }

  retryNow(vodId: string): void {
    const vod = getVod(this.engine.db, vodId);
    if (!vod || vod.status === 'completed' || vod.status === 'skipped' || this.active.has(vodId)) return;
    updateVod(this.engine.db, vodId, { status: vod.status === 'live' ? 'live' : 'pending', next_retry: null, retries: vod.status === 'failed' ? 0 : vod.retries });
    logOperation(this.engine.db, vodId, 'retry-now', 'info');
    this.engine.publishVod(vodId);
    this.hold = null;
    this.wakeUp();
  }

  skip(vodId: string): void {
    this.stopJob(vodId, 'Skipped by the user.', () => {
      updateVod(this.engine.db, vodId, { status: 'skipped', stage: 'done', next_retry: null });
      logOperation(this.engine.db, vodId, 'skip', 'info');
      removeVodFolder(this.engine.workDir(), vodId);
      this.engine.publishVod(vodId);
    });
  }

  cancel(vodId: string): void {
    this.stopJob(vodId, 'Cancelled by the user.', () => {
      const vod = getVod(this.engine.db, vodId);
      if (vod && vod.status !== 'completed') {
        updateVod(this.engine.db, vodId, {
          status: 'failed',
          error_class: 'cancelled',
          error_code: 'cancelled',
          last_error: 'Cancelled by the user: Retry now resumes it.',
          next_retry: null,
        });
        this.engine.publishVod(vodId);
      }
    });
  }

  /** Posts a completed VOD again: a new generation of uploads, downloaded afresh. */
  repost(vodId: string): void {
    this.stopJob(vodId, 'Posting again.', () => {
      const db = this.engine.db;
      const vod = getVod(db, vodId);
      if (!vod) return;
      db.transaction(() => {
        clearSegments(db, vodId);
        clearParts(db, vodId);
        updateVod(db, vodId, {
          status: 'pending',
          stage: 'queued',
          generation: vod.generation + 1,
          retries: 0,
          next_retry: null,
          last_error: null,
          error_class: null,
          parts_total: null,
        });
        logOperation(db, vodId, 'repost', 'info', { generation: vod.generation + 1 });
      })();
      removeVodFolder(this.engine.workDir(), vodId);
      this.engine.publishVod(vodId);
      this.wakeUp();
    });
  }

  /**
   * Stops the VOD's job (if any), then runs `after` before the queue may pick the VOD again: the
   * new status is stored before the job leaves the active list, so a stopped VOD is never
   * restarted at once in its old `processing` state.
   */
  private stopJob(vodId: string, reason: string, after: () => void): void {
    const running = this.active.get(vodId);
    if (!running) return after();
    this.afterStop.set(vodId, after);
    running.job.cancel(reason);
  }

  // ---------------------------------------------------------------- loop

  private async run(): Promise<void> {
    const signal = this.stopController.signal;
    while (!signal.aborted) {
      try {
        await this.tick();
      } catch (error) {
        log.error('scheduler step failed', error);
      }
      this.updateStatus();
      await this.sleepUntilNextEvent(signal);
    }
  }

  /** One wait per loop turn; its abort listener and timer are removed when it ends (no growing list). */
  private sleepUntilNextEvent(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      // A "check now" or a stop that came while the last turn ran must not wait for the next interval.
      if (signal.aborted || (this.checkRequested && this.canCheck())) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.wakeUp = () => {};
        resolve();
      };
      const timer = setTimeout(done, this.msUntilNextEvent());
      signal.addEventListener('abort', done, { once: true });
      this.wakeUp = done;
    });
  }

  private msUntilNextEvent(): number {
    const s = this.engine.settings;
    let next = this.lastCheck + s.vod.checkIntervalSec * 1000;
    const retry = nextRetryAt(this.engine.db);
    if (retry) next = Math.min(next, Date.parse(retry));
    return Math.max(250, Math.min(next - Date.now(), 2 ** 31 - 1));
  }

  /** Whether a turn may check Twitch now (a paused or held queue waits without spinning). */
  private canCheck(): boolean {
    return this.engine.problems.length === 0 && !this.paused && !this.hold;
  }

  private async tick(): Promise<void> {
    if (!this.canCheck()) return;
    const s = this.engine.settings;
    const due = Date.now() - this.lastCheck >= s.vod.checkIntervalSec * 1000;
    if (this.checkRequested || (s.vod.autoCheck && due)) {
      this.checkRequested = false;
      this.lastCheck = Date.now();
      try {
        const result = await discoverAll(this.engine.db, s, this.twitch, this.stopController.signal);
        for (const id of [...result.inserted, ...result.finished, ...result.vanished]) this.engine.publishVod(id);
        this.alertChannelProblems(result.channelProblems);
      } catch (error) {
        this.onQueueError(error, 'discovery');
        return;
      }
    }
    this.startDueJobs();
  }

  private startDueJobs(): void {
    const s = this.engine.settings;
    const db = this.engine.db;
    for (const vod of dueVods(db, new Date().toISOString(), s.ordering)) {
      if (this.hold || this.paused) break;
      const capture = (id: string) => ({ capture: isLiveCapture(db, getVod(db, id)) });
      if (this.active.has(vod.id) || !mayStart(capture(vod.id), [...this.active.keys()].map(capture))) continue;
      const abort = new AbortController();
      const job = new VodJob(this.jobDeps, vod.id, abort.signal);
      const done = job.run().then(
        () => undefined,
        (error: unknown) => this.onJobError(vod.id, error),
      );
      this.active.set(vod.id, { job, done, abort });
      void done.finally(() => {
        const after = this.afterStop.get(vod.id);
        this.afterStop.delete(vod.id);
        after?.();
        this.active.delete(vod.id);
        this.updateStatus();
        this.wakeUp();
      });
    }
    this.updateStatus();
  }

  private onJobError(vodId: string, error: unknown): void {
    const info = classify(error);
    const db = this.engine.db;
    const vod = getVod(db, vodId);
    if (!vod) return;
    if (this.stopController.signal.aborted) {
      // Shutdown: the VOD stays `processing` and resumes at the next start.
      log.info(`VOD ${vodId} interrupted by shutdown; it resumes at the next start`);
      return;
    }
    const s = this.engine.settings;
    const decision = decideAfterFailure({
      retries: vod.retries,
      errorClass: info.errorClass,
      maxRetries: s.vod.maxRetries,
      minDelaySec: s.vod.minRetryDelaySec,
      maxDelaySec: s.vod.maxRetryDelaySec,
      now: new Date(),
      retryAfterSec: info.retryAfterSec,
    });
    logOperation(db, vodId, 'process', 'failed', { code: info.code, class: info.errorClass, message: info.message });
    const patch = vodAfterFailure(decision, info, new Date());
    if (patch) updateVod(db, vodId, patch);
    if (decision.kind === 'retry' && info.code !== 'still_live') {
      log.warn(`VOD ${vodId} failed (${info.code}), retry ${decision.retries}/${s.vod.maxRetries} at ${decision.nextRetry}: ${info.message}`);
    } else if (decision.kind === 'fail') {
      log.error(`VOD ${vodId} failed for good: ${info.message}`);
      this.engine.notice({ kind: 'vodFailed', title: 'VOD backup failed', body: `${vod.title}: ${info.message}`, vodId });
      void this.alert({ kind: 'vod_failed', key: `vod:${vodId}`, title: `VOD ${vodId} failed`, detail: `${vod.title}: ${info.message}` });
    } else if (decision.kind === 'hold' && info.errorClass !== 'cancelled') {
      this.onQueueError(error, `VOD ${vodId}`);
    }
    this.engine.publishVod(vodId);
  }

  /** Login and disk problems hold the whole queue with a clear message; others are logged. */
  private onQueueError(error: unknown, where: string): void {
    const info = classify(error);
    if (info.errorClass === 'login') {
      this.hold = { errorClass: 'login', message: info.message };
      this.engine.notice({ kind: 'loginNeeded', title: 'Login needed', body: info.message });
      void this.alert({ kind: 'login_needed', key: 'login', title: 'Login needed', detail: info.message });
    } else if (info.errorClass === 'disk') {
      this.hold = { errorClass: 'disk', message: info.message };
      this.engine.notice({ kind: 'lowDisk', title: 'Not enough disk space', body: info.message });
      void this.alert({ kind: 'disk_full', key: 'disk', title: 'Disk full', detail: info.message });
      this.watchDiskHold();
    } else {
      log.warn(`${where} failed: ${info.message}`);
    }
    this.updateStatus();
  }

  /**
   * Space may come back (an upload removed its part, the user cleaned up): the free space is
   * polled and the hold lifts by itself once it grew (or on Resume). A VOD that is still short
   * then waits for space in its own job instead of failing.
   */
  private watchDiskHold(): void {
    if (this.diskPoll) return;
    const before = this.engine.diskFreeBytes();
    this.diskPoll = setInterval(() => {
      const free = this.engine.diskFreeBytes();
      const lift = this.hold?.errorClass === 'disk' && (free === null || before === null || free > before);
      if (this.hold?.errorClass !== 'disk' || lift || this.stopController.signal.aborted) {
        clearInterval(this.diskPoll);
        this.diskPoll = undefined;
      }
      if (lift) {
        log.info('disk space is back: the queue goes on');
        this.hold = null;
        this.wakeUp();
      }
    }, this.engine.diskPollMs ?? 30_000);
    this.diskPoll.unref?.();
  }

  /** A channel that could not be checked reaches Telegram too, once per new problem (not at every pass). */
  private alertChannelProblems(problems: readonly ChannelProblem[]): void {
    const seen = new Set(problems.map((p) => `${p.channel}\n${p.message}`));
    for (const p of problems) {
      if (this.channelProblems.has(`${p.channel}\n${p.message}`)) continue;
      void this.alert({ kind: 'other', key: `channel:${p.channel}`, title: `Channel ${p.channel} could not be checked`, detail: p.message });
    }
    this.channelProblems = seen;
  }

  private async alert(alert: Alert): Promise<void> {
    if (this.hold?.errorClass === 'login' && alert.kind !== 'disk_full') return; // no Telegram to send it with
    await this.alerts.alert(alert);
  }

  private updateStatus(): void {
    const e = this.engine;
    if (e.problems.length > 0) return e.refreshStatus();
    const nextCheckAt = new Date(this.lastCheck + e.settings.vod.checkIntervalSec * 1000).toISOString();
    const diskFreeBytes = e.diskFreeBytes();
    if (this.hold) {
      e.setStatus({ state: this.hold.errorClass === 'login' ? 'loginNeeded' : 'error', message: this.hold.message, nextCheckAt, diskFreeBytes });
    } else if (this.paused) {
      e.setStatus({ state: 'paused', message: 'Paused', nextCheckAt, diskFreeBytes });
    } else if (this.active.size > 0) {
      const titles = [...this.active.keys()].map((id) => getVod(e.db, id)?.title ?? id);
      e.setStatus({ state: 'working', message: `Backing up ${titles.join(', ')}`, nextCheckAt, diskFreeBytes });
    } else {
      const waiting = waitingCount(e.db);
      e.setStatus({ state: 'idle', message: waiting ? `${waiting} VOD${waiting === 1 ? '' : 's'} waiting` : null, nextCheckAt, diskFreeBytes });
    }
  }
}
