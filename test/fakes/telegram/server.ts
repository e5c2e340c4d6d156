/**
 * startTelegramStandIn(): a loopback MTProto server that an unmodified GramJS client talks to
 * over real TCP (TCPFull), with real key exchange, AES-IGE and auth keys. See README.md.
 */
import { createServer } from 'node:net';
import type { Server, Socket } from 'node:net';
import { Api } from 'telegram';
import { ClientConnection } from './connection';
import type { ConnectionHost } from './connection';
import type { LoginFlow } from './context';
import { FaultBook } from './faults';
import type { ActiveFault, FaultSpec } from './faults';
import { telegramDh } from './handshake';
import { generatePrivateKeyPem, loadKey } from './keys';
import type { StandInKey } from './keys';
import { StandInState } from './state';
import type { AuthKeyRecord, ChatRecord, ChatSeed, DocumentRecord, MessageRecord, UploadRecord, UserRecord, UserSeed } from './state';
import { nowSec } from './tl';
import type { TlSerializable } from './tl';
import { UploadStore } from './uploads';
import type { UploadProgress } from './uploads';

export interface StandInOptions {
  /** TCP port on 127.0.0.1; 0 or absent = any free port. Must be <= 32767 (StringSession stores it signed). */
  port?: number;
  /** JSON state file: loaded when it exists, written atomically after every change. */
  stateFile?: string;
  /** Seed accounts and chats for a new state (default: defaultSeed()). Ignored when stateFile exists. */
  users?: UserSeed[];
  chats?: ChatSeed[];
  /** Delay before answering each upload part (latency-bound benchmarks). */
  partDelayMs?: number;
  /** The DC id the server claims to be (default 2). help.getConfig lists DCs 1-5, all at this address. */
  dcId?: number;
  /** Login code lifetime (default 300 s). */
  codeTtlSec?: number;
  /**
   * How many of a sender's latest messages per chat are checked for a reused random_id
   * (RANDOM_ID_DUPLICATE). Default Infinity; Telegram's own memory is bounded, 0 = none at all.
   */
  randomIdMemory?: number;
}

export interface StandInSnapshot {
  users: UserRecord[];
  chats: ChatRecord[];
  /** Posted messages by chat id ("-100<id>" channels/supergroups, "-<id>" basic groups, "<id>" users). */
  messages: Record<string, MessageRecord[]>;
  /** Finished uploads (size and sha256 of the reassembled bytes). */
  uploads: UploadRecord[];
  uploadsInProgress: UploadProgress[];
  documents: DocumentRecord[];
  /** Auth keys (ids only) and the account each is logged in as. */
  sessions: { keyId: string; userId?: number }[];
}

export interface TelegramStandIn {
  readonly host: string;
  readonly port: number;
  readonly dcId: number;
  /** PKCS#1 PEM of the server's RSA key: register it in GramJS's `_serverKeys` before connecting. */
  readonly publicKeyPem: string;
  readonly fingerprint: string;
  setFault(spec: FaultSpec): number;
  clearFaults(id?: number): void;
  faults(): ActiveFault[];
  setPartDelay(ms: number): void;
  /** See StandInOptions.randomIdMemory. */
  setRandomIdMemory(n: number): void;
  state(): StandInSnapshot;
  /** Accepts a QR login token (Buffer, base64url or tg://login?token=...) as `phone` (default: first account), or the latest token as the account with this phone. */
  scanQr(tokenOrPhone: Buffer | string, phone?: string): { userId: number };
  /** Logs out every session of an account: their requests then fail with AUTH_KEY_UNREGISTERED. */
  revokeSessions(phone: string): number;
  /**
   * The account buys or loses Premium: the User object's `premium` flag
   * (core.telegram.org/constructor/user, "premium: Whether this user is a Telegram Premium user")
   * in every later answer carrying the user (users.getUsers / users.getFullUser, which GramJS reads as
   * `Api.User.premium`), and the upload size limit that goes with it (4000 vs 8000 parts of 512 KiB).
   */
  setPremium(phone: string, premium: boolean): void;
  /** Closes every client connection now. */
  dropConnections(): number;
  /** Makes every code sent so far expire (auth.signIn -> PHONE_CODE_EXPIRED). */
  expireLoginCodes(): void;
  /** Forgets unfinished uploads (as Telegram does after a while). */
  forgetUnfinishedUploads(): void;
  addUser(seed: UserSeed): UserRecord;
  addChat(seed: ChatSeed): ChatRecord;
  /** Open connections, connections accepted so far, requests per method, methods without a handler. */
  stats(): { connections: number; accepted: number; requests: Record<string, number>; unhandled: string[] };
  close(): Promise<void>;
}

