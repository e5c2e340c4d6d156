import { describe, expect, it } from 'vitest';
import { randomBytes, generateKeyPairSync, createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { GramjsIGE, igeEncryptNative, installGramjsSpeedups, registerServerKey, rsaFingerprint } from '../../electron/engine/telegram/gramjs/runtime';

const require = createRequire(import.meta.url);

describe('native IGE encryption', () => {
  it('is byte-identical to GramJS IGE on random data of many sizes', () => {
    for (const blocks of [1, 2, 3, 4, 7, 64, 32768 + 3]) {
      const key = randomBytes(32);
      const iv = randomBytes(32);
      const plain = randomBytes(blocks * 16);
      const ours = igeEncryptNative(key, iv, plain);
      const theirs = new GramjsIGE(key, iv).encryptIge(plain);
      expect(ours.equals(theirs), `${blocks} blocks`).toBe(true);
      // And GramJS decrypts ours back to the plaintext.
      expect(new GramjsIGE(key, iv).decryptIge(ours).equals(plain)).toBe(true);
    }
  });

  it('is installed into the IGE module MTProtoState uses, and still round-trips', () => {
    installGramjsSpeedups();
    const mod = require('telegram/crypto/IGE') as { IGE: typeof GramjsIGE };
    expect(mod.IGE).not.toBe(GramjsIGE);
    const key = randomBytes(32);
    const iv = randomBytes(32);
    const plain = randomBytes(512 * 1024 + 48);
    const enc = new mod.IGE(key, iv).encryptIge(plain);
    expect(enc.equals(new GramjsIGE(key, iv).encryptIge(plain))).toBe(true);
    expect(new mod.IGE(key, iv).decryptIge(enc).equals(plain)).toBe(true);
    const helpers = require('telegram/Helpers') as { crc32(b: Buffer): number };
    expect(helpers.crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });
});

describe('test server key', () => {
  it('computes the fingerprint GramJS uses for Telegram\'s own key', () => {
    // Telegram's production key from GramJS's map (fingerprint -3414540481677951611).
    const n = BigInt(
      '29379598170669337022986177149456128565388431120058863768162556424047512191330847455146576344487764408661701890505066208632169112269581063774293102577308490531282748465986139880977280302242772832972539403531316010870401287642763009136156734339538042419388722777357134487746169093539093850251243897188928735903389451772730245253062963384108812842079887538976360465290946139638691491496062099570836476454855996319192747663615955633778034897140982517446405334423701359108810182097749467210509584293428076654573384828809574217079944388301239431309115013843331317877374435868468779972014486325557807783825502498215169806323',
    );
    const hex = n.toString(16);
    const jwk = { kty: 'RSA', n: Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url'), e: 'AQAB' };
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(rsaFingerprint(pem).fingerprint).toBe('-3414540481677951611');
  });

  it('registers a key in GramJS\'s map and rejects a bad PEM clearly', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const fp = registerServerKey(pem);
    const rsa = require('telegram/crypto/RSA') as { _serverKeys: Map<string, unknown> };
    expect(rsa._serverKeys.has(fp)).toBe(true);
    expect(() => registerServerKey('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----')).toThrow(/not a valid PEM/);
  });
});
