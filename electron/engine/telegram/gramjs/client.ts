import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { Api, TelegramClient, helpers } from 'telegram';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { HTMLParser } from 'telegram/extensions/html';
import { MTProtoSender } from 'telegram/network';
import { StringSession } from 'telegram/sessions';
import type { ChatOption, TelegramAccount } from '../../../contract/domain';
import { EngineError } from '../../util/errors';
import { createLogger } from '../../util/log';
import { registerSecret } from '../../util/redact';
import { isLoginNeeded, loginNeeded, missingPart, rpcInfo, toEngineError } from '../rpcErrors';
import { uploadFile, type PartRequest, type PartTransport } from '../uploader';
import {
  memoryPeerCache,
  type ConnectOptions,
  type Destination,
  type PeerCache,
  type PeerEntry,
  type PostResult,
  type StoredDocument,
  type UploadedFile,
  type UploadOptions,
  type VideoMeta,
} from '../types';
import { installGramjsSpeedups, markMessageHeaderRoom, MESSAGE_HEADER_ROOM, registerServerKey, testServerConnection } from './runtime';

const log = createLogger('telegram');

/** How long connecting (including the key exchange) may take before it counts as failed. */
const CONNECT_TIMEOUT_MS = 30_000;

export type BigInteger = ReturnType<typeof helpers.returnBigInt>;
const big = (v: string | number): BigInteger => helpers.returnBigInt(v);

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new EngineError('transient', 'TELEGRAM_TIMEOUT', `Telegram: ${what} took longer than ${ms / 1000} s`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A user's display name. */
function userName(u: Api.User): string {
  return [u.firstName, u.lastName].filter(Boolean).join(' ') || u.username || String(u.id);
}

export function toAccount(u: Api.User): TelegramAccount {
  return { id: String(u.id), name: userName(u), username: u.username ?? undefined, premium: !!u.premium, bot: !!u.bot };
}

/**
 * One connected Telegram account. Owns the GramJS client (one instance for a whole login flow
 * and for the session's life), the extra upload connections, and the peer cache.
 */
export class TelegramConnection {
  readonly client: TelegramClient;
  readonly peers: PeerCache;
  private readonly options: ConnectOptions;
  private uploadSenders: Array<Promise<MTProtoSender> | undefined> = [];
  private cachedAccount?: TelegramAccount;
  private closed = false;

  private constructor(client: TelegramClient, options: ConnectOptions, peers: PeerCache) {
    this.client = client;
    this.options = options;
    this.peers = peers;
  }

  /** Creates the client and connects (no login needed to connect). */
  static async connect(options: ConnectOptions & { peers?: PeerCache }): Promise<TelegramConnection> {
    if (!Number.isInteger(options.apiId) || options.apiId <= 0) throw new EngineError('permanent', 'TELEGRAM_API_ID', 'Telegram: API id is missing or not a number (Settings > Telegram, from my.telegram.org)');
    if (!/^[0-9a-f]{32}$/i.test(options.apiHash)) throw new EngineError('permanent', 'TELEGRAM_API_HASH', 'Telegram: API hash must be the 32-character hex value from my.telegram.org');
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

  /** Runs a request through the main connection, mapping errors to engine errors. */
  async call<R extends Api.AnyRequest>(request: R, what: string): Promise<R['__response']> {
    try {
      return await this.client.invoke(request);
    } catch (err) {
      throw toEngineError(err, what);
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
    const senders = this.uploadSenders;
    this.uploadSenders = [];
    await Promise.all(
      senders.map(async (p) => {
        try {
          await (await p)?.disconnect();
        } catch {
          /* already gone */
        }
      }),
    );
    try {
      await this.client.destroy();
    } catch (err) {
      log.debug('destroy failed', (err as Error).message);
    }
  }

  // ---------------------------------------------------------------- uploads

  /**
   * An extra MTProto connection to the home DC (same auth key, its own session). Opened here
   * rather than with GramJS's _connectSender, which retries forever when the DC is unreachable.
   */
  private async openUploadSender(): Promise<MTProtoSender> {
    const c = this.client as unknown as {
      session: { dcId: number; getAuthKey(dcId: number): { getKey(): Buffer | undefined } };
      _log: unknown;
      _connectionRetries: number;
      _retryDelay: number;
      _timeout: number;
      _authKeyCallback: (authKey: unknown, dcId: number) => Promise<void>;
      _securityChecks: boolean;
      _exportedSenderPromises: unknown;
      _reconnectRetries: number;
      _connection: new (args: Record<string, unknown>) => unknown;
      _proxy: unknown;
      testServers: boolean;
      networkSocket: unknown;
      getDC(dcId: number, download: boolean): Promise<{ ipAddress: string; port: number }>;
    };
    const dcId = c.session.dcId;
    const authKey = c.session.getAuthKey(dcId);
    const sender = new MTProtoSender(authKey as never, {
      logger: c._log,
      dcId,
      retries: 1,
      delay: c._retryDelay,
      autoReconnect: true,
      connectTimeout: c._timeout,
      authKeyCallback: c._authKeyCallback.bind(this.client),
      isMainSender: false,
      client: this.client,
      securityChecks: c._securityChecks,
      _exportedSenderPromises: c._exportedSenderPromises,
      reconnectRetries: c._reconnectRetries,
    } as never);
    const dc = await c.getDC(dcId, !!authKey.getKey());
    const connection = new c._connection({
      ip: dc.ipAddress,
      port: dc.port,
      dcId,
      loggers: c._log,
      proxy: c._proxy,
      testServers: c.testServers,
      socket: c.networkSocket,
    });
    const ok = await withDeadline(sender.connect(connection as never, false), CONNECT_TIMEOUT_MS, 'opening an upload connection');
    if (!ok) {
      await sender.disconnect().catch(() => undefined);
      throw new EngineError('transient', 'TELEGRAM_CONNECT', 'Telegram: could not open an upload connection');
    }
    const s = sender as unknown as { dcId: number; userDisconnected: boolean };
    s.dcId = dcId;
    s.userDisconnected = false;
    return sender;
  }

  private sender(conn: number): Promise<MTProtoSender> {
    let p = this.uploadSenders[conn];
    if (!p) {
      p = this.openUploadSender();
      // A failed open is retried on next use.
      p.catch(() => {
        if (this.uploadSenders[conn] === p) this.uploadSenders[conn] = undefined;
      });
      this.uploadSenders[conn] = p;
    }
    return p;
  }

  /** Parts travel over `connections` extra connections to the home DC. */
  partTransport(connections: number): PartTransport {
    return {
      connections,
      sendPart: async (conn: number, req: PartRequest) => {
        const sender = await this.sender(conn);
        return (await sender.send(partRequest(req))) === true;
      },
      stalled: (conn: number) => {
        const p = this.uploadSenders[conn];
        this.uploadSenders[conn] = undefined;
        void p?.then((s) => s.disconnect()).catch(() => undefined);
      },
    };
  }

  /** Uploads a file (resumable); premium is taken from the account when not given. */
  async upload(options: UploadOptions): Promise<UploadedFile> {
    const premium = options.premium ?? (await this.account()).premium;
    const inFlight = options.inFlight ?? 8;
    const connections = options.connections ?? Math.min(4, inFlight);
    return uploadFile(this.partTransport(connections), { ...options, premium, inFlight });
  }

  /**
   * Upload + uploadMedia in one step, for a part that is posted to several destinations: returns
   * the storable document. A resumed upload that Telegram forgot (parts expired) starts over
   * once, fresh (onPartAcked then reports the new file id).
   */
  async uploadDocument(options: UploadOptions & { meta: VideoMeta }): Promise<{ file: UploadedFile; document: StoredDocument }> {
    const { meta, ...upload } = options;
    let file = await this.upload(upload);
    try {
      return { file, document: await this.uploadMedia(file, meta, options.signal) };
    } catch (err) {
      if (!(err instanceof EngineError && err.code === 'UPLOAD_EXPIRED') || !options.resume) throw err;
      log.info(`upload of ${file.name}: Telegram no longer has the earlier parts, uploading again`);
      file = await this.upload({ ...upload, resume: undefined });
      return { file, document: await this.uploadMedia(file, meta, options.signal) };
    }
  }

  // ---------------------------------------------------------------- posting

  private inputFile(file: UploadedFile): Api.TypeInputFile {
    return file.big
      ? new Api.InputFileBig({ id: big(file.fileId), parts: file.totalParts, name: file.name })
      : new Api.InputFile({ id: big(file.fileId), parts: file.totalParts, name: file.name, md5Checksum: '' });
  }

  /**
   * Turns an uploaded part into a stored, streamable video document (uploaded once, then sent to
   * every destination). The thumbnail is uploaded here too.
   */
  async uploadMedia(file: UploadedFile, meta: VideoMeta, signal?: AbortSignal): Promise<StoredDocument> {
    const fileName = /\.mp4$/i.test(meta.fileName) ? meta.fileName : `${meta.fileName}.mp4`;
    let thumb: Api.TypeInputFile | undefined;
    if (meta.thumbPath) {
      const size = (await readFile(meta.thumbPath).catch(() => Buffer.alloc(0))).length;
      if (size > 0 && size <= 200 * 1024) {
        const up = await uploadFile(this.partTransport(1), { path: meta.thumbPath, name: 'thumb.jpg', inFlight: 1, signal });
        thumb = this.inputFile(up);
      } else log.warn(`thumbnail ${meta.thumbPath} skipped (missing or over 200 KB)`);
    }
    const media = new Api.InputMediaUploadedDocument({
      file: this.inputFile({ ...file, name: fileName }),
      thumb,
      mimeType: 'video/mp4',
      attributes: [
        new Api.DocumentAttributeVideo({
          duration: Math.max(0, Math.round(meta.durationSec)),
          w: meta.width,
          h: meta.height,
          supportsStreaming: true,
        }),
        new Api.DocumentAttributeFilename({ fileName }),
      ],
    });
    let result: Api.TypeMessageMedia;
    try {
      result = await this.client.invoke(new Api.messages.UploadMedia({ peer: new Api.InputPeerSelf(), media }));
    } catch (err) {
      const part = missingPart(err);
      if (part !== undefined) {
        // Telegram forgot (or never got) the parts: the caller must upload again from scratch.
        throw new EngineError('transient', 'UPLOAD_EXPIRED', `Telegram no longer has part ${part} of ${file.name}; uploading again`, { cause: err });
      }
      throw toEngineError(err, 'media upload');
    }
    if (!(result instanceof Api.MessageMediaDocument) || !(result.document instanceof Api.Document)) {
      throw new EngineError('transient', 'MEDIA_EMPTY', `Telegram returned no document for ${file.name}`);
    }
    const d = result.document;
    return { id: d.id.toString(), accessHash: d.accessHash.toString(), fileReference: Buffer.from(d.fileReference).toString('base64') };
  }

  /**
   * Posts a stored document to ONE destination (the caller records the message id before the
   * next). `randomId` (decimal) makes a retried send idempotent on Telegram's side.
   */
  async post(doc: StoredDocument, dest: Destination, captionHtml: string, options: { randomId?: string } = {}): Promise<PostResult> {
    const entry = await this.resolve(dest.chat);
    const [message, entities] = HTMLParser.parse(captionHtml);
    const media = new Api.InputMediaDocument({
      id: new Api.InputDocument({ id: big(doc.id), accessHash: big(doc.accessHash), fileReference: Buffer.from(doc.fileReference, 'base64') }),
    });
    let updates: Api.TypeUpdates;
    try {
      updates = await this.client.invoke(
        new Api.messages.SendMedia({
          peer: inputPeer(entry),
          media,
          message,
          entities,
          randomId: big(options.randomId ?? randomLong()),
          replyTo: dest.topicId ? new Api.InputReplyToMessage({ replyToMsgId: dest.topicId, topMsgId: dest.topicId }) : undefined,
        }),
      );
    } catch (err) {
      const info = rpcInfo(err);
      if (info?.message === 'FILE_REFERENCE_EXPIRED' || info?.message === 'MEDIA_EMPTY') {
        throw new EngineError('transient', 'FILE_REFERENCE_EXPIRED', 'The uploaded document is no longer usable; it has to be uploaded again', { cause: err });
      }
      throw toEngineError(err, `post to ${dest.chat}`);
    }
    const messageId = sentMessageId(updates);
    if (messageId === undefined) throw new EngineError('transient', 'POST_NO_ID', `Telegram accepted the post to ${dest.chat} but returned no message id`);
    return { messageId, link: messageLink(entry, messageId, dest.topicId) };
  }

  /** Sends a text message (alerts). */
  async sendText(dest: Destination, html: string): Promise<PostResult> {
    const entry = await this.resolve(dest.chat);
    const [message, entities] = HTMLParser.parse(html);
    const updates = await this.call(
      new Api.messages.SendMessage({
        peer: inputPeer(entry),
        message,
        entities,
        randomId: big(randomLong()),
        noWebpage: true,
        replyTo: dest.topicId ? new Api.InputReplyToMessage({ replyToMsgId: dest.topicId, topMsgId: dest.topicId }) : undefined,
      }),
      `message to ${dest.chat}`,
    );
    const messageId = sentMessageId(updates) ?? 0;
    return { messageId, link: messageLink(entry, messageId, dest.topicId) };
  }

  // ---------------------------------------------------------------- destinations

  /** Chats the account can post in, for the destination picker (also fills the peer cache). */
  async listChats(): Promise<ChatOption[]> {
    const out: ChatOption[] = [];
    const seen = new Set<string>();
    let offsetDate = 0;
    let offsetId = 0;
    let offsetPeer: Api.TypeInputPeer = new Api.InputPeerEmpty();
    for (let page = 0; page < 10; page++) {
      const res = await this.call(new Api.messages.GetDialogs({ offsetDate, offsetId, offsetPeer, limit: 100, hash: big(0) }), 'chat list');
      if (res instanceof Api.messages.DialogsNotModified) break;
      for (const u of res.users) this.putUser(u);
      for (const chat of res.chats) {
        const option = await this.chatOption(chat);
        if (option && !seen.has(option.id)) {
          seen.add(option.id);
          out.push(option);
        }
      }
      if (!(res instanceof Api.messages.DialogsSlice) || res.dialogs.length === 0) break;
      const lastDialog = res.dialogs[res.dialogs.length - 1]!;
      const lastMessage = res.messages.find((m) => m.id === lastDialog.topMessage) as Api.Message | undefined;
      if (!lastMessage || !('date' in lastMessage)) break;
      offsetDate = lastMessage.date;
      offsetId = lastMessage.id;
      const last = this.peers.get(peerKey(lastDialog.peer));
      if (!last) break;
      offsetPeer = inputPeer(last);
    }
    return out;
  }

  private async chatOption(chat: Api.TypeChat): Promise<ChatOption | undefined> {
    if (chat instanceof Api.Channel) {
      const entry: PeerEntry = { id: `-100${chat.id}`, kind: 'channel', accessHash: String(chat.accessHash ?? 0), username: chat.username ?? undefined, title: chat.title };
      this.peers.put(entry);
      if (chat.left) return undefined;
      const admin = !!chat.creator || !!chat.adminRights;
      const canPost = chat.broadcast
        ? !!chat.creator || !!chat.adminRights?.postMessages
        : admin || !(chat.bannedRights?.sendMessages || chat.bannedRights?.sendMedia || chat.defaultBannedRights?.sendMessages || chat.defaultBannedRights?.sendMedia);
      if (!canPost) return undefined;
      const option: ChatOption = { id: entry.id, title: chat.title, kind: chat.broadcast ? 'channel' : chat.forum ? 'forum' : 'supergroup', username: entry.username };
      if (chat.forum) option.topics = await this.forumTopics(entry);
      return option;
    }
    if (chat instanceof Api.Chat) {
      const entry: PeerEntry = { id: `-${chat.id}`, kind: 'chat', accessHash: '0', title: chat.title };
      this.peers.put(entry);
      if (chat.left || chat.deactivated) return undefined;
      if (chat.defaultBannedRights?.sendMessages && !chat.creator && !chat.adminRights) return undefined;
      return { id: entry.id, title: chat.title, kind: 'group' };
    }
    return undefined;
  }

  private putUser(u: Api.TypeUser): void {
    if (u instanceof Api.User && !u.self) {
      this.peers.put({ id: String(u.id), kind: 'user', accessHash: String(u.accessHash ?? 0), username: u.username ?? undefined, title: userName(u) });
    }
  }

  private async forumTopics(entry: PeerEntry): Promise<Array<{ id: number; title: string }>> {
    try {
      const res = await this.client.invoke(
        new Api.channels.GetForumTopics({ channel: inputChannel(entry), offsetDate: 0, offsetId: 0, offsetTopic: 0, limit: 100 }),
      );
      return res.topics.filter((t): t is Api.ForumTopic => t instanceof Api.ForumTopic).map((t) => ({ id: t.id, title: t.title }));
    } catch (err) {
      log.warn(`forum topics of ${entry.id} unavailable`, rpcInfo(err)?.message ?? (err as Error).message);
      return [];
    }
  }

  /** Resolves `-100…`, `-…`, `@username` or `me` to a cached peer (looking it up once if needed). */
  async resolve(chat: string): Promise<PeerEntry> {
    const ref = chat.trim();
    if (ref === 'me' || ref === 'self') return { id: 'me', kind: 'user', accessHash: '0' };
    const key = ref.startsWith('@') ? ref.toLowerCase() : ref;
    const cached = this.peers.get(key);
    if (cached) return cached;
    if (/^@[A-Za-z][A-Za-z0-9_]{3,31}$/.test(ref)) {
      const res = await this.call(new Api.contacts.ResolveUsername({ username: ref.slice(1) }), `lookup of ${ref}`);
      for (const c of res.chats) await this.chatOption(c);
      for (const u of res.users) this.putUser(u);
      const found = this.peers.get(key);
      if (found) return found;
      throw new EngineError('permanent', 'CHAT_NOT_FOUND', `Telegram: ${ref} is not a chat this account can see`);
    }
    if (/^-\d{1,16}$/.test(ref) && !ref.startsWith('-100')) {
      const entry: PeerEntry = { id: ref, kind: 'chat', accessHash: '0' };
      this.peers.put(entry);
      return entry;
    }
    if (!/^-?\d{1,20}$/.test(ref)) throw new EngineError('permanent', 'CHAT_ID_INVALID', `Telegram: "${ref}" is not a chat id (-100…) or @username`);
    // Unknown numeric id: access hashes come only from dialogs (a fresh session knows none).
    await this.listChats();
    const found = this.peers.get(ref);
    if (found) return found;
    throw new EngineError('permanent', 'CHAT_NOT_FOUND', `Telegram: chat ${ref} is not among this account's chats (join it, or use its @username)`);
  }
}

/**
 * The saveBigFilePart / saveFilePart request for a part. When the part's memory has room in
 * front (and needs no TL padding), the serialised request is written around the part in place:
 * the same bytes GramJS's getBytes() builds, without copying 512 KiB twice.
 */
export function partRequest(req: PartRequest): Api.upload.SaveBigFilePart | Api.upload.SaveFilePart {
  const fileId = big(req.fileId);
  const request = req.big
    ? new Api.upload.SaveBigFilePart({ fileId, filePart: req.part, fileTotalParts: req.totalParts, bytes: req.bytes })
    : new Api.upload.SaveFilePart({ fileId, filePart: req.part, bytes: req.bytes });
  const len = req.bytes.length;
  const header = req.big ? 24 : 20;
  if (req.headroom < header || len % 4 !== 0 || len < 254 || len >= 1 << 24) return request;
  // With room for the message header as well, MessagePacker can skip its copy too.
  const room = req.headroom >= header + MESSAGE_HEADER_ROOM;
  const frame = Buffer.from(req.bytes.buffer, req.bytes.byteOffset - header, header + len);
  let o = frame.writeUInt32LE(request.CONSTRUCTOR_ID, 0);
  o = frame.writeBigInt64LE(BigInt(req.fileId), o);
  o = frame.writeInt32LE(req.part, o);
  if (req.big) o = frame.writeInt32LE(req.totalParts, o);
  frame[o] = 254;
  frame.writeUIntLE(len, o + 1, 3);
  if (room) markMessageHeaderRoom(frame);
  request.getBytes = () => frame;
  return request;
}

function randomLong(): string {
  return randomBytes(8).readBigInt64LE().toString();
}

function peerKey(peer: Api.TypePeer): string {
  if (peer instanceof Api.PeerChannel) return `-100${peer.channelId}`;
  if (peer instanceof Api.PeerChat) return `-${peer.chatId}`;
  return String((peer as Api.PeerUser).userId);
}

function inputChannel(entry: PeerEntry): Api.InputChannel {
  return new Api.InputChannel({ channelId: big(entry.id.slice(4)), accessHash: big(entry.accessHash) });
}

export function inputPeer(entry: PeerEntry): Api.TypeInputPeer {
  if (entry.id === 'me') return new Api.InputPeerSelf();
  if (entry.kind === 'channel') return new Api.InputPeerChannel({ channelId: big(entry.id.slice(4)), accessHash: big(entry.accessHash) });
  if (entry.kind === 'chat') return new Api.InputPeerChat({ chatId: big(entry.id.slice(1)) });
  return new Api.InputPeerUser({ userId: big(entry.id), accessHash: big(entry.accessHash) });
}

/** The new message's id in what SendMedia/SendMessage returned. */
export function sentMessageId(updates: Api.TypeUpdates): number | undefined {
  if (updates instanceof Api.UpdateShortSentMessage) return updates.id;
  if (updates instanceof Api.Updates || updates instanceof Api.UpdatesCombined) {
    for (const u of updates.updates) {
      if ((u instanceof Api.UpdateNewChannelMessage || u instanceof Api.UpdateNewMessage) && 'id' in u.message) return u.message.id;
    }
    for (const u of updates.updates) if (u instanceof Api.UpdateMessageID) return u.id;
  }
  return undefined;
}

export function messageLink(entry: PeerEntry, messageId: number, topicId?: number): string | undefined {
  if (entry.kind !== 'channel' || !messageId) return undefined;
  if (entry.username) return `https://t.me/${entry.username}/${topicId ? `${topicId}/` : ''}${messageId}`;
  return `https://t.me/c/${entry.id.slice(4)}/${topicId ? `${topicId}/` : ''}${messageId}`;
}
