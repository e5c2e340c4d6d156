/** Small helpers shared by the GramJS modules. */
import { helpers, type Api } from 'telegram';
import type { TelegramAccount } from '../../../contract/domain';
import { bounded } from '../../util/deadline';

/** How long connecting (including the key exchange) may take before it counts as failed. */
export const CONNECT_TIMEOUT_MS = 30_000;

/** How long an ordinary RPC may wait for its answer (a reply that never comes on a live connection). */
export const RPC_TIMEOUT_MS = 60_000;
/** messages.uploadMedia and messages.sendMedia: Telegram processes the file first, so they get longer. */
export const MEDIA_RPC_TIMEOUT_MS = 120_000;

export type BigInteger = ReturnType<typeof helpers.returnBigInt>;
export const big = (v: string | number): BigInteger => helpers.returnBigInt(v);

export function withDeadline<T>(promise: Promise<T>, ms: number, what: string, signal?: AbortSignal): Promise<T> {
  return bounded(promise, { ms, what: `Telegram: ${what}`, code: 'TELEGRAM_TIMEOUT', signal });
}

/** A user's display name. */
export function userName(u: Api.User): string {
  return [u.firstName, u.lastName].filter(Boolean).join(' ') || u.username || String(u.id);
}

export function toAccount(u: Api.User): TelegramAccount {
  return { id: String(u.id), name: userName(u), username: u.username ?? undefined, premium: !!u.premium, bot: !!u.bot };
}
