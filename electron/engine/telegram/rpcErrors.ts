import { EngineError } from '../util/errors';

/**
 * Maps what GramJS throws (RPC errors carry `errorMessage`, `code`, and for flood waits
 * `seconds`) to the engine's error classes. Duck-typed so it needs no GramJS import.
 */

/** Errors that mean the stored session no longer works: ask the user, never retry. */
const LOGIN_NEEDED = new Set([
  'AUTH_KEY_UNREGISTERED',
  'AUTH_KEY_INVALID',
  'AUTH_KEY_PERM_EMPTY',
  'SESSION_REVOKED',
  'SESSION_EXPIRED',
  'USER_DEACTIVATED',
  'USER_DEACTIVATED_BAN',
]);

/** Errors that retrying the same request cannot fix. */
const PERMANENT = new Set([
  'FILE_PARTS_INVALID',
  'FILE_PART_SIZE_INVALID',
  'FILE_PART_TOO_BIG',
  'FILE_PART_EMPTY',
  'CHAT_WRITE_FORBIDDEN',
  'CHAT_ADMIN_REQUIRED',
  'CHANNEL_PRIVATE',
  'CHANNEL_INVALID',
  'PEER_ID_INVALID',
  'USER_BANNED_IN_CHANNEL',
  'MEDIA_CAPTION_TOO_LONG',
  'MEDIA_EMPTY',
  'TOPIC_CLOSED',
  'TOPIC_DELETED',
  'API_ID_INVALID',
]);

export interface RpcInfo {
  message: string;
  code?: number;
  seconds?: number;
}

/** The RPC error name (e.g. `FLOOD_WAIT`, `FILE_PART_3_MISSING`) when `err` is one. */
export function rpcInfo(err: unknown): RpcInfo | undefined {
  const e = err as { errorMessage?: unknown; code?: unknown; seconds?: unknown } | undefined;
  if (!e || typeof e.errorMessage !== 'string') return undefined;
  return {
    message: e.errorMessage,
    code: typeof e.code === 'number' ? e.code : undefined,
    seconds: typeof e.seconds === 'number' ? e.seconds : undefined,
  };
}

export function floodWaitSeconds(err: unknown): number | undefined {
  const info = rpcInfo(err);
  if (!info) return undefined;
  // GramJS turns FLOOD_WAIT_X into a FloodWaitError with errorMessage 'FLOOD' and `seconds`.
  if (info.message === 'FLOOD' || info.message === 'FLOOD_WAIT' || info.message === 'SLOWMODE_WAIT' || info.message === 'FLOOD_PREMIUM_WAIT') {
    return info.seconds ?? 1;
  }
  const m = /^(?:FLOOD_WAIT|SLOWMODE_WAIT|FLOOD_PREMIUM_WAIT)_(\d+)$/.exec(info.message);
  return m ? Number(m[1]) : undefined;
}

export function isLoginNeeded(err: unknown): boolean {
  const info = rpcInfo(err);
  return !!info && LOGIN_NEEDED.has(info.message);
}

/** FILE_PART_X_MISSING: Telegram no longer has (or never got) part X of an upload. */
export function missingPart(err: unknown): number | undefined {
  const m = /^FILE_PART_(\d+)_MISSING$/.exec(rpcInfo(err)?.message ?? '');
  return m ? Number(m[1]) : undefined;
}

export function loginNeeded(cause?: unknown): EngineError {
  const reason = rpcInfo(cause)?.message;
  return new EngineError('login', 'TELEGRAM_LOGIN_NEEDED', `Telegram login needed${reason ? ` (${reason})` : ''}: log in again in Settings.`, { cause });
}

/** Classifies anything a Telegram call threw. `what` says which call, for the message. */
export function toEngineError(err: unknown, what: string): EngineError {
  if (err instanceof EngineError) return err;
  const info = rpcInfo(err);
  if (!info) {
    const msg = err instanceof Error ? err.message : String(err);
    return new EngineError('transient', 'TELEGRAM_NETWORK', `Telegram ${what} failed: ${msg}`, { cause: err });
  }
  if (LOGIN_NEEDED.has(info.message)) return loginNeeded(err);
  const wait = floodWaitSeconds(err);
  if (wait !== undefined) {
    return new EngineError('transient', 'FLOOD_WAIT', `Telegram asked to wait ${wait} s (${what})`, { cause: err, retryAfterSec: wait });
  }
  if (PERMANENT.has(info.message)) {
    return new EngineError('permanent', info.message, `Telegram ${what} failed: ${info.message}`, { cause: err });
  }
  return new EngineError('transient', info.message, `Telegram ${what} failed: ${info.message}`, { cause: err });
}