class Core implements ConnectionHost {
  readonly faults = new FaultBook();
  readonly uploads: UploadStore;
  readonly connections = new Set<ClientConnection>();
  readonly requests: Record<string, number> = {};
  readonly unhandled = new Set<string>();
  accepted = 0;
  private readonly flows = new Map<string, LoginFlow>();
  private lastMsgId = 0n;
  port = 0;
  readonly host = '127.0.0.1';

  constructor(
    readonly state: StandInState,
    readonly rsa: StandInKey,
    readonly dcId: number,
    readonly codeTtlSec: number,
    public partDelayMs: number,
    public randomIdMemory: number,
  ) {
    this.uploads = new UploadStore(state, (userId) => (state.userById(userId)?.premium ? 8000 : 4000));
  }

  loginFlow(keyId: string): LoginFlow {
    let f = this.flows.get(keyId);
    if (!f) {
      f = {};
      this.flows.set(keyId, f);
    }
    return f;
  }

  allFlows(): Map<string, LoginFlow> {
    return this.flows;
  }

  pushUpdates(keyId: string, updates: TlSerializable): void {
    for (const c of this.connections) if (c.keyId === keyId) c.push(updates);
  }

  /** Server msg_ids: time-based, strictly increasing, = 1 mod 4 (answers). */
  nextMsgId(): Buffer {
    const ms = BigInt(Date.now());
    let id = ((ms / 1000n) << 32n) | (((ms % 1000n) * 4294967n) & ~3n) | 1n;
    if (id <= this.lastMsgId) id = this.lastMsgId + 4n;
    this.lastMsgId = id;
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(id, 0);
    return b;
  }

  registerAuthKey(keyId: string, key: Buffer): AuthKeyRecord {
    const rec: AuthKeyRecord = { keyId, keyHex: key.toString('hex'), createdAt: Date.now() };
    this.state.data.authKeys = this.state.data.authKeys.filter((k) => k.keyId !== keyId);
    this.state.data.authKeys.push(rec);
    this.state.save();
    return rec;
  }

  authKeyRecord(keyId: string): AuthKeyRecord | undefined {
    return this.state.authKey(keyId);
  }

  countRequest(method: string, handled: boolean): void {
    this.requests[method] = (this.requests[method] ?? 0) + 1;
    if (!handled) this.unhandled.add(method);
  }

  debug(message: string): void {
    if (process.env.TG_STANDIN_DEBUG) process.stderr.write(`[tg-standin] ${message}\n`);
  }
}

function parseToken(token: Buffer | string): Buffer {
  if (Buffer.isBuffer(token)) return token;
  const m = /token=([A-Za-z0-9_-]+=*)/.exec(token);
  return Buffer.from(m ? m[1] : token, 'base64url');
}

function looksLikePhone(s: string): boolean {
  return /^\+?[0-9][0-9 ()-]{4,}$/.test(s);
}

