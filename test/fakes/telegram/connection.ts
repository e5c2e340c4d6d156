/**
 * One client TCP connection: TCPFull framing, the plain key exchange, then encrypted messages
 * (containers, gzip, acks, pings) whose requests go to the method table.
 */
import type { Socket } from 'node:net';
import { unzipSync } from 'node:zlib';
import { Api } from 'telegram';
import { BinaryReader } from 'telegram/extensions';
import { readBigIntFromBuffer } from 'telegram/Helpers';
import { RpcFailure, STALL } from './context';
import type { CallContext, StandInCore } from './context';
import { decryptClientMessage, encryptServerMessage } from './crypto';
import { Handshake } from './handshake';
import type { StandInKey } from './keys';
import { handlerFor } from './methods';
import type { AuthKeyRecord } from './state';
import { encodeFull, FullFramer } from './transport';
import type { TlSerializable } from './tl';

const CONTAINER = 0x73f1f8dc;
const GZIP_PACKED = 0x3072cfa1;
const RPC_RESULT = 0xf35c6d01;

/** What a connection needs from the server beyond the handler context. */
export interface ConnectionHost extends StandInCore {
  readonly rsa: StandInKey;
  nextMsgId(): Buffer;
  registerAuthKey(keyId: string, key: Buffer): AuthKeyRecord;
  authKeyRecord(keyId: string): AuthKeyRecord | undefined;
  countRequest(method: string, handled: boolean): void;
  debug(message: string): void;
}

export class ClientConnection {
  private readonly framer = new FullFramer();
  private sendSeq = 0;
  private serverSeq = 0;
  private handshake?: Handshake;
  private authKey?: Buffer;
  private authKeyIdBuf?: Buffer;
  keyId?: string;
  private salt = Buffer.alloc(8);
  private sessionId?: Buffer;
  private closed = false;

