import { describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { installGramjsSpeedups, originals } from '../../electron/engine/telegram/gramjs/runtime';
import type { BigIntHelpers } from '../../electron/engine/telegram/gramjs/bigints';

const require = createRequire(import.meta.url);
const bigInt = require('big-integer') as (v: bigint | number | string) => { toString(): string; constructor: unknown };

installGramjsSpeedups();
const patched = require('telegram/Helpers') as BigIntHelpers;
const theirs = originals.bigints!;

/** Both sides give the same result: equal value and class, equal bytes, or the same error. */
function same(f: (h: BigIntHelpers) => unknown, what: string): void {
  const run = (h: BigIntHelpers): { ok: unknown } | { err: string } => {
    try {
      return { ok: f(h) };
    } catch (e) {
      return { err: (e as Error).message };
    }
  };
  const a = run(patched);
  const b = run(theirs);
  if ('err' in b) {
    expect(a, what).toEqual(b);
    return;
  }
  expect('ok' in a, `${what}: ${JSON.stringify(a)}`).toBe(true);
  const x = (a as { ok: unknown }).ok;
  const y = b.ok;
  if (Buffer.isBuffer(y)) {
    expect(Buffer.isBuffer(x) && x.equals(y), `${what}: ${String(x)} vs ${y.toString('hex')}`).toBe(true);
  } else {
    expect(String(x), what).toBe(String(y));
    expect((x as { constructor: unknown }).constructor, what).toBe((y as { constructor: unknown }).constructor);
  }
}

const edges = [
  0n,
  1n,
  -1n,
  255n,
  256n,
  (1n << 63n) - 1n,
  1n << 63n,
  -(1n << 63n),
  -(1n << 63n) - 1n,
  (1n << 64n) - 1n,
  1n << 64n,
  -(1n << 64n),
  -(1n << 64n) - 1n,
  1n << 80n,
  -(1n << 80n),
];

describe('big-integer fast paths', () => {
  it('were installed (GramJS callers see the fast functions)', () => {
    expect(patched.readBigIntFromBuffer).not.toBe(theirs.readBigIntFromBuffer);
    expect(patched.toSignedLittleBuffer).not.toBe(theirs.toSignedLittleBuffer);
    expect(patched.readBufferFromBigInt).not.toBe(theirs.readBufferFromBigInt);
  });

  it('readBigIntFromBuffer equals GramJS for every byte order, signedness and width', () => {
    const buffers = [Buffer.alloc(8), Buffer.alloc(8, 0xff), Buffer.from('0000000000000080', 'hex'), Buffer.from('ffffffffffffff7f', 'hex')];
    for (let i = 0; i < 300; i++) buffers.push(randomBytes(8));
    for (const n of [1, 4, 7, 9, 16]) buffers.push(randomBytes(n));
    for (const b of buffers) {
      for (const little of [true, false]) {
        for (const signed of [true, false]) same((h) => h.readBigIntFromBuffer(b, little, signed), `${b.toString('hex')} little=${little} signed=${signed}`);
      }
      same((h) => h.readBigIntFromBuffer(b), `${b.toString('hex')} defaults`);
    }
  });

  it('toSignedLittleBuffer and readBufferFromBigInt equal GramJS, errors included', () => {
    const values: unknown[] = [];
    for (const v of edges) values.push(bigInt(v), v, bigInt(v.toString()));
    for (let i = 0; i < 200; i++) values.push(bigInt(randomBytes(8).readBigInt64LE(0)), bigInt(randomBytes(8).readBigUInt64LE(0)));
    values.push(5, -5, 2 ** 40, '12345678901234567890');
    for (const v of values) {
      const what = String(v);
      same((h) => h.toSignedLittleBuffer(v), `toSignedLittleBuffer(${what})`);
      for (const n of [4, 8, 16]) same((h) => h.toSignedLittleBuffer(v, n), `toSignedLittleBuffer(${what}, ${n})`);
      for (const [n, little, signed] of [
        [8, true, false],
        [8, true, true],
        [8, false, true],
        [16, true, true],
        [4, true, false],
      ] as const) {
        same((h) => h.readBufferFromBigInt(v, n, little, signed), `readBufferFromBigInt(${what}, ${n}, ${little}, ${signed})`);
      }
    }
  });
});