export async function startTelegramStandIn(options: StandInOptions = {}): Promise<TelegramStandIn> {
  const wanted = options.port ?? 0;
  if (!Number.isInteger(wanted) || wanted < 0 || wanted > 32767) {
    throw new Error(`Telegram stand-in: port ${wanted} is invalid (0..32767; GramJS stores ports as signed 16-bit)`);
  }
  const state = StandInState.open({
    file: options.stateFile,
    users: options.users,
    chats: options.chats,
    newPrivateKeyPem: generatePrivateKeyPem,
  });
  const rsa = loadKey(state.data.rsaPrivateKeyPem);
  telegramDh();
  const core = new Core(state, rsa, options.dcId ?? 2, options.codeTtlSec ?? 300, options.partDelayMs ?? 0, checkMemory(options.randomIdMemory ?? Infinity));
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    core.accepted++;
    const conn = new ClientConnection(socket, core);
    core.connections.add(conn);
    socket.on('close', () => {
      sockets.delete(socket);
      core.connections.delete(conn);
    });
  });
  core.port = await listen(server, wanted);

  const api: TelegramStandIn = {
    host: core.host,
    port: core.port,
    dcId: core.dcId,
    publicKeyPem: rsa.publicKeyPem,
    fingerprint: rsa.fingerprint,
    setFault: (spec) => core.faults.add(spec),
    clearFaults: (id) => core.faults.clear(id),
    faults: () => core.faults.list(),
    setPartDelay(ms) {
      if (!(ms >= 0)) throw new Error(`Telegram stand-in: part delay ${ms} must be >= 0`);
      core.partDelayMs = ms;
    },
    setRandomIdMemory(n) {
      core.randomIdMemory = checkMemory(n);
    },
    state: () => {
      const d = JSON.parse(JSON.stringify(state.data)) as typeof state.data;
      return {
        users: d.users,
        chats: d.chats,
        messages: Object.fromEntries(Object.entries(d.messages).map(([k, list]) => [k, list.map(({ tl: _tl, ...m }) => m as MessageRecord)])),
        uploads: d.uploads,
        uploadsInProgress: core.uploads.inProgress(),
        documents: d.documents,
        sessions: d.authKeys.map((k) => ({ keyId: k.keyId, userId: k.userId })),
      };
    },
    scanQr(tokenOrPhone, phone) {
      let keyId: string | undefined;
      let user: UserRecord | undefined;
      const now = nowSec();
      const live = [...core.allFlows()].filter(([, f]) => f.qrToken && (f.qrExpires ?? 0) >= now);
      if (typeof tokenOrPhone === 'string' && looksLikePhone(tokenOrPhone)) {
        user = state.userByPhone(tokenOrPhone);
        live.sort((a, b) => (b[1].qrIssuedAt ?? 0) - (a[1].qrIssuedAt ?? 0));
        keyId = live[0]?.[0];
      } else {
        const token = parseToken(tokenOrPhone);
        keyId = live.find(([, f]) => f.qrToken?.equals(token))?.[0];
        user = phone ? state.userByPhone(phone) : state.data.users.find((u) => !u.bot);
      }
      if (!user) throw new Error(`Telegram stand-in: scanQr: no account ${phone ?? String(tokenOrPhone)}`);
      if (!keyId) throw new Error('Telegram stand-in: scanQr: no live QR login token matches');
      core.loginFlow(keyId).qrAcceptedUserId = user.id;
      core.pushUpdates(keyId, new Api.UpdateShort({ update: new Api.UpdateLoginToken(), date: now }));
      return { userId: user.id };
    },
    revokeSessions(phone) {
      const u = state.userByPhone(phone) ?? state.data.users.find((x) => x.bot && x.username === phone);
      if (!u) throw new Error(`Telegram stand-in: revokeSessions: no account ${phone}`);
      let n = 0;
      for (const k of state.data.authKeys) {
        if (k.userId === u.id) {
          delete k.userId;
          n++;
        }
      }
      state.save();
      return n;
    },
    setPremium(phone, premium) {
      const u = state.userByPhone(phone);
      if (!u) throw new Error(`Telegram stand-in: setPremium: no account ${phone}`);
      u.premium = premium;
      state.save();
    },
    dropConnections() {
      const n = core.connections.size;
      for (const c of core.connections) c.close();
      return n;
    },
    expireLoginCodes() {
      for (const f of core.allFlows().values()) f.codeSentAt = 0;
    },
    forgetUnfinishedUploads: () => core.uploads.forgetUnfinished(),
    addUser: (seed) => state.addUser(seed),
    addChat: (seed) => state.addChat(seed),
    stats: () => ({ connections: core.connections.size, accepted: core.accepted, requests: { ...core.requests }, unhandled: [...core.unhandled] }),
    async close() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return api;
}

function checkMemory(n: number): number {
  if (!(n >= 0)) throw new Error(`Telegram stand-in: random id memory ${n} must be >= 0 (Infinity for all)`);
  return n;
}

/** Listens on `port`, or (0) on a random free port in 20000..32767: Linux's ephemeral ports are all above 32767. */
async function listen(server: Server, port: number): Promise<number> {
  const tries = port ? [port] : Array.from({ length: 50 }, () => 20000 + Math.floor(Math.random() * 12768));
  let last: Error | undefined;
  for (const p of tries) {
    try {
      await new Promise<void>((resolve, reject) => {
        const onError = (err: Error) => reject(err);
        server.once('error', onError);
        server.listen(p, '127.0.0.1', () => {
          server.off('error', onError);
          resolve();
        });
      });
      return p;
    } catch (err) {
      last = err as Error;
    }
  }
  throw new Error(`Telegram stand-in: cannot listen on 127.0.0.1:${port || '20000-32767'}: ${last?.message}`);
}
