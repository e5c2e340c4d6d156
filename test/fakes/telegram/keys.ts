/**
 * The stand-in's RSA key. GramJS picks the server key by fingerprint from `_serverKeys`
 * (telegram/crypto/RSA), so a client must register the public key before connecting.
 */
import { constants, createHash, createPrivateKey, createPublicKey, generateKeyPairSync, privateDecrypt } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { tlBytes } from './tl';

export interface StandInKey {
  privateKeyPem: string;
  publicKeyPem: string;
  /** Signed 64-bit fingerprint as GramJS prints it (the `_serverKeys` map key). */
  fingerprint: string;
  decryptRaw(data: Buffer): Buffer;
}

let processKeyPem: string | undefined;

/** A 2048-bit RSA key, generated once per process (new state files keep their own copy). */
export function generatePrivateKeyPem(): string {
  if (!processKeyPem) {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 65537 });
    processKeyPem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  }
  return processKeyPem;
}

export function loadKey(privateKeyPem: string): StandInKey {
  const priv = createPrivateKey(privateKeyPem);
  const pub = createPublicKey(priv);
  const publicKeyPem = pub.export({ type: 'pkcs1', format: 'pem' }).toString();
  return {
    privateKeyPem,
    publicKeyPem,
    fingerprint: rsaFingerprint(publicKeyPem),
    decryptRaw: (data) => privateDecrypt({ key: priv, padding: constants.RSA_NO_PADDING }, data),
  };
}

/** Modulus and exponent of an RSA public key (PEM, PKCS#1 or SPKI) as big-endian bytes. */
export function rsaPublicNumbers(publicKeyPem: string): { n: Buffer; e: Buffer } {
  let key: KeyObject;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (cause) {
    throw new Error('Telegram stand-in: the public key is not a valid RSA PEM', { cause });
  }
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'RSA' || !jwk.n || !jwk.e) throw new Error('Telegram stand-in: the public key is not RSA');
  return { n: Buffer.from(jwk.n, 'base64url'), e: Buffer.from(jwk.e, 'base64url') };
}

/** Telegram's key fingerprint: the low 64 bits of sha1(tl_bytes(n) + tl_bytes(e)), signed LE. */
export function rsaFingerprint(publicKeyPem: string): string {
  const { n, e } = rsaPublicNumbers(publicKeyPem);
  const digest = createHash('sha1')
    .update(Buffer.concat([tlBytes(n), tlBytes(e)]))
    .digest();
  return digest.subarray(12, 20).readBigInt64LE(0).toString();
}
