import { Api, TelegramClient } from 'telegram';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { StringSession } from 'telegram/sessions';
import type { ChatOption, TelegramAccount } from '../../../contract/domain';
import { EngineError } from '../../util/errors';
import { createLogger } from '../../util/log';
import { registerSecret } from '../../util/redact';
import { isLoginNeeded, loginNeeded, rpcInfo, toEngineError } from '../rpcErrors';
import { uploadFile, type PartTransport } from '../uploader';
import {
  memoryPeerCache,
  type ConnectOptions,
  type Destination,
  type ExistingPostQuery,
  type PeerCache,
  type PeerEntry,
  type PostCheck,
  type PostResult,
  type StoredDocument,
  type UploadedFile,
  type UploadOptions,
  type VideoMeta,
} from '../types';
import { CONNECT_TIMEOUT_MS, RPC_TIMEOUT_MS, toAccount, withDeadline } from './common';
import * as chats from './peers';
import * as posting from './posting';
import { installGramjsSpeedups } from './runtime';
import { withUploadHeapGrowth } from './upload-heap';
import { registerServerKey, testServerConnection } from './server-keys';
import { UploadSenders } from './senders';

const log = createLogger('telegram');

/**
 * One connected Telegram account. Owns the GramJS client (one instance for a whole login flow
 * and for the session's life), the extra upload connections, and the peer cache. The work is
 * done in ./senders (upload connections), ./peers (chats) and ./posting (documents and posts).
 */
export class TelegramConnection implements chats.Rpc {
  readonly client: TelegramClient;
  readonly peers: PeerCache;
  private readonly options: ConnectOptions;
  private readonly senders: UploadSenders;
  private cachedAccount?: TelegramAccount;
  private closed = false;

  private constructor(client: TelegramClient, options: ConnectOptions, peers: PeerCache) {
    this.client = client;
    this.options = options;
    this.peers = peers;
    this.senders = new UploadSenders(client);
  }

  /** Creates the client and connects (no login needed to connect). */
  static async connect(options: ConnectOptions & { peers?: PeerCache }): Promise<TelegramConnection> {
    if (!Number.isInteger(options.apiId) || options.apiId <= 0)
      throw new EngineError('permanent', 'TELEGRAM_API_ID', 'Telegram: API id is missing or not a number (Settings > Telegram, from my.telegram.org)');
    if (!/^[0-9a-f]{32}$/i.test(options.apiHash))
      throw new EngineError('permanent', 'TELEGRAM_API_HASH', 'Telegram: API hash must be the 32-character hex value from my.telegram.org');
    registerSecret(options.apiHash);
    registerSecret(options.session);
    installGramjsSpeedups();
    let session: StringSession;
    try {
      session = new StringSession(options.session ?? '');
    } catch (cause) {
      throw new EngineError('login', 'TELEGRAM_SESSION_INVALID', 'The stored Telegram session is unreadable: log in again in Settings.', { cause });
    }
    const test = options.testServer;
    if (test) {
      try {
        registerServerKey(test.publicKeyPem);
      } catch (cause) {
        throw new EngineError('permanent', 'TELEGRAM_SERVER_KEY', `Settings > Telegram server (testing): ${(cause as Error).message}`, { cause });
      }
      if (!Number.isInteger(test.port) || test.port < 1 || test.port > 32767) {
        // StringSession stores the port as a signed 16-bit number.
        throw new EngineError('permanent', 'TELEGRAM_SERVER_PORT', `Settings > Telegram server (testing): port ${test.port} must be between 1 and 32767`);
      }
      if (!options.session) session.setDC(test.dcId, test.host, test.port);
    }
    const client = new TelegramClient(session, options.apiId, options.apiHash, {
      connection: test ? testServerConnection(test) : undefined,
      connectionRetries: 3,
      retryDelay: 500,
      autoReconnect: true,
      timeout: options.timeoutSec ?? 10,
      // Flood waits are decided by us (events, caps), not slept through silently.
      floodSleepThreshold: 0,
      baseLogger: new Logger(LogLevel.NONE),
      deviceModel: 'Twitch VOD Backup',
      appVersion: '0.1',
    });
    const conn = new TelegramConnection(client, options, options.peers ?? memoryPeerCache());
    try {
      await withDeadline(client.connect(), CONNECT_TIMEOUT_MS, 'connecting');
    } catch (err) {
      await conn.close();
      throw toEngineError(err, 'connect');
    }
    return conn;
  }

