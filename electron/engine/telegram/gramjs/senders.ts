/**
 * The extra upload connections to the home DC (same auth key, one session each) and the
 * saveFilePart requests sent over them.
 */
import { Api, type TelegramClient } from 'telegram';
import { MTProtoSender } from 'telegram/network';
import { EngineError } from '../../util/errors';
import type { PartRequest, PartTransport } from '../uploader';
import { big, CONNECT_TIMEOUT_MS, withDeadline } from './common';
import { markMessageHeaderRoom, MESSAGE_HEADER_ROOM } from './runtime';

export class UploadSenders {
  private uploadSenders: Array<Promise<MTProtoSender> | undefined> = [];

  constructor(private readonly client: TelegramClient) {}

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
    const sender = new MTProtoSender(
      authKey as never,
      {
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
      } as never,
    );
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

  /** Closes every upload connection (the main one is the caller's). */
  async close(): Promise<void> {
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
