import { createRequire } from 'node:module';

/**
 * Native 64-bit fast paths for GramJS's big-integer helpers. GramJS converts every 64-bit
 * field (msg_id, salt, session id, auth key id) between bytes and big-integer objects through hex
 * or per-byte shift strings: 7-11 us per call, about ten calls per uploaded part, and with the
 * ack message and the reply around each part that was about 8% of the upload CPU (perf). Each
 * fast path returns exactly what GramJS's own function returns (tests compare them on edge and
 * random values) and hands anything else (other widths, out-of-range values) to the original.
 */

const require = createRequire(import.meta.url);

interface BigIntegerLike {
  value: unknown;
}
type BigIntegerCtor = (v: bigint) => BigIntegerLike;
const bigInteger = require('big-integer') as BigIntegerCtor;

export interface BigIntHelpers {
  readBigIntFromBuffer: (buffer: Buffer, little?: boolean, signed?: boolean) => unknown;
  toSignedLittleBuffer: (big: unknown, number?: number) => Buffer;
  readBufferFromBigInt: (big: unknown, bytesNumber: number, little?: boolean, signed?: boolean) => Buffer;
  returnBigInt: (value: unknown) => unknown;
}

const TWO_64 = 1n << 64n;
const MIN_I64 = -(1n << 63n);

/** The native value of a big-integer object (NativeBigInt keeps it in `value`), else undefined. */
function nativeOf(helpers: BigIntHelpers, big: unknown): bigint | undefined {
  const v = (helpers.returnBigInt(big) as BigIntegerLike).value;
  return typeof v === 'bigint' ? v : undefined;
}

/** Replaces the three helpers on GramJS's Helpers module (callers look them up there on each call). */
export function installBigIntFastPaths(helpers: BigIntHelpers): BigIntHelpers {
  const original: BigIntHelpers = { ...helpers };
  helpers.readBigIntFromBuffer = (buffer, little = true, signed = false) => {
    if (!Buffer.isBuffer(buffer) || buffer.length !== 8) return original.readBigIntFromBuffer(buffer, little, signed);
    const v = little ? (signed ? buffer.readBigInt64LE(0) : buffer.readBigUInt64LE(0)) : signed ? buffer.readBigInt64BE(0) : buffer.readBigUInt64BE(0);
    return bigInteger(v);
  };
  helpers.toSignedLittleBuffer = (big, number = 8) => {
    const v = number === 8 ? nativeOf(helpers, big) : undefined;
    if (v === undefined) return original.toSignedLittleBuffer(big, number);
    // GramJS takes bytes (v >> 8i) & 255 in two's complement: the low 64 bits, little-endian.
    const out = Buffer.allocUnsafe(8);
    out.writeBigUInt64LE(BigInt.asUintN(64, v), 0);
    return out;
  };
  helpers.readBufferFromBigInt = (big, bytesNumber, little = true, signed = false) => {
    const v = bytesNumber === 8 && little ? nativeOf(helpers, big) : undefined;
    // In range GramJS writes v (or 2^64 + v when signed and negative); outside it, it throws.
    if (v === undefined || v >= TWO_64 || v < (signed ? MIN_I64 : 0n)) return original.readBufferFromBigInt(big, bytesNumber, little, signed);
    const out = Buffer.allocUnsafe(8);
    out.writeBigUInt64LE(BigInt.asUintN(64, v), 0);
    return out;
  };
  return original;
}
