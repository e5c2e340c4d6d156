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
  'MEDIA_CAPTION_TOO_LONG',
  'MEDIA_EMPTY',
  'TOPIC_CLOSED',
  'TOPIC_DELETED',
  'API_ID_INVALID',
  // A method this kind of account may not call (bots: messages.getDialogs, getHistory, search).
  'BOT_METHOD_INVALID',
]);

/**
 * A destination the account cannot write to: permanent for that destination (nothing else), with
 * what the user can do about it. Codes and meanings from core.telegram.org/method/messages.sendMedia
 * and channels.getChannels "Possible errors".
 */
const DESTINATION: Record<string, string> = {
  CHAT_WRITE_FORBIDDEN: 'this account may not post there: make it an admin with "Post messages" (channel), or let members send media (group)',
  CHAT_ADMIN_REQUIRED: 'posting there needs admin rights: make this account an admin of the chat',
  CHAT_SEND_MEDIA_FORBIDDEN: 'members may not send media there: allow media for members, or make this account an admin',
  CHANNEL_PRIVATE: 'this account is not in that chat (or was removed): add it to the chat, then save again',
  CHANNEL_INVALID: 'this account cannot see that chat: check the id, and add the account (a bot must be added to the chat)',
  CHAT_ID_INVALID: 'no such group for this account: check the id, and add the account to the group',
  PEER_ID_INVALID: "this account does not know that chat: check the id or use the chat's @username",
  USER_BANNED_IN_CHANNEL: 'this account is banned from sending messages there: lift the restriction or pick another chat',
  USERNAME_NOT_OCCUPIED: 'no chat or user has that @username: check the spelling',
  USERNAME_INVALID: 'that is not a valid @username',
  TOPIC_CLOSED: 'that forum topic is closed: reopen it or pick another topic',
  TOPIC_DELETED: 'that forum topic was deleted: pick another topic',
  TOPIC_ID_INVALID: 'that forum topic does not exist: pick another topic',
};

/** The RPC error names that mean "this account cannot post in this destination". */
export const DESTINATION_ERRORS: ReadonlySet<string> = new Set(Object.keys(DESTINATION));

/** True for an error (RPC or EngineError) that fails one destination only. */
export function isDestinationError(err: unknown): boolean {
  const name = err instanceof EngineError ? err.code : rpcInfo(err)?.message;
  return !!name && (DESTINATION_ERRORS.has(name) || name === 'CHAT_NOT_FOUND');
}

/** A destination problem as a permanent EngineError naming the chat and what to do. */
export function destinationError(code: string, chat: string, cause?: unknown): EngineError {
  const advice = DESTINATION[code] ?? 'this account cannot post there';
  return new EngineError('permanent', code, `Telegram: cannot post in ${chat}: ${advice} (${code}).`, { cause });
}

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

/**
 * Classifies anything a Telegram call threw. `what` says which call, for the message; `chat`,
 * when the call addressed a destination, turns write-forbidden errors into destinationError.
 */
export function toEngineError(err: unknown, what: string, chat?: string): EngineError {
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
  if (DESTINATION_ERRORS.has(info.message)) {
    if (chat) return destinationError(info.message, chat, err);
    return new EngineError('permanent', info.message, `Telegram ${what} failed: ${info.message}`, { cause: err });
  }
  if (PERMANENT.has(info.message)) {
    return new EngineError('permanent', info.message, `Telegram ${what} failed: ${info.message}`, { cause: err });
  }
  return new EngineError('transient', info.message, `Telegram ${what} failed: ${info.message}`, { cause: err });
}
