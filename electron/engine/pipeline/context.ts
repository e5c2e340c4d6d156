import type PQueue from 'p-queue';
import type { DownloadProgress } from '../../contract/domain';
import type { LiveMode, Settings } from '../../contract/settings';
import type { DeliveryTarget } from '../destinations';
import type { SplitRules } from '../media/planner';
import type { Db } from '../store/database';
import type { VodRecord } from '../store/vods';
import type { Tools } from '../util/binaries';
import type { SegmentBook } from './segment-book';
import type { Gate } from './sync';
import type { VodFolder } from './work-folder';

/** What the stages report for the UI; the conductor turns it into events (no database writes but the stage). */
export interface ProgressSink {
  stage(stage: VodRecord['stage']): void;
  download(progress: DownloadProgress): void;
  part(index: number, patch: PartLive): void;
  /** A stored row of this VOD changed (a part planned, built, posted). */
  changed(): void;
}

export interface PartLive {
  build?: 'active' | 'done';
  upload?: 'active' | 'done';
  uploadProgress?: number;
  uploadSpeedBps?: number;
}

/** Live numbers of a VOD in work that are not worth a database write (speeds, upload fractions). */
export interface LiveProgress {
  download?: DownloadProgress;
  parts: Map<number, PartLive>;
}

/** Shared by every VOD: builds side by side on the cores, one download and one upload at a time. */
export interface Slots {
  build: PQueue;
  download: Gate;
  upload: Gate;
}

/**
 * One VOD's immutable context, built once per attempt by the conductor (pipeline/job.ts) and
 * handed to each stage. Stages share nothing else: what one stage produces goes to the store, and
 * `wake` tells the others to look again.
 */
export interface VodContext {
  readonly db: Db;
  /** The VOD as it was when the attempt started (its generation and channel do not change mid-run). */
  readonly vod: VodRecord;
  /** Part sizes, fixed for the attempt (Premium read when the attempt's parts are planned). */
  readonly rules: SplitRules;
  readonly premium: boolean;
  readonly destinations: readonly DeliveryTarget[];
  readonly tools: Tools;
  readonly folder: VodFolder;
  readonly signal: AbortSignal;
  readonly progress: ProgressSink;
  readonly slots: Slots;
  /** Current settings: knobs like concurrency and delays apply at the next step without a restart. */
  readonly settings: () => Settings;
  /** The Twitch user token that unlocks sub-only playlists, if any. */
  readonly twitchPlaybackToken: () => string | undefined;
  readonly wake: Notifier;
  /** The segment list in memory: the fetch stage records finished segments, the cut stage plans from it. */
  readonly segments: SegmentBook;
  /** The app's data folder: the UI's copy of each part thumbnail outlives the work folder there. */
  readonly dataDir: string;
  readonly disk: DiskWatch;
  /** The VOD's channel's choice for a VOD still being broadcast (pipeline/live-mode.ts). */
  readonly liveMode: LiveMode;
  /** Whether Helix still shows the VOD as being recorded (asked by the live follower while its playlist is idle). */
  readonly stillLive: (signal?: AbortSignal) => Promise<boolean>;
}

/** Free space as the engine sees it, and what a VOD does while it is short (it waits; see download/disk.ts). */
export interface DiskWatch {
  free(dir: string): Promise<number>;
  pollMs: number;
  onWait(message: string | null): void;
}

/** Wakes every waiter on `notify`; waiters re-check their condition (no lost wake-ups: they loop). */
export class Notifier {
  private waiters: Array<() => void> = [];

  notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    waiters.forEach((w) => w());
  }

  wait(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal.addEventListener('abort', done, { once: true });
      // Re-check periodically too: cheap insurance against a missed notify.
      const timer = setTimeout(done, 1000);
      timer.unref?.();
    });
  }
}

/** Throws the reason once the attempt is stopped (a failed stage or a cancel). */
export function throwIfStopped(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}

/** Bandwidth cap in bytes per second, or undefined (settings are in MB/s). */
export const bandwidthCap = (settings: Settings): number | undefined => (settings.vod.bandwidthCapMBps > 0 ? settings.vod.bandwidthCapMBps * 1_000_000 : undefined);
