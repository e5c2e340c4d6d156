/**
 * Small TL helpers for the stand-in's server side. GramJS's Api classes serialise every
 * constructor; only the bare vector/bool results and 64-bit ids need help here.
 */
import { randomBytes } from 'node:crypto';
import { readBigIntFromBuffer, returnBigInt } from 'telegram/Helpers';

export type BigInteger = ReturnType<typeof returnBigInt>;

/** Something GramJS can serialise (every Api constructor has getBytes()). */
export interface TlSerializable {
  getBytes(): Buffer;
}

const VECTOR = 0x1cb5c415;
const BOOL_TRUE = 0x997275b5;
const BOOL_FALSE = 0xbc799737;

/** A raw TL answer (bool, vector) that Api classes do not model as objects. */
export class RawTl implements TlSerializable {
  constructor(private readonly bytes: Buffer) {}
  getBytes(): Buffer {
    return this.bytes;
  }
}

export function tlBool(value: boolean): RawTl {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(value ? BOOL_TRUE : BOOL_FALSE, 0);
  return new RawTl(b);
}

export function tlVector(items: TlSerializable[]): RawTl {
  const head = Buffer.alloc(8);
  head.writeUInt32LE(VECTOR, 0);
  head.writeInt32LE(items.length, 4);
  return new RawTl(Buffer.concat([head, ...items.map((i) => i.getBytes())]));
}

/** GramJS's bigInt from a decimal string or number (ids are kept as strings in the state file). */
export function big(value: string | number | bigint): BigInteger {
  return returnBigInt(typeof value === 'bigint' ? value.toString() : value);
}

/** A random positive 63-bit id as a decimal string. */
export function randomLongString(): string {
  const b = randomBytes(8);
  b[7] &= 0x7f;
  return b.readBigInt64LE(0).toString();
}

export function randomBigInt(bytes: number): BigInteger {
  return readBigIntFromBuffer(randomBytes(bytes), true, true);
}

/** Telegram's `bytes` serialisation (length prefix and 4-byte alignment). */
export function tlBytes(data: Buffer): Buffer {
  let head: Buffer;
  if (data.length < 254) {
    head = Buffer.from([data.length]);
  } else {
    head = Buffer.from([254, data.length & 0xff, (data.length >> 8) & 0xff, (data.length >> 16) & 0xff]);
  }
  const total = head.length + data.length;
  const pad = (4 - (total % 4)) % 4;
  return Buffer.concat([head, data, Buffer.alloc(pad)]);
}

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}
