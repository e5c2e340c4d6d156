/** Small helpers shared by the GramJS modules. */
import { helpers, type Api } from 'telegram';
import type { TelegramAccount } from '../../../contract/domain';
import { EngineError } from '../../util/errors';

/** How long connecting (including the key exchange) may take before it counts as failed. */
export const CONNECT_TIMEOUT_MS = 30_000;

export type BigInteger = ReturnType<typeof helpers.returnBigInt>;
export const big = (v: string | number): BigInteger => helpers.returnBigInt(v);

export function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new EngineError('transient', 'TELEGRAM_TIMEOUT', `Telegram: ${what} took longer than ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A user's display name. */
export function userName(u: Api.User): string {
  return [u.firstName, u.lastName].filter(Boolean).join(' ') || u.username || String(u.id);
}

export function toAccount(u: Api.User): TelegramAccount {
  return { id: String(u.id), name: userName(u), username: u.username ?? undefined, premium: !!u.premium, bot: !!u.bot };
}

