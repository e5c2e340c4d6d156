import type { ChannelProblem, EngineStatus, TwitchChannelInfo, VodRow } from '../../contract/domain';
import type { Notice } from '../../contract/protocol';
import type { Secrets, Settings } from '../../contract/settings';
import type { Db } from '../store/database';
import type { TelegramConnection } from '../telegram';
import type { HelixClient } from '../twitch/helix';
import type { Tools } from '../util/binaries';
import type { LiveProgress } from './context';

/**
 * What the pipeline needs from the rest of the engine, as interfaces: the composition root
 * (core/start-engine.ts) passes the real engine and services in; the pipeline imports nothing
 * from core/.
 */
export interface EnginePort {
  readonly db: Db;
  /** The app's data folder (the UI's thumbnail cache lives under it). */
  readonly paths: { readonly dataDir: string };
  readonly settings: Settings;
  readonly secrets: Secrets;
  readonly problems: readonly unknown[];
  readonly live: Map<string, LiveProgress>;
  readonly bus: { emit(event: 'download.progress' | 'part.progress', data: unknown): void };
  workDir(): string;
  publishVod(id: string): VodRow | undefined;
  publishVodQuietly(id: string): VodRow | undefined;
  notice(notice: Notice): void;
  setStatus(patch: Partial<EngineStatus>): void;
  refreshStatus(): void;
  /** Free bytes where the work folder is; null when unknown. */
  diskFreeBytes(): number | null;
  /** How often a VOD short of space looks again (default 30 s; tests set it low). */
  readonly diskPollMs?: number;
}

export interface TwitchPort {
  helix(): HelixClient;
  resolveChannels(refs: string[], signal?: AbortSignal): Promise<TwitchChannelInfo[]>;
  /** Channels that could not be checked this pass (status, and a notice when new). */
  reportChannelProblems(problems: ChannelProblem[]): void;
}

export interface TelegramPort {
  connection(): Promise<TelegramConnection>;
  /** The account's Premium, or the setting when forced. */
  premium(): Promise<boolean>;
}

/** The tools resolved at start and on each settings change. */
export interface ToolsPort {
  current(): Tools;
}

/** The queue controls the request handlers call. */
export interface QueueControl {
  checkNow(): void;
  pause(): void;
  resume(): void;
  retryNow(vodId: string): void;
  skip(vodId: string): void;
  cancel(vodId: string): void;
  repost(vodId: string): void;
}
