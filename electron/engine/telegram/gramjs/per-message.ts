import { createDecipheriv, createHash, randomFillSync } from 'node:crypto';
import { createRequire } from 'node:module';

/**
 * Fast paths for the JS GramJS runs once or twice per MTProto message (every upload part is one
 * message, and so is the ack sent for each reply). Measured with a sampling heap profile of a
 * 256 MiB upload: 50 MB of short-lived JS objects, of which the msgs_ack serialisation (8.3 MB:
 * each 64-bit id cut into bytes through eight big-integer shifts, via the helper api.js binds at
 * load time, out of reach of bigints.ts) and _calcKey's Buffer.concat pieces (5.7 MB) were the
 * largest, then msg_id arithmetic (3.2 MB); every young-generation GC that garbage causes may start a full mark-compact. Each
 * function returns exactly GramJS's bytes (test/telegram/per-message.test.ts compares them).
 */

const require = createRequire(import.meta.url);

interface BigIntegerLike {
  value: unknown;
}
interface AckLike {
  msgIds: unknown[];
}
const api = require('telegram/tl/api') as { Api: { MsgsAck: { prototype: { getBytes(this: AckLike): Buffer }; CONSTRUCTOR_ID: number } } };
const helpers = require('telegram/Helpers') as { generateRandomBytes: (n: number) => Buffer; returnBigInt: (v: unknown) => BigIntegerLike };
interface StateLike {
  _calcKey(authKey: Buffer, msgKey: Buffer, client: boolean): Promise<{ key: Buffer; iv: Buffer }>;
  _getNewMsgId(this: MsgIdState): unknown;
}
interface MsgIdState {
  timeOffset: number;
  _lastMsgId: unknown;
}
const bigInteger = require('big-integer') as (v: bigint) => BigIntegerLike;
const stateModule = require('telegram/network/MTProtoState') as { MTProtoState: { prototype: StateLike } };

/** GramJS's own versions, for the tests that compare. */
export const perMessageOriginals: {
  ackGetBytes?: (this: AckLike) => Buffer;
  calcKey?: StateLike['_calcKey'];
  getNewMsgId?: StateLike['_getNewMsgId'];
  generateRandomBytes?: (n: number) => Buffer;
} = {};

/** Vector constructor (0x1cb5c415) as TL writes it, little-endian. */
const VECTOR_ID = 0x1cb5c415;

/**
 * msgs_ack#62d6b459 msg_ids:Vector<long>: constructor, vector id, count, then each id as GramJS's
 * toSignedLittleBuffer writes a long (the low 64 bits, two's complement, little-endian). An id that
 * is not a native big-integer goes to GramJS's own serialiser.
 */
function ackGetBytes(this: AckLike): Buffer {
  const ids = this.msgIds;
  const out = Buffer.allocUnsafe(12 + 8 * ids.length);
  out.writeUInt32LE(api.Api.MsgsAck.CONSTRUCTOR_ID, 0);
  out.writeUInt32LE(VECTOR_ID, 4);
  out.writeInt32LE(ids.length, 8);
  for (let k = 0; k < ids.length; k++) {
    const v = helpers.returnBigInt(ids[k]).value;
    if (typeof v !== 'bigint') return perMessageOriginals.ackGetBytes!.call(this);
    out.writeBigUInt64LE(BigInt.asUintN(64, v), 12 + 8 * k);
  }
  return out;
}

/**
 * MTProto 2.0 key and IV (core.telegram.org/mtproto/description#defining-aes-key-and-initialization-vector),
 * as GramJS computes them, with the hash inputs fed in pieces instead of concatenated.
 */
async function calcKey(authKey: Buffer, msgKey: Buffer, client: boolean): Promise<{ key: Buffer; iv: Buffer }> {
  const x = client ? 0 : 8;
  const a = createHash('sha256')
    .update(msgKey)
    .update(authKey.subarray(x, x + 36))
    .digest();
  const b = createHash('sha256')
    .update(authKey.subarray(x + 40, x + 76))
    .update(msgKey)
    .digest();
  const key = Buffer.allocUnsafe(32);
  a.copy(key, 0, 0, 8);
  b.copy(key, 8, 8, 24);
  a.copy(key, 24, 24, 32);
  const iv = Buffer.allocUnsafe(32);
  b.copy(iv, 0, 0, 8);
  a.copy(iv, 8, 8, 24);
  b.copy(iv, 24, 24, 32);
  return { key, iv };
}

