import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { installBigIntFastPaths, type BigIntHelpers } from './bigints';
import { igeDecryptSmall, installPerMessageSpeedups, NATIVE_DECRYPT_MAX } from './per-message';

/**
 * Runtime adjustments to GramJS, applied to the very module instances the client uses
 * (required through Node's CommonJS cache, like GramJS requires them itself). Every patch
 * produces the same bytes as GramJS (tests compare them); they only cut CPU and copies:
 * - outgoing AES-IGE via one native AES-256-CBC call plus two SIMD XOR passes,
 * - MTProtoState.encryptMessageData hashing/encrypting pieces instead of concatenating them,
 * - TCP-full framing in place, CRC32 via zlib, and no futile "gzip if smaller" copies,
 * - native 64-bit conversions in the big-integer helpers (bigints.ts),
 * - per-message JS without big-integer byte cutting or concatenated pieces (per-message.ts),
 */

const require = createRequire(import.meta.url);

interface IgeInstance {
  encryptIge(plain: Buffer): Buffer;
  decryptIge(cipher: Buffer): Buffer;
}
type IgeClass = new (key: Buffer, iv: Buffer) => IgeInstance;
interface IgeModule {
  IGE: IgeClass;
}
const igeModule = require('telegram/crypto/IGE') as IgeModule;
const helpersModule = require('telegram/Helpers') as {
  crc32: (buf: Buffer) => number;
  generateRandomBytes: (n: number) => Buffer;
  toSignedLittleBuffer: (big: unknown, bytes: number) => Buffer;
  readBufferFromBigInt: (big: unknown, bytes: number, little?: boolean, signed?: boolean) => Buffer;
  returnBigInt: (value: string) => unknown;
} & BigIntHelpers;

interface MTProtoStateLike {
  authKey?: { waitForKey(): Promise<void>; getKey(): Buffer | undefined; keyId?: unknown };
  salt: unknown;
  id: unknown;
  _calcKey(authKey: Buffer, msgKey: Buffer, client: boolean): Promise<{ key: Buffer; iv: Buffer }>;
  encryptMessageData(data: Buffer): Promise<Buffer>;
}
const stateModule = require('telegram/network/MTProtoState') as { MTProtoState: { prototype: MTProtoStateLike } };
const gzipModule = require('telegram/tl/core/GZIPPacked') as { GZIPPacked: { gzipIfSmaller(contentRelated: boolean, data: Buffer): Promise<Buffer> } };
const tcpFullModule = require('telegram/network/connection/TCPFull') as { FullPacketCodec: { prototype: { encodePacket(data: Buffer): Buffer; _sendCounter: number } } };
const writerModule = require('telegram/extensions/BinaryWriter') as { BinaryWriter: { prototype: { _buffers: Buffer[]; getValue(): Buffer } } };
interface PackerState {
  data: Buffer;
}
interface PackerLike {
  _queue: Array<PackerState | undefined>;
  get(): Promise<unknown>;
}
const packerModule = require('telegram/extensions/MessagePacker') as { MessagePacker: { prototype: PackerLike } };

/** GramJS's own pure-JS IGE, kept for decryption and as the reference in tests. */
export const GramjsIGE: IgeClass = igeModule.IGE;

/**
 * IGE encryption as CBC: for plaintext blocks x_i and IV (y_0, x_0), with p_1 = x_1 and
 * p_i = x_i ^ x_(i-2), z = AES-CBC(IV = y_0, p) and y_i = z_i ^ x_(i-1).
 */
export function igeEncryptNative(key: Buffer, iv: Buffer, plain: Buffer, useSimd = true): Buffer {
  return igeEncryptParts(key, iv, [plain], [], undefined, useSimd);
}

export const simdAvailable = (): boolean => simd !== undefined;

// Scratch memory reused between calls (each call is synchronous, so senders never share it
// mid-use): IGE on a 512 KiB part then allocates only the cipher output and the result.
let scratchX = new Uint32Array(0);
let scratchP = new Uint32Array(0);