  constructor(
    private readonly socket: Socket,
    private readonly host: ConnectionHost,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close());
    socket.on('close', () => (this.closed = true));
  }

  close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Sends a server-initiated message (an update); false when the client has not spoken yet. */
  push(obj: TlSerializable): boolean {
    if (!this.sessionId || this.closed) return false;
    this.sendEncrypted(obj.getBytes());
    return true;
  }

  private onData(chunk: Buffer): void {
    let packets: Buffer[];
    try {
      packets = this.framer.push(chunk);
    } catch (err) {
      this.host.debug(`dropping connection: ${(err as Error).message}`);
      this.close();
      return;
    }
    for (const p of packets) {
      try {
        this.onPacket(p);
      } catch (err) {
        // A malformed message must not take the whole server down: drop this client only.
        this.host.debug(`dropping connection on a malformed message: ${(err as Error).message}`);
        this.close();
        return;
      }
    }
  }

  private writePacket(payload: Buffer): void {
    if (this.closed) return;
    this.socket.write(encodeFull(payload, this.sendSeq++));
  }

  private onPacket(packet: Buffer): void {
    if (packet.length < 8) return;
    if (packet.readBigUInt64LE(0) === 0n) {
      void this.onPlain(packet);
      return;
    }
    const keyId = packet.readBigUInt64LE(0).toString();
    if (keyId !== this.keyId) {
      const rec = this.host.authKeyRecord(keyId);
      if (!rec) {
        // Telegram's transport error for an unknown auth key: GramJS then makes a new key.
        const err = Buffer.alloc(4);
        err.writeInt32LE(-404, 0);
        this.writePacket(err);
        return;
      }
      this.keyId = keyId;
      this.authKey = Buffer.from(rec.keyHex, 'hex');
      this.authKeyIdBuf = packet.subarray(0, 8);
    }
    const msg = decryptClientMessage(this.authKey as Buffer, packet);
    if (!msg) {
      this.host.debug('message with a bad msg_key: ignored');
      return;
    }
    this.salt = Buffer.from(msg.salt);
    this.sessionId = Buffer.from(msg.sessionId);
    this.onBody(Buffer.from(msg.msgId), msg.body);
  }

  private async onPlain(packet: Buffer): Promise<void> {
    try {
      const length = packet.readInt32LE(16);
      const obj = new BinaryReader(packet.subarray(20, 20 + length)).tgReadObject();
      this.handshake ??= new Handshake(this.host.rsa);
      const { answer, authKey } = await this.handshake.handle(obj);
      if (authKey) {
        const key = authKey.getKey() as Buffer;
        const keyIdBuf = Buffer.alloc(8);
        keyIdBuf.writeBigUInt64LE(BigInt((authKey.keyId as { toString(): string }).toString()), 0);
        this.host.registerAuthKey(keyIdBuf.readBigUInt64LE(0).toString(), key);
        this.handshake = undefined;
      }
      const body = answer.getBytes();
      const head = Buffer.alloc(20);
      this.host.nextMsgId().copy(head, 8);
      head.writeInt32LE(body.length, 16);
      this.writePacket(Buffer.concat([head, body]));
    } catch (err) {
      this.host.debug(`handshake failed: ${(err as Error).message}`);
      this.close();
    }
  }

  private onBody(msgId: Buffer, body: Buffer): void {
    const ctor = body.readUInt32LE(0);
    if (ctor === CONTAINER) {
      const count = body.readInt32LE(4);
      let at = 8;
      for (let i = 0; i < count; i++) {
        const innerId = body.subarray(at, at + 8);
        const len = body.readInt32LE(at + 12);
        this.onBody(Buffer.from(innerId), body.subarray(at + 16, at + 16 + len));
        at += 16 + len;
      }
      return;
    }
    if (ctor === GZIP_PACKED) {
      const data = new BinaryReader(body.subarray(4)).tgReadBytes();
      this.onBody(msgId, unzipSync(data));
      return;
    }
    let obj: unknown;
    try {
      obj = new BinaryReader(body).tgReadObject();
    } catch {
      this.sendError(msgId, 400, 'INPUT_CONSTRUCTOR_INVALID');
      return;
    }
    if (obj instanceof Api.Ping || obj instanceof Api.PingDelayDisconnect) {
      this.sendEncrypted(new Api.Pong({ msgId: readBigIntFromBuffer(msgId, true, true), pingId: obj.pingId }).getBytes());
      return;
    }
    if (obj instanceof Api.DestroySession) {
      this.sendResult(msgId, new Api.DestroySessionOk({ sessionId: obj.sessionId }));
      return;
    }
    if (obj && typeof obj === 'object' && 'classType' in obj && obj.classType === 'request') {
      void this.dispatch(msgId, obj as unknown as { CONSTRUCTOR_ID: number; className: string });
    }
    // msgs_ack and other service messages need no answer.
  }

  private async dispatch(msgId: Buffer, outer: { CONSTRUCTOR_ID: number; className: string }): Promise<void> {
    let req: { CONSTRUCTOR_ID: number; className: string; query?: unknown } = outer;
    while (
      req instanceof Api.InvokeWithLayer ||
      req instanceof Api.InitConnection ||
      req instanceof Api.InvokeWithoutUpdates ||
      req instanceof Api.InvokeAfterMsg ||
      req instanceof Api.InvokeAfterMsgs
    ) {
      req = req.query as typeof req;
    }
    const method = req.className;
    const part = 'filePart' in req && typeof req.filePart === 'number' ? req.filePart : undefined;
    const fault = this.host.faults.take(method, part);
    if (fault?.kind === 'holdReply') return this.holdReply(msgId, req, fault.ms);
    if (fault) {
      this.host.debug(`fault ${fault.kind} on ${method}`);
      switch (fault.kind) {
        case 'floodWait':
          return this.sendError(msgId, 420, `FLOOD_WAIT_${fault.seconds}`);
        case 'rpcError':
          return this.sendError(msgId, fault.code, fault.message);
        case 'stall':
          return;
        case 'dropConnection':
          return this.close();
      }
    }
    const handler = handlerFor(req);
    this.host.countRequest(method, Boolean(handler));
    if (!handler) return this.sendError(msgId, 400, 'INPUT_METHOD_INVALID');
    try {
      const result = await handler(this.context(), req);
      if (result === STALL) return;
      this.sendResult(msgId, result);
    } catch (err) {
      if (err instanceof RpcFailure) return this.sendError(msgId, err.code, err.errorMessage);
      this.host.debug(`${method} failed: ${(err as Error).stack}`);
      this.sendError(msgId, 500, 'INTERNAL_SERVER_ERROR');
    }
  }

  /** The holdReply fault: the request takes effect, its answer comes late or never. */
  private async holdReply(msgId: Buffer, req: { CONSTRUCTOR_ID: number; className: string }, ms?: number): Promise<void> {
    const handler = handlerFor(req);
    this.host.countRequest(req.className, Boolean(handler));
    if (!handler) return;
    let result: TlSerializable | typeof STALL | undefined;
    let failure: RpcFailure | undefined;
    try {
      result = await handler(this.context(), req);
    } catch (err) {
      failure = err instanceof RpcFailure ? err : new RpcFailure(500, 'INTERNAL_SERVER_ERROR');
    }
    if (ms === undefined) return;
    await new Promise((r) => setTimeout(r, ms));
    if (failure) return this.sendError(msgId, failure.code, failure.errorMessage);
    if (result && result !== STALL) this.sendResult(msgId, result);
  }

  private context(): CallContext {
    const keyId = this.keyId as string;
    const auth = this.host.authKeyRecord(keyId) as AuthKeyRecord;
    const core = this.host;
    return {
      core,
      keyId,
      auth,
      user() {
        const u = auth.userId !== undefined ? core.state.userById(auth.userId) : undefined;
        if (!u) throw new RpcFailure(401, 'AUTH_KEY_UNREGISTERED');
        return u;
      },
    };
  }

  private sendResult(reqMsgId: Buffer, result: TlSerializable): void {
    const head = Buffer.alloc(12);
    head.writeUInt32LE(RPC_RESULT, 0);
    reqMsgId.copy(head, 4);
    this.sendEncrypted(Buffer.concat([head, result.getBytes()]));
  }

  private sendError(reqMsgId: Buffer, code: number, message: string): void {
    this.sendResult(reqMsgId, new Api.RpcError({ errorCode: code, errorMessage: message }));
  }

  private sendEncrypted(body: Buffer): void {
    if (this.closed || !this.authKey || !this.authKeyIdBuf || !this.sessionId) return;
    const seqNo = this.serverSeq++ * 2 + 1;
    const packet = encryptServerMessage(this.authKey, this.authKeyIdBuf, {
      salt: this.salt,
      sessionId: this.sessionId,
      msgId: this.host.nextMsgId(),
      seqNo,
      body,
    });
    this.writePacket(packet);
  }
}
