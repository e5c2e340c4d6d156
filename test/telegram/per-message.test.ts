import { describe, expect, it, vi } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { installGramjsSpeedups } from '../../electron/engine/telegram/gramjs/runtime';
import { igeDecryptSmall, perMessageOriginals } from '../../electron/engine/telegram/gramjs/per-message';
import { GramjsIGE } from '../../electron/engine/telegram/gramjs/runtime';

const require = createRequire(import.meta.url);
installGramjsSpeedups();
const { Api } = require('telegram') as { Api: { MsgsAck: new (a: { msgIds: unknown[] }) => { getBytes(): Buffer } } };
const bigInt = require('big-integer') as (v: bigint | number | string) => unknown;
const { MTProtoState } = require('telegram/network/MTProtoState') as {
  MTProtoState: { prototype: { _calcKey(authKey: Buffer, msgKey: Buffer, client: boolean): Promise<{ key: Buffer; iv: Buffer }> } };
};
const helpers = require('telegram/Helpers') as { generateRandomBytes(n: number): Buffer };

describe('per-message fast paths give the same bytes as GramJS', () => {
  it('msgs_ack serialises like GramJS for edge and random ids, and any count', () => {
    const edges = [0n, 1n, 255n, 256n, (1n << 63n) - 1n, 1n << 62n, -1n, -(1n << 63n), 7336491562874372097n];
    const random = Array.from({ length: 40 }, () => randomBytes(8).readBigInt64LE(0));
    for (const ids of [[], edges, random, random.slice(0, 1)]) {
      const ack = new Api.MsgsAck({ msgIds: ids.map((v) => bigInt(v)) });
      const ours = ack.getBytes();
      const theirs = perMessageOriginals.ackGetBytes!.call(ack as never);
      expect(ours.toString('hex'), `${ids.length} ids`).toBe(theirs.toString('hex'));
    }
  });

  it('msgs_ack with an id that is not a big-integer object is left to GramJS', () => {
    const ack = new Api.MsgsAck({ msgIds: [bigInt(5n), '123456789012345678'] });
    expect(ack.getBytes().toString('hex')).toBe(perMessageOriginals.ackGetBytes!.call(ack as never).toString('hex'));
  });

  it('_calcKey gives GramJS key and IV on both sides (client and server)', async () => {
    for (let n = 0; n < 20; n++) {
      const authKey = randomBytes(256);
      const msgKey = randomBytes(16);
      for (const client of [true, false]) {
        const ours = await MTProtoState.prototype._calcKey(authKey, msgKey, client);
        const theirs = await perMessageOriginals.calcKey!.call(MTProtoState.prototype as never, authKey, msgKey, client);
        expect(ours.key.equals(theirs.key) && ours.iv.equals(theirs.iv), `client=${client}`).toBe(true);
      }
    }
  });

  it('msg_id: the same ids as GramJS for the same clock, offset and last id (also when the clock stands still)', () => {
    const { MTProtoState: State } = require('telegram/network/MTProtoState') as {
      MTProtoState: new (k: unknown, l: unknown) => { timeOffset: number; _lastMsgId: unknown; _getNewMsgId(): { toString(): string } };
    };
    expect((State.prototype as { _getNewMsgId: unknown })._getNewMsgId).not.toBe(perMessageOriginals.getNewMsgId);
    const ours = new State(undefined, undefined);
    const theirs = new State(undefined, undefined);
    vi.useFakeTimers();
    try {
      for (const [at, offset] of [
        [Date.UTC(2026, 0, 1, 12, 0, 0, 123), 0],
        [Date.UTC(2026, 0, 1, 12, 0, 0, 123), 0],
        [Date.UTC(2026, 0, 1, 12, 0, 0, 123), 0],
        [Date.UTC(2026, 0, 1, 12, 0, 1, 999), -3],
        [Date.UTC(2030, 5, 6, 7, 8, 9, 1), 17],
        [Date.UTC(2026, 0, 1, 12, 0, 0, 0), 0],
      ] as const) {
        vi.setSystemTime(at);
        ours.timeOffset = theirs.timeOffset = offset;
        const a = ours._getNewMsgId();
        const b = perMessageOriginals.getNewMsgId!.call(theirs as never) as { toString(): string };
        expect(a.toString()).toBe(b.toString());
        expect(String(ours._lastMsgId)).toBe(String(theirs._lastMsgId));
        expect((a as { constructor: unknown }).constructor).toBe((b as { constructor: unknown }).constructor);
      }
    } finally {
      vi.useRealTimers();
    }
  });

  it('small-message IGE decryption equals GramJS, and the installed IGE uses it only for small whole blocks', () => {
    for (const blocks of [1, 2, 3, 6, 17, 32]) {
      const key = randomBytes(32);
      const iv = randomBytes(32);
      const cipher = randomBytes(blocks * 16);
      expect(igeDecryptSmall(key, iv, cipher).equals(new GramjsIGE(key, iv).decryptIge(cipher)), `${blocks} blocks`).toBe(true);
    }
    const mod = require('telegram/crypto/IGE') as { IGE: typeof GramjsIGE };
    for (const size of [96, 512, 528, 4096]) {
      const key = randomBytes(32);
      const iv = randomBytes(32);
      const plain = randomBytes(size);
      const enc = new GramjsIGE(key, iv).encryptIge(plain);
      expect(new mod.IGE(key, iv).decryptIge(enc).equals(plain), `${size} bytes`).toBe(true);
    }
  });

  it('random bytes: the requested length, never the same bytes twice, never shared memory', () => {
    for (const n of [0, 1, 12, 27, 256, 1024, 1025, 70_000]) expect(helpers.generateRandomBytes(n).length).toBe(n);
    // Across several pool refills: every 16-byte draw is distinct, and writing one changes no other.
    const draws = Array.from({ length: 1000 }, () => helpers.generateRandomBytes(16));
    expect(new Set(draws.map((d) => d.toString('hex'))).size).toBe(draws.length);
    const before = draws.map((d) => d.toString('hex'));
    draws[0]!.fill(0);
    expect(draws.slice(1).map((d) => d.toString('hex'))).toEqual(before.slice(1));
    // Roughly uniform bytes (a broken pool would repeat or zero-fill).
    const big = Buffer.concat(Array.from({ length: 2000 }, () => helpers.generateRandomBytes(27)));
    const counts = new Array<number>(256).fill(0);
    for (const b of big) counts[b]!++;
    expect(Math.min(...counts)).toBeGreaterThan(100);
  });
});