function words(buf: Buffer): Uint32Array | undefined {
  return buf.byteOffset % 4 === 0 ? new Uint32Array(buf.buffer, buf.byteOffset, buf.length >> 2) : undefined;
}

/**
 * A 200-byte WebAssembly module with one SIMD function, xor(dst, a, b, n): dst[i] = a[i] ^ b[i]
 * for n bytes (n a multiple of 16), over its exported memory. JS has no vector XOR; this does the
 * two XOR passes of IGE-as-CBC several times faster than a 32-bit JS loop.
 */
function wasmXor(): { xor: (dst: number, a: number, b: number, n: number) => void; mem: WebAssembly.Memory } | undefined {
  // prettier-ignore
  const body = [
    0x00, 0x02, 0x40, 0x03, 0x40, // no locals; block; loop
    0x20, 0x03, 0x45, 0x0d, 0x01, // if n == 0 break
    0x20, 0x00, 0x20, 0x01, 0xfd, 0x00, 0x00, 0x00, 0x20, 0x02, 0xfd, 0x00, 0x00, 0x00, // dst, load a, load b
    0xfd, 0x51, 0xfd, 0x0b, 0x00, 0x00, // v128.xor; v128.store
    0x20, 0x00, 0x41, 0x10, 0x6a, 0x21, 0x00, 0x20, 0x01, 0x41, 0x10, 0x6a, 0x21, 0x01, // dst += 16; a += 16
    0x20, 0x02, 0x41, 0x10, 0x6a, 0x21, 0x02, 0x20, 0x03, 0x41, 0x10, 0x6b, 0x21, 0x03, // b += 16; n -= 16
    0x0c, 0x00, 0x0b, 0x0b, 0x0b, // continue; end loop; end block; end func
  ];
  // prettier-ignore
  const bytes = new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    0x01, 0x08, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x00, // type (i32 x4) -> ()
    0x03, 0x02, 0x01, 0x00, // one function
    0x05, 0x03, 0x01, 0x00, 0x01, // memory, 1 page
    0x07, 0x0d, 0x02, 0x03, 0x78, 0x6f, 0x72, 0x00, 0x00, 0x03, 0x6d, 0x65, 0x6d, 0x02, 0x00, // export xor, mem
    0x0a, body.length + 2, 0x01, body.length, ...body,
  ]);
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes));
    const { xor, mem } = instance.exports as { xor: (dst: number, a: number, b: number, n: number) => void; mem: WebAssembly.Memory };
    return { xor, mem };
  } catch {
    return undefined; // no SIMD: the 32-bit JS path is used
  }
}
const simd = wasmXor();

/**
 * The SIMD path, with the cipher's own output buffer as the result: Node's cipher.update always
 * returns a new buffer, so a second one for prefix + ciphertext would double the external memory
 * churn per message (512 KiB parts: V8 then runs a full mark-compact every few parts for "external
 * memory pressure", which made upload CPU bimodal). Leading blocks are fed to CBC so its output
 * starts with room for the prefix and framing: with `lead` zero blocks and IV' = D^lead(y_0), the
 * lead-th output block is y_0 itself, so the real blocks chain from y_0 as IGE-as-CBC needs.
 */
