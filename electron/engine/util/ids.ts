import { randomBytes } from 'node:crypto';

/** A random signed 64-bit id in decimal (Telegram's random_id and file id are TL `long`s). */
export function randomId64(): string {
  return randomBytes(8).readBigInt64LE().toString();
}

/** A random positive 63-bit id in decimal (upload file ids: unique per session is enough). */
export function randomPositiveId64(): string {
  return (randomBytes(8).readBigUInt64BE() >> 1n).toString();
}
