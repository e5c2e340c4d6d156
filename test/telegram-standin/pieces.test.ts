import { createPublicKey, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { _serverKeys } from 'telegram/crypto/RSA';
import { describe, expect, it } from 'vitest';
import { FaultBook } from '../fakes/telegram/faults';
import { rsaFingerprint } from '../fakes/telegram/keys';
import { encodeFull, FullFramer } from '../fakes/telegram/transport';
import { jpegSize } from '../fakes/telegram/uploads';

describe('TCPFull framing', () => {
  it('splits any chunking of a packet stream back into the payloads', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ minLength: 0, maxLength: 300 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 10 }),
        (payloads, cuts) => {
          const stream = Buffer.concat(payloads.map((p, i) => encodeFull(Buffer.from(p), i)));
          const framer = new FullFramer();
          const out: Buffer[] = [];
          let at = 0;
          for (let i = 0; at < stream.length; i++) {
            const n = cuts[i % cuts.length];
            out.push(...framer.push(stream.subarray(at, at + n)));
            at += n;
          }
          expect(out.map((b) => b.toString('hex'))).toEqual(payloads.map((p) => Buffer.from(p).toString('hex')));
        },
      ),
    );
  });

  it('rejects a corrupted checksum', () => {
    const packet = encodeFull(randomBytes(40), 0);
    packet[20] ^= 1;
    expect(() => new FullFramer().push(packet)).toThrow(/checksum/);
  });
});

describe('RSA fingerprint', () => {
  it("matches Telegram's fingerprints for the keys GramJS ships", () => {
    expect(_serverKeys.size).toBeGreaterThan(0);
    for (const [fingerprint, key] of _serverKeys) {
      const n = Buffer.from(key.n.toString(16).padStart(512, '0'), 'hex');
      const pem = createPublicKey({
        key: { kty: 'RSA', n: n.toString('base64url'), e: Buffer.from([1, 0, 1]).toString('base64url') },
        format: 'jwk',
      })
        .export({ type: 'pkcs1', format: 'pem' })
        .toString();
      expect(rsaFingerprint(pem)).toBe(fingerprint);
    }
  });

  it('says clearly when the key is not a PEM', () => {
    expect(() => rsaFingerprint('not a key')).toThrow(/not a valid RSA PEM/);
  });
});

describe('faults', () => {
  it('fires count times on the matching method, whatever the name style', () => {
    const book = new FaultBook();
    book.add({ kind: 'floodWait', method: 'upload.saveBigFilePart', seconds: 3, count: 2 });
    expect(book.take('messages.SendMedia')).toBeUndefined();
    expect(book.take('upload.SaveBigFilePart')).toMatchObject({ seconds: 3 });
    expect(book.take('upload.SaveBigFilePart')).toMatchObject({ seconds: 3 });
    expect(book.take('upload.SaveBigFilePart')).toBeUndefined();
  });

  it('matches a stalled part by index only', () => {
    const book = new FaultBook();
    book.add({ kind: 'stall', method: '*', part: 4 });
    expect(book.take('upload.SaveFilePart', 3)).toBeUndefined();
    expect(book.take('upload.SaveFilePart', 4)).toMatchObject({ kind: 'stall' });
  });

  it('refuses malformed faults with the reason', () => {
    const book = new FaultBook();
    expect(() => book.add({ kind: 'rpcError', method: 'x', code: 400, message: 'lower case' })).toThrow(/UPPER_CASE/);
    expect(() => book.add({ kind: 'floodWait', method: '', seconds: 1 })).toThrow(/method is required/);
    expect(() => book.add({ kind: 'floodWait', method: 'x', seconds: 1, count: 0 })).toThrow(/count must be > 0/);
  });
});

describe('jpegSize', () => {
  it('reads the SOF dimensions and ignores non-JPEG bytes', () => {
    const jpeg = Buffer.concat([
      Buffer.from('ffd8ffe000104a46494600010100000100010000', 'hex'),
      Buffer.from('ffc2001108', 'hex'),
      Buffer.from([0x01, 0x00, 0x00, 0xc8]),
      Buffer.alloc(20),
    ]);
    expect(jpegSize(jpeg)).toEqual({ w: 200, h: 256 });
    expect(jpegSize(Buffer.from('89504e470d0a1a0a', 'hex'))).toBeUndefined();
  });
});