function igeIntoCipherOutput(key: Buffer, iv: Buffer, parts: Buffer[], prefix: Buffer[], room: { before: number; after: number }, n: number, head: number): Buffer {
  const wasm = simd!;
  const before = room.before + head;
  const leadBlocks = Math.ceil(before / 16);
  const lead = leadBlocks * 16;
  const tail = Math.ceil(room.after / 16) * 16;
  // IV' = D^leadBlocks(y_0): encrypting leadBlocks zero blocks from it ends on y_0.
  let chainIv = iv.subarray(0, 16);
  if (leadBlocks > 0) {
    const ecb = createDecipheriv('aes-256-ecb', key, null);
    ecb.setAutoPadding(false);
    for (let b = 0; b < leadBlocks; b++) chainIv = ecb.update(chainIv);
  }
  // Wasm memory: X = x_0 || plaintext at 0; P' = lead zeros || p || tail zeros at n + 16; C at P + P'.length.
  const P = n + 16;
  const total = lead + n + tail;
  const C = P + total;
  const need = C + n;
  if (wasm.mem.buffer.byteLength < need) wasm.mem.grow(Math.ceil((need - wasm.mem.buffer.byteLength) / 65536));
  const mem = Buffer.from(wasm.mem.buffer);
  iv.copy(mem, 0, 16, 32);
  let at = 16;
  for (const part of parts) at += part.copy(mem, at);
  mem.fill(0, P, P + lead);
  mem.fill(0, P + lead + n, P + total);
  // p_1 = x_1; p_i = x_i ^ x_(i-2)
  mem.copy(mem, P + lead, 16, 32);
  if (n > 16) wasm.xor(P + lead + 16, 32, 0, n - 16);
  const cipher = createCipheriv('aes-256-cbc', key, chainIv);
  cipher.setAutoPadding(false);
  const z = cipher.update(mem.subarray(P, P + total));
  cipher.final();
  // y_i = z_i ^ x_(i-1), through wasm memory (SIMD XOR), back into z.
  z.copy(mem, C, lead, lead + n);
  wasm.xor(C, C, 0, n);
  mem.copy(z, lead, C, C + n);
  const out = z.subarray(lead - head, lead + n);
  let o = 0;
  for (const part of prefix) o += part.copy(out, o);
  return out;
}

/**
 * IGE-encrypts the concatenation of `parts` and returns `prefix` followed by the ciphertext,
 * without concatenating the inputs first.
 */
export function igeEncryptParts(
  key: Buffer,
  iv: Buffer,
  parts: Buffer[],
  prefix: Buffer[],
  room: { before: number; after: number } = { before: 0, after: 0 },
  /** false forces the plain-JS XOR path (tests cover both). */
  useSimd = true,
): Buffer {
  let n = 0;
  for (const part of parts) n += part.length;
  if (n % 16 !== 0) throw new Error(`IGE: plaintext length ${n} is not a multiple of 16`);
  let head = 0;
  for (const part of prefix) head += part.length;
  if ((room.before + head) % 4 !== 0) throw new Error('IGE: room before + prefix length must be a multiple of 4');
  if (simd && useSimd && n > 0) return igeIntoCipherOutput(key, iv, parts, prefix, room, n, head);
  // Optional unused room around the result lets the TCP framing fill it in place.
  const out = Buffer.allocUnsafeSlow(room.before + head + n + room.after).subarray(room.before, room.before + head + n);
  let o = 0;
  for (const part of prefix) o += part.copy(out, o);
  if (n === 0) return out;
  const cipher = createCipheriv('aes-256-cbc', key, iv.subarray(0, 16));
  cipher.setAutoPadding(false);
  // x = x_0 || plaintext in aligned scratch memory so XOR runs on 32-bit words.
  const wordsNeeded = (n + 16) >> 2;
  if (scratchX.length < wordsNeeded) {
    scratchX = new Uint32Array(wordsNeeded);
    scratchP = new Uint32Array(wordsNeeded);
  }
  const x = scratchX;
  const xBytes = Buffer.from(x.buffer, 0, n + 16);
  iv.copy(xBytes, 0, 16, 32);
  let at = 16;
  for (const part of parts) at += part.copy(xBytes, at);
  // p_1 = x_1, p_i = x_i ^ x_(i-2): in words, p[k] = x[k+4] ^ x[k-4] for k >= 4 (x_0 sits at 0..3).
  const p = scratchP;
  const nw = n >> 2;
  for (let k = 0; k < 4; k++) p[k] = x[k + 4]!;
  for (let k = 4; k < nw; k++) p[k] = x[k + 4]! ^ x[k - 4]!;
  let z = cipher.update(Buffer.from(p.buffer, 0, n));
  cipher.final();
  // y_i = z_i ^ x_(i-1): in words, y[k] = z[k] ^ x[k].
  let zw = words(z);
  if (!zw) {
    z = Buffer.from(z);
    zw = words(z)!;
  }
  const y = new Uint32Array(out.buffer, out.byteOffset + head, nw);
  for (let k = 0; k < nw; k++) y[k] = zw[k]! ^ x[k]!;
  return out;
}

