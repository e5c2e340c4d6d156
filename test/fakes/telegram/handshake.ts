/**
 * Server side of MTProto's auth key exchange (req_pq_multi, req_DH_params, set_client_DH_params),
 * answering GramJS's network/Authenticator.ts step by step with its own Api classes.
 */
import { createDiffieHellman, createHash, randomBytes } from 'node:crypto';
import type { DiffieHellman } from 'node:crypto';
import { Api } from 'telegram';
import { AuthKey } from 'telegram/crypto/AuthKey';
import { IGE } from 'telegram/crypto/IGE';
import { BinaryReader } from 'telegram/extensions';
import { generateKeyDataFromNonce } from 'telegram/Helpers';
import type { StandInKey } from './keys';
import { big, nowSec, randomBigInt } from './tl';
import type { BigInteger, TlSerializable } from './tl';

/** Telegram's 2048-bit DH prime (GramJS's Password.ts accepts only this one for SRP too). */
export const TELEGRAM_PRIME = Buffer.from(
  'c71caeb9c6b1c9048e6c522f70f13f73980d40238e3e21c14934d037563d930f48198a0aa7c14058229493d22530f4dbfa336f6e0ac925139543aed44cce7c3720fd51f69458705ac68cd4fe6b6b13abdc9746512969328454f18faf8c595f642477fe96bb2a941d5bcd1d4ac8cc49880708fa9b378e3c4f3a9060bee67cf9a4a4a695811051907e162753b56b0f6b410dba74d8a84b2a14b3144e0ef1284754fd17ed950d5965b4b9dd46582db1178d169c6bc465b0d6ff9ca3928fef5b9ae4e418fc15e83ebea0f87fa9ff5eed70050ded2849f47bf959d956850ce929851f0d8115f635b105ee2e4e15d04b2454bf6f4fadf034b10403119cd8e3b92fcc5b',
  'hex',
);
const G = 3;
// A real pq from Telegram's documentation: GramJS factorises it quickly.
const P = 1229739323n;
const Q = 1402015859n;

function u32be(n: bigint): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(Number(n), 0);
  return b;
}

function sha1(data: Buffer): Buffer {
  return createHash('sha1').update(data).digest();
}

function sha256(data: Buffer): Buffer {
  return createHash('sha256').update(data).digest();
}

function xor(a: Buffer, b: Buffer): Buffer {
  const out = Buffer.alloc(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] ^ b[i];
  return out;
}

export class HandshakeError extends Error {}

let sharedDh: DiffieHellman | undefined;

/**
 * One DH object over Telegram's prime for the process: Node checks the prime's safety when the
 * object is created (~0.5 s), so it is made once and each exchange sets its own private key
 * right before use (synchronously, so exchanges cannot interleave).
 */
export function telegramDh(): DiffieHellman {
  sharedDh ??= createDiffieHellman(TELEGRAM_PRIME, G);
  return sharedDh;
}

/** One connection's key exchange. `handle` returns the answer and, at the end, the new key. */
export class Handshake {
  private nonce?: BigInteger;
  private serverNonce?: BigInteger;
  private newNonce?: BigInteger;
  private dhPrivate?: Buffer;
  private keyIv?: { key: Buffer; iv: Buffer };

  constructor(private readonly rsa: StandInKey) {}

  async handle(obj: unknown): Promise<{ answer: TlSerializable; authKey?: AuthKey }> {
    if (obj instanceof Api.ReqPqMulti || obj instanceof Api.ReqPq) {
      this.nonce = obj.nonce;
      this.serverNonce = randomBigInt(16);
      const pq = Buffer.alloc(8);
      pq.writeBigUInt64BE(P * Q, 0);
      return {
        answer: new Api.ResPQ({
          nonce: obj.nonce,
          serverNonce: this.serverNonce,
          pq,
          serverPublicKeyFingerprints: [big(this.rsa.fingerprint)],
        }),
      };
    }
    if (obj instanceof Api.ReqDHParams) return { answer: await this.dhParams(obj) };
    if (obj instanceof Api.SetClientDHParams) return this.clientDh(obj);
    throw new HandshakeError(`unexpected plain message ${describe(obj)}`);
  }