  /** Current session string (secret). */
  sessionString(): string {
    const s = (this.client.session as StringSession).save();
    registerSecret(s);
    return s;
  }

  async saveSession(): Promise<void> {
    await this.options.onSession?.(this.sessionString());
  }

  /** Runs a request through the main connection, mapping errors to engine errors (`chat`: the destination it addresses). */
  async call<R extends Api.AnyRequest>(request: R, what: string, chat?: string): Promise<R['__response']> {
    try {
      return await withDeadline(this.client.invoke(request), RPC_TIMEOUT_MS, what);
    } catch (err) {
      throw toEngineError(err, what, chat);
    }
  }

  async isAuthorized(): Promise<boolean> {
    try {
      await this.client.invoke(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] }));
      return true;
    } catch (err) {
      if (isLoginNeeded(err)) return false;
      throw toEngineError(err, 'authorization check');
    }
  }

  /** The logged-in account; throws EngineError('login') when the session is not (or no longer) valid. */
  async account(refresh = false): Promise<TelegramAccount> {
    if (this.cachedAccount && !refresh) return this.cachedAccount;
    const users = await this.call(new Api.users.GetUsers({ id: [new Api.InputUserSelf()] }), 'account lookup');
    const me = users[0];
    if (!(me instanceof Api.User)) throw loginNeeded();
    this.cachedAccount = toAccount(me);
    return this.cachedAccount;
  }

  setAccount(account: TelegramAccount): void {
    this.cachedAccount = account;
  }

  async logout(): Promise<void> {
    try {
      await this.client.invoke(new Api.auth.LogOut());
    } catch (err) {
      // Already logged out elsewhere is fine; anything else is reported but the session still goes.
      if (!isLoginNeeded(err)) log.warn('logout request failed', rpcInfo(err)?.message ?? (err as Error).message);
    }
    this.cachedAccount = undefined;
    await this.options.onSession?.('');
    await this.close();
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.senders.close();
    try {
      await this.client.destroy();
    } catch (err) {
      log.debug('destroy failed', (err as Error).message);
    }
  }

  // ---------------------------------------------------------------- uploads

  /** Parts travel over `connections` extra connections to the home DC. */
  partTransport(connections: number): PartTransport {
    return this.senders.partTransport(connections);
  }

  /** Uploads a file (resumable); premium is taken from the account when not given. */
  async upload(options: UploadOptions): Promise<UploadedFile> {
    const premium = options.premium ?? (await this.account()).premium;
    const inFlight = options.inFlight ?? 8;
    const connections = options.connections ?? Math.min(4, inFlight);
    return withUploadHeapGrowth(() => uploadFile(this.partTransport(connections), { ...options, premium, inFlight }));
  }

  /** See posting.uploadMedia. */
  uploadMedia(file: UploadedFile, meta: VideoMeta, signal?: AbortSignal): Promise<StoredDocument> {
    return posting.uploadMedia(this, () => this.partTransport(1), file, meta, signal);
  }

  // ---------------------------------------------------------------- posting

  /** See posting.post. */
  post(doc: StoredDocument, dest: Destination, captionHtml: string, options: { randomId?: string; signal?: AbortSignal } = {}): Promise<PostResult> {
    return posting.post(this, doc, dest, captionHtml, options);
  }

  /** See posting.sendText. */
  sendText(dest: Destination, html: string): Promise<PostResult> {
    return posting.sendText(this, dest, html);
  }

  /** See posting.findExistingPost. */
  findExistingPost(dest: Destination, query: ExistingPostQuery): Promise<PostResult | undefined> {
    return posting.findExistingPost(this, dest, query);
  }

  // ---------------------------------------------------------------- destinations

  /** See peers.listChats. */
  listChats(): Promise<ChatOption[]> {
    return chats.listChats(this);
  }

  /** See peers.resolve. */
  resolve(chat: string): Promise<PeerEntry> {
    return chats.resolve(this, chat);
  }

  /** See peers.checkCanPost. */
  checkCanPost(dest: Destination): Promise<PostCheck> {
    return chats.checkCanPost(this, dest);
  }
}
