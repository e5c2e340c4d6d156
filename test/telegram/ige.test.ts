import { describe, expect, it } from 'vitest';
import { randomBytes, generateKeyPairSync, createPublicKey } from 'node:crypto';
import { createRequire } from 'node:module';
import { GramjsIGE, igeEncryptNative, simdAvailable, installGramjsSpeedups, originals } from '../../electron/engine/telegram/gramjs/runtime';
import { registerServerKey, rsaFingerprint } from '../../electron/engine/telegram/gramjs/server-keys';

const require = createRequire(import.meta.url);

describe('native IGE encryption', () => {
  it('is byte-identical to GramJS IGE on random data of many sizes', () => {
    expect(simdAvailable()).toBe(true);
    for (const blocks of [1, 2, 3, 4, 7, 64, 32768 + 3, 17, 1]) {
      const key = randomBytes(32);
      const iv = randomBytes(32);
      const plain = randomBytes(blocks * 16);
      const ours = igeEncryptNative(key, iv, plain);
      const theirs = new GramjsIGE(key, iv).encryptIge(plain);
      expect(ours.equals(theirs), `${blocks} blocks`).toBe(true);
      // The plain-JS path (used where WebAssembly SIMD is missing) too.
      expect(igeEncryptNative(key, iv, plain, false).equals(theirs), `${blocks} blocks, JS`).toBe(true);
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

describe('send path patches give the same bytes as GramJS', () => {
  it('encryptMessageData: identical to GramJS (same random padding) for many sizes', async () => {
    installGramjsSpeedups();
    const { MTProtoState } = require('telegram/network/MTProtoState') as {
      MTProtoState: new (k: unknown, l: unknown) => { salt: unknown; id: unknown; encryptMessageData(d: Buffer): Promise<Buffer> };
    };
    const { AuthKey } = require('telegram/crypto/AuthKey') as { AuthKey: new () => { setKey(b: Buffer): Promise<void> } };
    const helpers = require('telegram/Helpers') as { generateRandomBytes(n: number): Buffer; readBigIntFromBuffer(b: Buffer, little?: boolean, signed?: boolean): unknown };
    const authKey = new AuthKey();
    await authKey.setKey(randomBytes(256));
    const state = new MTProtoState(authKey, undefined);
    state.salt = helpers.readBigIntFromBuffer(randomBytes(8), true, true);
    const realRandom = helpers.generateRandomBytes;
    try {
      for (const size of [4, 12, 16, 100, 1000, 512 * 1024 + 40]) {
        const data = randomBytes(size);
        const pad = randomBytes(64);
        helpers.generateRandomBytes = (n: number) => pad.subarray(0, n);
        const ours = await state.encryptMessageData(data);
        const theirs = await originals.encryptMessageData!.call(state as never, data);
        expect(ours.equals(theirs), `size ${size}`).toBe(true);
      }
    } finally {
      helpers.generateRandomBytes = realRandom;
    }
  });

  it("part requests built in place serialise exactly like GramJS's own getBytes()", async () => {
    const { partRequest } = await import('../../electron/engine/telegram/gramjs/senders');
    const { PART_HEADROOM } = await import('../../electron/engine/telegram/uploader');
    const { Api, helpers } = await import('telegram');
    for (const [big, len] of [
      [true, 512 * 1024],
      [false, 512 * 1024],
      [true, 1000],
      [true, 1001],
      [false, 100],
    ] as const) {
      const memory = randomBytes(PART_HEADROOM + len);
      const bytes = memory.subarray(PART_HEADROOM);
      const req = { fileId: '8123456789012345678', part: 7, totalParts: 9, big, bytes, headroom: PART_HEADROOM };
      const ours = partRequest(req).getBytes();
      const fileId = helpers.returnBigInt(req.fileId);
      const theirs = big
        ? new Api.upload.SaveBigFilePart({ fileId, filePart: 7, fileTotalParts: 9, bytes: Buffer.from(bytes) }).getBytes()
        : new Api.upload.SaveFilePart({ fileId, filePart: 7, bytes: Buffer.from(bytes) }).getBytes();
      expect(ours.equals(theirs), `${big} ${len}`).toBe(true);
    }
  });

  it("message header written in front of a part request equals MessagePacker's concat", async () => {
    installGramjsSpeedups();
    const { partRequest } = await import('../../electron/engine/telegram/gramjs/senders');
    const { PART_HEADROOM } = await import('../../electron/engine/telegram/uploader');
    const { BinaryWriter } = require('telegram/extensions/BinaryWriter') as { BinaryWriter: new (b: Buffer) => { write(b: Buffer): void; getValue(): Buffer } };
    const memory = randomBytes(PART_HEADROOM + 512 * 1024);
    const frame = partRequest({ fileId: '5', part: 1, totalParts: 3, big: true, bytes: memory.subarray(PART_HEADROOM), headroom: PART_HEADROOM }).getBytes();
    const header = randomBytes(16);
    const expected = Buffer.concat([header, frame]);
    const w = new BinaryWriter(Buffer.alloc(0));
    w.write(header);
    w.write(frame);
    const got = w.getValue();
    expect(got.equals(expected)).toBe(true);
    expect(got.buffer).toBe(memory.buffer); // no copy was made
    // Anything else is concatenated as before.
    const other = new BinaryWriter(Buffer.alloc(0));
    other.write(header);
    other.write(Buffer.from(frame));
    expect(other.getValue().equals(expected)).toBe(true);
  });

  it('in-place TCP framing of an encrypted message equals GramJS framing', async () => {
    installGramjsSpeedups();
    const { MTProtoState } = require('telegram/network/MTProtoState') as {
      MTProtoState: new (k: unknown, l: unknown) => { salt: unknown; encryptMessageData(d: Buffer): Promise<Buffer> };
    };
    const { AuthKey } = require('telegram/crypto/AuthKey') as { AuthKey: new () => { setKey(b: Buffer): Promise<void> } };
    const { FullPacketCodec } = require('telegram/network/connection/TCPFull') as { FullPacketCodec: new (c: unknown) => { encodePacket(d: Buffer): Buffer } };
    const authKey = new AuthKey();
    await authKey.setKey(randomBytes(256));
    const state = new MTProtoState(authKey, undefined);
    state.salt = (require('telegram/Helpers') as { readBigIntFromBuffer(b: Buffer, l: boolean, s: boolean): unknown }).readBigIntFromBuffer(randomBytes(8), true, true);
    const enc = await state.encryptMessageData(randomBytes(70000));
    const expected = originals.encodePacket!.call({ _sendCounter: 3 } as never, Buffer.from(enc));
    const codec = new FullPacketCodec({}) as unknown as { _sendCounter: number; encodePacket(d: Buffer): Buffer };
    codec._sendCounter = 3;
    expect(codec.encodePacket(enc).equals(expected)).toBe(true);
  });

  it('TCP framing and gzipIfSmaller: identical to GramJS', async () => {
    installGramjsSpeedups();
    const { FullPacketCodec } = require('telegram/network/connection/TCPFull') as { FullPacketCodec: new (c: unknown) => { encodePacket(d: Buffer): Buffer } };
    const a = new FullPacketCodec({});
    const b = new FullPacketCodec({});
    for (const size of [0, 8, 1000, 300000]) {
      const data = randomBytes(size);
      expect(a.encodePacket(data).equals(originals.encodePacket!.call(b as never, data))).toBe(true);
    }
    const { GZIPPacked } = require('telegram/tl/core/GZIPPacked') as { GZIPPacked: { gzipIfSmaller(c: boolean, d: Buffer): Promise<Buffer> } };
    for (const size of [10, 600, 512 * 1024]) {
      const data = randomBytes(size);
      expect((await GZIPPacked.gzipIfSmaller(true, data)).equals(await originals.gzipIfSmaller!(true, data))).toBe(true);
    }
  });
});

describe('test server key', () => {
  it("computes the fingerprint GramJS uses for Telegram's own key", () => {
    // Telegram's production key from GramJS's map (fingerprint -3414540481677951611).
    const n = BigInt(
      '29379598170669337022986177149456128565388431120058863768162556424047512191330847455146576344487764408661701890505066208632169112269581063774293102577308490531282748465986139880977280302242772832972539403531316010870401287642763009136156734339538042419388722777357134487746169093539093850251243897188928735903389451772730245253062963384108812842079887538976360465290946139638691491496062099570836476454855996319192747663615955633778034897140982517446405334423701359108810182097749467210509584293428076654573384828809574217079944388301239431309115013843331317877374435868468779972014486325557807783825502498215169806323',
    );
    const hex = n.toString(16);
    const jwk = { kty: 'RSA', n: Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex').toString('base64url'), e: 'AQAB' };
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(rsaFingerprint(pem).fingerprint).toBe('-3414540481677951611');
  });

  it("registers a key in GramJS's map and rejects a bad PEM clearly", () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const fp = registerServerKey(pem);
    const rsa = require('telegram/crypto/RSA') as { _serverKeys: Map<string, unknown> };
    expect(rsa._serverKeys.has(fp)).toBe(true);
    expect(() => registerServerKey('-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----')).toThrow(/not a valid PEM/);
  });
});
