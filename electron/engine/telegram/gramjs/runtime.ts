import { createCipheriv, createHash, createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import * as zlib from 'node:zlib';
import { ConnectionTCPFull } from 'telegram/network';
import type { TestServer } from '../types';

/**
 * Runtime adjustments to GramJS, applied to the very module instances the client uses
 * (required through Node's CommonJS cache, like GramJS requires them itself):
 * - outgoing AES-IGE via one native AES-256-CBC call (byte-identical; ~7x less CPU per part),
 * - the TCP transport's CRC32 via zlib when this Node has it (same value, native),
 * - test-server RSA keys registered in GramJS's key map, and a connection class with our port.
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
};
const rsaModule = require('telegram/crypto/RSA') as {
  _serverKeys: Map<string, { n: unknown; e: number }>;
};
const bigInt = require('big-integer') as (value: string, base?: number) => unknown;

/** GramJS's own pure-JS IGE, kept for decryption and as the reference in tests. */
export const GramjsIGE: IgeClass = igeModule.IGE;

/**
 * IGE encryption as CBC: for plaintext blocks x_i and IV (y_0, x_0), with p_1 = x_1 and
 * p_i = x_i ^ x_(i-2), z = AES-CBC(IV = y_0, p) and y_i = z_i ^ x_(i-1).
 */
export function igeEncryptNative(key: Buffer, iv: Buffer, plain: Buffer): Buffer {
  const n = plain.length;
  if (n % 16 !== 0) throw new Error(`IGE: plaintext length ${n} is not a multiple of 16`);
  if (n === 0) return Buffer.alloc(0);
  // x = x_0 || plaintext, copied into fresh (4-byte aligned) memory so XOR can run on 32-bit words.
  const x = new Uint32Array((n + 16) / 4);
  const xBytes = Buffer.from(x.buffer);
  iv.copy(xBytes, 0, 16, 32);
  plain.copy(xBytes, 16);
  // p_1 = x_1, p_i = x_i ^ x_(i-2): in words, p[k] = x[k+4] ^ x[k-4] for k >= 4 (x_0 sits at 0..3).
  const p = new Uint32Array(n / 4);
  for (let k = 0; k < 4; k++) p[k] = x[k + 4]!;
  for (let k = 4; k < p.length; k++) p[k] = x[k + 4]! ^ x[k - 4]!;
  const cipher = createCipheriv('aes-256-cbc', key, iv.subarray(0, 16));
  cipher.setAutoPadding(false);
  const z = cipher.update(Buffer.from(p.buffer));
  cipher.final();
  // y_i = z_i ^ x_(i-1): in words, y[k] = z[k] ^ x[k].
  const out = new Uint32Array(n / 4);
  const zw = new Uint32Array(n / 4);
  Buffer.from(zw.buffer).set(z);
  for (let k = 0; k < out.length; k++) out[k] = zw[k]! ^ x[k]!;
  return Buffer.from(out.buffer);
}

let patched = false;

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
      return new Original(this.key, this.iv).decryptIge(cipherText);
    }
  }
  igeModule.IGE = NativeIGE;
  const nativeCrc = (zlib as unknown as { crc32?: (data: Buffer) => number }).crc32;
  if (typeof nativeCrc === 'function') {
    const probe = Buffer.from('gramjs crc probe');
    if (nativeCrc(probe) === helpersModule.crc32(probe)) {
      helpersModule.crc32 = (buf: Buffer) => nativeCrc(Buffer.isBuffer(buf) ? buf : Buffer.from(buf));
    }
  }
}

function tlBytes(data: Buffer): Buffer {
  const header = data.length < 254 ? Buffer.from([data.length]) : Buffer.from([254, data.length & 0xff, (data.length >> 8) & 0xff, (data.length >> 16) & 0xff]);
  const len = header.length + data.length;
  return Buffer.concat([header, data, Buffer.alloc((4 - (len % 4)) % 4)]);
}

/** Telegram's fingerprint of an RSA key: low 64 bits of sha1(tl(n) + tl(e)), signed LE. */
export function rsaFingerprint(publicKeyPem: string): { fingerprint: string; n: Buffer; e: Buffer } {
  let jwk: { kty?: string; n?: string; e?: string };
  try {
    jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' });
  } catch (cause) {
    throw new Error('Telegram server (testing): the public key is not a valid PEM', { cause });
  }
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error('Telegram server (testing): the public key is not an RSA key');
  const n = Buffer.from(jwk.n, 'base64url');
  const e = Buffer.from(jwk.e, 'base64url');
  const digest = createHash('sha1').update(Buffer.concat([tlBytes(n), tlBytes(e)])).digest();
  return { fingerprint: digest.subarray(12, 20).readBigInt64LE(0).toString(), n, e };
}

/** Adds a server key to GramJS's key map; returns its fingerprint. */
export function registerServerKey(publicKeyPem: string): string {
  const { fingerprint, n, e } = rsaFingerprint(publicKeyPem);
  rsaModule._serverKeys.set(fingerprint, { n: bigInt(n.toString('hex'), 16), e: e.readUIntBE(0, e.length) });
  return fingerprint;
}

export function knownServerKeyFingerprints(): string[] {
  return [...rsaModule._serverKeys.keys()];
}

type ConnectionArgs = ConstructorParameters<typeof ConnectionTCPFull>[0];

/** GramJS connects to port 80/443 whatever the session says: this class uses the test server's. */
export function testServerConnection(server: TestServer): typeof ConnectionTCPFull {
  return class TestServerConnection extends ConnectionTCPFull {
    constructor(args: ConnectionArgs) {
      // The test DC itself is at `host`; other DCs keep the address help.getConfig gave.
      super({ ...args, ip: args.dcId === server.dcId ? server.host : args.ip, port: server.port });
    }
  };
}
