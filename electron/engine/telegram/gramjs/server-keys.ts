import { createHash, createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { ConnectionTCPFull } from 'telegram/network';
import type { TestServer } from '../types';

/**
 * A Telegram server set in "Telegram server (testing)": its RSA key registered in GramJS's key
 * map (the module instance the client uses, from Node's CommonJS cache), and a connection class
 * that uses its port (GramJS connects to 80/443 whatever the session says).
 */

const require = createRequire(import.meta.url);
const rsaModule = require('telegram/crypto/RSA') as { _serverKeys: Map<string, { n: unknown; e: number }> };
const helpersModule = require('telegram/Helpers') as { returnBigInt(v: string): unknown };

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
  const digest = createHash('sha1')
    .update(Buffer.concat([tlBytes(n), tlBytes(e)]))
    .digest();
  return { fingerprint: digest.subarray(12, 20).readBigInt64LE(0).toString(), n, e };
}

/** Adds a server key to GramJS's key map; returns its fingerprint. */
export function registerServerKey(publicKeyPem: string): string {
  const { fingerprint, n, e } = rsaFingerprint(publicKeyPem);
  rsaModule._serverKeys.set(fingerprint, { n: helpersModule.returnBigInt(BigInt(`0x${n.toString('hex')}`).toString()), e: e.readUIntBE(0, e.length) });
  return fingerprint;
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