let patched = false;

/** GramJS's own implementations, kept for tests that compare outputs. */
export const originals: {
  encryptMessageData?: (this: MTProtoStateLike, data: Buffer) => Promise<Buffer>;
  gzipIfSmaller?: (contentRelated: boolean, data: Buffer) => Promise<Buffer>;
  encodePacket?: (this: { _sendCounter: number }, data: Buffer) => Buffer;
  getValue?: (this: { _buffers: Buffer[] }) => Buffer;
  packerGet?: (this: PackerLike) => Promise<unknown>;
  bigints?: BigIntHelpers;
} = {};

/** A request at least this big (an upload part) is sent in a message of its own. */
const ALONE_BYTES = 64 * 1024;

/**
 * MessagePacker.get, but a big request never shares a container: GramJS puts a waiting msgs_ack
 * (or any small request) in one container with a 512 KiB part and then copies the part three
 * times (Buffer.concat of the container, its header, the message). Whether an ack was waiting
 * depends on timing, which made upload CPU bimodal. Order is kept: the small requests before a
 * big one go first (together), then the big one alone, then the rest.
 */
async function packerGet(this: PackerLike): Promise<unknown> {
  const queue = this._queue;
  const big = queue.findIndex((s) => s !== undefined && s.data.length >= ALONE_BYTES);
  if (queue.length < 2 || big < 0 || queue.includes(undefined)) return originals.packerGet!.call(this);
  const rest = queue.slice(big === 0 ? 1 : big);
  const batch = queue.slice(0, big === 0 ? 1 : big);
  // Requests appended while this batch is packed wait behind the ones held back.
  const late: Array<PackerState | undefined> = [];
  batch.push = (...items) => late.push(...items);
  this._queue = batch;
  try {
    return await originals.packerGet!.call(this);
  } finally {
    this._queue = [...this._queue, ...rest, ...late];
  }
}

/**
 * MTProtoState.encryptMessageData (MTProto 2.0, client side) with the same bytes as GramJS's,
 * but hashing and encrypting the pieces in place instead of concatenating them three times.
 */
async function encryptMessageData(this: MTProtoStateLike, data: Buffer): Promise<Buffer> {
  if (!this.authKey) throw new Error('Auth key unset');
  await this.authKey.waitForKey();
  const authKey = this.authKey.getKey();
  if (!authKey) throw new Error('Auth key unset');
  if (!this.salt || !this.id || !this.authKey.keyId) throw new Error('Unset params');
  const s = helpersModule.toSignedLittleBuffer(this.salt, 8);
  const i = helpersModule.toSignedLittleBuffer(this.id, 8);
  const len = 16 + data.length;
  const padding = helpersModule.generateRandomBytes((((-(len + 12) % 16) + 16) % 16) + 12);
  const msgKeyLarge = createHash('sha256').update(authKey.subarray(88, 120)).update(s).update(i).update(data).update(padding).digest();
  const msgKey = msgKeyLarge.subarray(8, 24);
  const { iv, key } = await this._calcKey(authKey, msgKey, true);
  const keyId = helpersModule.readBufferFromBigInt(this.authKey.keyId, 8);
  const out = igeEncryptParts(key, iv, [s, i, data, padding], [keyId, msgKey], { before: 8, after: 4 });
  framable.add(out);
  return out;
}

/** Message bodies (upload part requests) with MESSAGE_HEADER_ROOM writable bytes before them. */
const roomyBodies = new WeakSet<Buffer>();
/** msg_id (8) + seqno (4) + length (4) that MessagePacker puts before a message body. */
export const MESSAGE_HEADER_ROOM = 16;

/** Marks a request's serialised bytes as having MESSAGE_HEADER_ROOM free bytes in front. */
export function markMessageHeaderRoom(body: Buffer): void {
  roomyBodies.add(body);
}

/**
 * MessagePacker builds each outgoing message as [empty, 16-byte header, body] and concatenates
 * them; for a part request with room in front, the header is written there instead (no copy).
 */