/**
 * msg_id as GramJS makes it (seconds << 32 | nanoseconds << 2, and 4 past the last one when the
 * clock has not moved on), in native BigInt instead of five big-integer operations per message.
 */
function getNewMsgId(this: MsgIdState): unknown {
  const last = helpers.returnBigInt(this._lastMsgId).value;
  if (typeof last !== 'bigint') return perMessageOriginals.getNewMsgId!.call(this);
  const now = new Date().getTime() / 1000 + this.timeOffset;
  const nanoseconds = Math.floor((now - Math.floor(now)) * 1e9);
  let id = (BigInt(Math.floor(now)) << 32n) | (BigInt(nanoseconds) << 2n);
  if (last >= id) id = last + 4n;
  const out = bigInteger(id);
  this._lastMsgId = out;
  return out;
}

/** Incoming messages up to this size are IGE-decrypted natively (larger ones by GramJS's JS AES). */
export const NATIVE_DECRYPT_MAX = 512;

/**
 * AES-256-IGE decryption (x_i = D(c_i ^ x_(i-1)) ^ c_(i-1), IV = c_0 || x_0 as GramJS splits it),
 * one native ECB block at a time. For the small replies an upload gets (rpc_result, acks, under
 * 512 bytes) this is about twice as fast as GramJS's JS AES, which expands the key every message.
 */
export function igeDecryptSmall(key: Buffer, iv: Buffer, cipher: Buffer): Buffer {
  const d = createDecipheriv('aes-256-ecb', key, null);
  d.setAutoPadding(false);
  const out = Buffer.allocUnsafe(cipher.length);
  const t = Buffer.allocUnsafe(16);
  let prevCipher = iv.subarray(0, 16);
  let prevPlain = iv.subarray(16, 32);
  for (let o = 0; o < cipher.length; o += 16) {
    for (let k = 0; k < 16; k++) t[k] = cipher[o + k]! ^ prevPlain[k]!;
    const block = d.update(t);
    for (let k = 0; k < 16; k++) out[o + k] = block[k]! ^ prevCipher[k]!;
    prevCipher = cipher.subarray(o, o + 16);
    prevPlain = out.subarray(o, o + 16);
  }
  return out;
}

/** Random bytes are cut from this much CSPRNG output at a time. */
const RANDOM_POOL_BYTES = 4096;
let randomPool = Buffer.alloc(0);
let randomAt = 0;

/**
 * Random bytes from Node's CSPRNG, drawn a pool at a time: GramJS fills a Uint8Array through
 * WebCrypto's getRandomValues and copies it into a Buffer for each 12-27 bytes of message
 * padding (about 1.5% of the upload's main-thread CPU, perf). Each byte is handed out once, as a
 * copy, so no two callers share memory.
 */
function generateRandomBytes(count: number): Buffer {
  if (count > RANDOM_POOL_BYTES / 4) return randomFillSync(Buffer.allocUnsafe(count));
  if (randomAt + count > randomPool.length) {
    randomPool = randomFillSync(Buffer.allocUnsafeSlow(RANDOM_POOL_BYTES));
    randomAt = 0;
  }
  const out = Buffer.from(randomPool.subarray(randomAt, randomAt + count));
  randomAt += count;
  return out;
}

/** Installs the fast paths (called once, from installGramjsSpeedups). */
export function installPerMessageSpeedups(): void {
  const ack = api.Api.MsgsAck.prototype;
  perMessageOriginals.ackGetBytes = ack.getBytes;
  ack.getBytes = ackGetBytes;
  perMessageOriginals.calcKey = stateModule.MTProtoState.prototype._calcKey;
  stateModule.MTProtoState.prototype._calcKey = calcKey;
  perMessageOriginals.getNewMsgId = stateModule.MTProtoState.prototype._getNewMsgId;
  stateModule.MTProtoState.prototype._getNewMsgId = getNewMsgId;
  perMessageOriginals.generateRandomBytes = helpers.generateRandomBytes;
  helpers.generateRandomBytes = generateRandomBytes;
}
