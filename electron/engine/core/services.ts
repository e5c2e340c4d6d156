import type { ChatOption, LoginStep, TwitchChannelInfo } from '../../contract/domain';
import type { ParsedParams } from '../../contract/protocol';

/** The long-running parts of the engine, as the request handlers see them. */
export interface QueueControl {
  checkNow(): void;
  pause(): void;
  resume(): void;
  retryNow(vodId: string): void;
  skip(vodId: string): void;
  cancel(vodId: string): void;
  repost(vodId: string): void;
}

export interface TelegramControl {
  startLogin(params: ParsedParams<'telegram.login.start'>): Promise<LoginStep>;
  submitCode(code: string): Promise<LoginStep>;
  submitPassword(password: string): Promise<LoginStep>;
  cancelLogin(): Promise<LoginStep>;
  logout(): Promise<void>;
  chats(): Promise<ChatOption[]>;
}

export interface TwitchControl {
  test(candidate?: { clientId?: string; clientSecret?: string }): Promise<{ ok: boolean; message: string }>;
  resolveChannels(refs: string[]): Promise<TwitchChannelInfo[]>;
  /** Every archive VOD of one channel, for the "what to back up" preview. */
  archive(channelRef: string): Promise<Array<{ id: string; createdAt: string; title: string; durationSec: number }>>;
}

export interface Services {
  queue?: QueueControl;
  telegram?: TelegramControl;
  twitch?: TwitchControl;
}
