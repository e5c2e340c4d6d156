import type { Destination, Settings } from '../../contract/settings';
import type { Db } from '../store/database';
import type { PartRecord } from '../store/parts';
import type { VodRecord } from '../store/vods';
import type { TelegramPublisher } from '../telegram/publish';
import { folderTarget } from './folder';
import { telegramTarget } from './telegram';

/**
 * Where a part goes. The deliver stage calls, per part and in part order: `prepare` (once the part
 * is built, possibly while later parts still download: the Telegram upload), then `deliver` once
 * the plan is complete (every caption says "Part k/N"), then `finish` after the VOD's last part.
 * A new kind of destination is one more file here with a `DeliveryTarget` factory, one more case in
 * `deliveryTargets`, and its settings shape in contract/settings.ts.
 */
export interface DeliveryTarget {
  /** The stored key (uploads.destination). */
  readonly key: string;
  readonly name: string;
  /** Whether `prepare` does work (the deliver stage then runs it ahead of the posts). */
  readonly prepares: boolean;
  prepare(part: PartRecord, job: DeliveryJob): Promise<void>;
  /**
   * Delivers one part; `randomId` was recorded before the call (exactly-once on retries). `lost` is
   * set when an earlier send of this part here has an unknown outcome (its row was left `sending`):
   * the destination looks for that post before sending again.
   */
  deliver(part: PartRecord, job: DeliveryJob, randomId: string, lost?: LostSend): Promise<{ messageId: number | null; link: string | null; caption?: string }>;
  /** The caption the part gets now (with the total unknown while a live VOD is recorded). */
  caption?(part: PartRecord, job: DeliveryJob): string;
  /** Edits a posted part's caption (live posts, at the end); 'refused' when Telegram will never allow it. */
  editCaption?(messageId: number, caption: string): Promise<{ kind: 'done' } | { kind: 'refused'; reason: string }>;
  /** Posts the VOD's index (one or more messages, with ids stored by the caller for exactly-once). */
  sendIndex?(html: string, randomId: string): Promise<{ messageId: number | null; link: string | null }>;
  /** Finds the message id of a post sent with `caption` whose id was lost in a crash (undefined: not found). */
  findPost?(part: PartRecord, job: DeliveryJob, caption: string, afterMessageId?: number): Promise<{ messageId: number; link: string | null } | undefined>;
  pin?(messageId: number): Promise<{ kind: 'pinned' } | { kind: 'refused'; reason: string }>;
  /** After each delivered part and at the end (a folder rewrites its metadata.json). */
  afterPart?(job: DeliveryJob): Promise<void> | void;
}

/** An earlier send whose outcome is unknown: the last message id recorded in that chat before it. */
export interface LostSend {
  afterMessageId?: number;
}

/** What a destination may use of the VOD being delivered. */
export interface DeliveryJob {
  readonly db: Db;
  readonly vod: VodRecord;
  readonly premium: boolean;
  readonly settings: () => Settings;
  readonly signal: AbortSignal;
  /** Upload progress of a part, for the UI. */
  onUploadProgress(index: number, fraction: number, speedBps?: number): void;
}

/** The services destinations need, created once per attempt by the conductor. */
export interface DestinationServices {
  /** The Telegram publisher of this attempt (created lazily: a folder-only set-up needs no account). */
  telegram: () => TelegramPublisher;
}

export function deliveryTargets(destinations: readonly Destination[], services: DestinationServices): DeliveryTarget[] {
  return destinations.map((d) => (d.kind === 'telegram' ? telegramTarget(d, services.telegram) : folderTarget(d)));
}
