/** What an RPC handler sees, and how it fails. */
import type { FaultBook } from './faults';
import type { SrpChallenge } from './srp';
import type { AuthKeyRecord, StandInState, UserRecord } from './state';
import type { TlSerializable } from './tl';
import type { UploadStore } from './uploads';

/** An RPC error answer (rpc_error code + message), e.g. new RpcFailure(400, 'PHONE_CODE_INVALID'). */
export class RpcFailure extends Error {
  constructor(
    readonly code: number,
    readonly errorMessage: string,
  ) {
    super(`${code} ${errorMessage}`);
  }
}

/** A per-auth-key login in progress (not persisted: a restarted server forgets half-done logins). */
export interface LoginFlow {
  phone?: string;
  phoneCodeHash?: string;
  codeSentAt?: number;
  /** Set after a correct code (or QR scan) for an account with 2FA. */
  passwordUserId?: number;
  srp?: SrpChallenge;
  qrToken?: Buffer;
  qrExpires?: number;
  qrIssuedAt?: number;
  qrAcceptedUserId?: number;
}

export interface StandInCore {
  readonly state: StandInState;
  readonly faults: FaultBook;
  readonly uploads: UploadStore;
  readonly dcId: number;
  readonly host: string;
  readonly port: number;
  readonly codeTtlSec: number;
  partDelayMs: number;
  /** How many of a sender's latest messages per chat RANDOM_ID_DUPLICATE looks at (Infinity = all, 0 = none). */
  randomIdMemory: number;
  loginFlow(keyId: string): LoginFlow;
  /** Pushes an Updates object to every live connection of an auth key. */
  pushUpdates(keyId: string, updates: TlSerializable): void;
}

export interface CallContext {
  readonly core: StandInCore;
  readonly keyId: string;
  readonly auth: AuthKeyRecord;
  /** The logged-in account, or AUTH_KEY_UNREGISTERED (401). */
  user(): UserRecord;
}

export type Handler<T> = (ctx: CallContext, req: T) => Promise<TlSerializable | typeof STALL> | TlSerializable | typeof STALL;

/** Returned by a handler that must never answer (a stalled request). */
export const STALL = Symbol('stall');
