/** MTProto 2.0 message encryption, server side (x = 0 for client->server, 8 for server->client). */
import { createHash, randomBytes } from 'node:crypto';
import { IGE } from 'telegram/crypto/IGE';

export interface ClientMessage {
  salt: Buffer;
  sessionId: Buffer;
  /** The client's msg_id, raw 8 bytes (little-endian), echoed in rpc_result. */
  msgId: Buffer;
  seqNo: number;
  body: Buffer;
}

function sha256(...parts: Buffer[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

function keyIv(authKey: Buffer, msgKey: Buffer, x: number): { key: Buffer; iv: Buffer } {
  const a = sha256(msgKey, authKey.subarray(x, x + 36));
  const b = sha256(authKey.subarray(x + 40, x + 76), msgKey);
  return {
    key: Buffer.concat([a.subarray(0, 8), b.subarray(8, 24), a.subarray(24, 32)]),
    iv: Buffer.concat([b.subarray(0, 8), a.subarray(8, 24), b.subarray(24, 32)]),
  };
}

/** Decrypts `auth_key_id + msg_key + data`; returns undefined when the msg_key does not match. */
export function decryptClientMessage(authKey: Buffer, packet: Buffer): ClientMessage | undefined {
  if (packet.length < 24 + 32 || (packet.length - 24) % 16 !== 0) return undefined;
  const msgKey = packet.subarray(8, 24);
  const { key, iv } = keyIv(authKey, msgKey, 0);
  const plain = new IGE(key, iv).decryptIge(packet.subarray(24));
  if (!sha256(authKey.subarray(88, 120), plain).subarray(8, 24).equals(msgKey)) return undefined;
  const length = plain.readInt32LE(28);
  if (length < 0 || 32 + length > plain.length) return undefined;
  return {
    salt: plain.subarray(0, 8),
    sessionId: plain.subarray(8, 16),
    msgId: plain.subarray(16, 24),
    seqNo: plain.readInt32LE(24),
    body: plain.subarray(32, 32 + length),
  };
}

export function encryptServerMessage(authKey: Buffer, authKeyId: Buffer, m: { salt: Buffer; sessionId: Buffer; msgId: Buffer; seqNo: number; body: Buffer }): Buffer {
  const head = Buffer.alloc(32);
  m.salt.copy(head, 0);
  m.sessionId.copy(head, 8);
  m.msgId.copy(head, 16);
  head.writeInt32LE(m.seqNo, 24);
  head.writeInt32LE(m.body.length, 28);
  const unpadded = 32 + m.body.length;
  const padding = randomBytes(12 + ((16 - ((unpadded + 12) % 16)) % 16));
  const plain = Buffer.concat([head, m.body, padding]);
  const msgKey = sha256(authKey.subarray(96, 128), plain).subarray(8, 24);
  const { key, iv } = keyIv(authKey, msgKey, 8);
  return Buffer.concat([authKeyId, msgKey, new IGE(key, iv).encryptIge(plain)]);
}