  private checkNonces(obj: { nonce: BigInteger; serverNonce: BigInteger }): void {
    if (!this.nonce || !this.serverNonce || !obj.nonce.eq(this.nonce) || !obj.serverNonce.eq(this.serverNonce)) {
      throw new HandshakeError('nonce mismatch');
    }
  }

  private async dhParams(req: Api.ReqDHParams): Promise<TlSerializable> {
    this.checkNonces(req);
    if (req.publicKeyFingerprint.toString() !== this.rsa.fingerprint) throw new HandshakeError('unknown key fingerprint');
    if (u32be(P).compare(req.p) !== 0 || u32be(Q).compare(req.q) !== 0) throw new HandshakeError('wrong p/q');
    // RSA_PAD: temp_key_xor(32) + AES-IGE(data reversed + sha256(temp_key + data)).
    const m = this.rsa.decryptRaw(req.encryptedData);
    const aesEncrypted = m.subarray(32);
    const tempKey = xor(m.subarray(0, 32), sha256(aesEncrypted));
    const dataWithHash = new IGE(tempKey, Buffer.alloc(32)).decryptIge(aesEncrypted);
    const data = Buffer.from(dataWithHash.subarray(0, 192)).reverse();
    if (!sha256(Buffer.concat([tempKey, data])).equals(dataWithHash.subarray(192, 224))) {
      throw new HandshakeError('RSA_PAD hash mismatch');
    }
    const inner = new BinaryReader(data).tgReadObject();
    if (!(inner instanceof Api.PQInnerData || inner instanceof Api.PQInnerDataDc)) {
      throw new HandshakeError(`unexpected inner data ${describe(inner)}`);
    }
    this.checkNonces(inner);
    this.newNonce = inner.newNonce;
    this.dhPrivate = randomBytes(256);
    const dh = telegramDh();
    dh.setPrivateKey(this.dhPrivate);
    const gA = dh.generateKeys();
    const answer = new Api.ServerDHInnerData({
      nonce: req.nonce,
      serverNonce: req.serverNonce,
      g: G,
      dhPrime: TELEGRAM_PRIME,
      gA,
      serverTime: nowSec(),
    }).getBytes();
    this.keyIv = await generateKeyDataFromNonce(req.serverNonce, inner.newNonce);
    const withHash = Buffer.concat([sha1(answer), answer]);
    const padded = Buffer.concat([withHash, randomBytes((16 - (withHash.length % 16)) % 16)]);
    return new Api.ServerDHParamsOk({
      nonce: req.nonce,
      serverNonce: req.serverNonce,
      encryptedAnswer: new IGE(this.keyIv.key, this.keyIv.iv).encryptIge(padded),
    });
  }

  private async clientDh(req: Api.SetClientDHParams): Promise<{ answer: TlSerializable; authKey: AuthKey }> {
    this.checkNonces(req);
    if (!this.dhPrivate || !this.keyIv || !this.newNonce) throw new HandshakeError('set_client_DH_params before req_DH_params');
    const plain = new IGE(this.keyIv.key, this.keyIv.iv).decryptIge(req.encryptedData);
    const reader = new BinaryReader(plain);
    reader.read(20);
    const inner = reader.tgReadObject();
    if (!(inner instanceof Api.ClientDHInnerData)) throw new HandshakeError(`unexpected client DH ${describe(inner)}`);
    // GramJS keeps the auth key as the minimal big-endian number: drop leading zero bytes too.
    const dh = telegramDh();
    dh.setPrivateKey(this.dhPrivate);
    let secret = dh.computeSecret(inner.gB);
    let start = 0;
    while (start < secret.length - 1 && secret[start] === 0) start++;
    secret = secret.subarray(start);
    const authKey = new AuthKey();
    await authKey.setKey(Buffer.from(secret));
    const newNonceHash1 = await authKey.calcNewNonceHash(this.newNonce, 1);
    return {
      answer: new Api.DhGenOk({ nonce: req.nonce, serverNonce: req.serverNonce, newNonceHash1 }),
      authKey,
    };
  }
}

function describe(obj: unknown): string {
  return obj && typeof obj === 'object' && 'className' in obj ? String(obj.className) : typeof obj;
}