function getValue(this: { _buffers: Buffer[] }): Buffer {
  const b = this._buffers;
  if (b.length === 3 && b[0]!.length === 0 && b[1]!.length === MESSAGE_HEADER_ROOM && roomyBodies.has(b[2]!)) {
    const body = b[2]!;
    const whole = Buffer.from(body.buffer, body.byteOffset - MESSAGE_HEADER_ROOM, body.length + MESSAGE_HEADER_ROOM);
    b[1]!.copy(whole, 0);
    return whole;
  }
  return Buffer.concat(b);
}

/** Encrypted messages with 8 free bytes before and 4 after them, for in-place TCP framing. */
const framable = new WeakSet<Buffer>();

/** TCP-full framing (length, sequence, body, CRC32) in one allocation. */
function encodePacket(this: { _sendCounter: number }, data: Buffer): Buffer {
  let out: Buffer;
  if (framable.has(data)) {
    framable.delete(data);
    out = Buffer.from(data.buffer, data.byteOffset - 8, data.length + 12);
  } else {
    out = Buffer.allocUnsafe(data.length + 12);
    data.copy(out, 8);
  }
  out.writeInt32LE(data.length + 12, 0);
  out.writeInt32LE(this._sendCounter, 4);
  out.writeUInt32LE(helpersModule.crc32(out.subarray(0, data.length + 8)), data.length + 8);
  this._sendCounter += 1;
  return out;
}

/** Installs the native IGE encryption and CRC32 into GramJS (idempotent). */
export function installGramjsSpeedups(): void {
  if (patched) return;
  patched = true;
  const Original = GramjsIGE;
  class NativeIGE implements IgeInstance {
    constructor(
      private readonly key: Buffer,
      private readonly iv: Buffer,
    ) {}
    encryptIge(plainText: Buffer): Buffer {
      const padding = plainText.length % 16;
      // Same padding rule as GramJS: random bytes up to a whole block.
      const data = padding ? Buffer.concat([plainText, helpersModule.generateRandomBytes(16 - padding)]) : plainText;
      return igeEncryptNative(this.key, this.iv, data);
    }
    decryptIge(cipherText: Buffer): Buffer {
      if (cipherText.length <= NATIVE_DECRYPT_MAX && cipherText.length % 16 === 0) return igeDecryptSmall(this.key, this.iv, cipherText);
      return new Original(this.key, this.iv).decryptIge(cipherText);
    }
  }
  igeModule.IGE = NativeIGE;
  originals.encryptMessageData = stateModule.MTProtoState.prototype.encryptMessageData;
  originals.gzipIfSmaller = gzipModule.GZIPPacked.gzipIfSmaller;
  originals.encodePacket = tcpFullModule.FullPacketCodec.prototype.encodePacket;
  stateModule.MTProtoState.prototype.encryptMessageData = encryptMessageData;
  // GZIPPacked.gzip is the identity in this GramJS, so "gzip if smaller" never uses the gzipped
  // bytes (they are longer) yet copies a 512 KiB part three times to find out.
  gzipModule.GZIPPacked.gzipIfSmaller = async (_contentRelated: boolean, data: Buffer) => data;
  tcpFullModule.FullPacketCodec.prototype.encodePacket = encodePacket;
  originals.getValue = writerModule.BinaryWriter.prototype.getValue;
  writerModule.BinaryWriter.prototype.getValue = getValue;
  originals.packerGet = packerModule.MessagePacker.prototype.get;
  packerModule.MessagePacker.prototype.get = packerGet;
  originals.bigints = installBigIntFastPaths(helpersModule);
  installPerMessageSpeedups();
  const nativeCrc = (zlib as unknown as { crc32?: (data: Buffer) => number }).crc32;
  if (typeof nativeCrc === 'function') {
    const probe = Buffer.from('gramjs crc probe');
    if (nativeCrc(probe) === helpersModule.crc32(probe)) {
      helpersModule.crc32 = (buf: Buffer) => nativeCrc(Buffer.isBuffer(buf) ? buf : Buffer.from(buf));
    }
  }
}
