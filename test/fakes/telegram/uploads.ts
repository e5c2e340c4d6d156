/**
 * Upload parts -> files. Parts arrive out of order over several connections; they are hashed in
 * order as soon as they are contiguous, so memory holds only the out-of-order window, never the
 * file. Finished uploads (size, sha256) go to the state; half-done ones live in memory only
 * (a restarted server has "forgotten" them, like Telegram after a while).
 */
import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { RpcFailure } from './context';
import type { StandInState, UploadRecord } from './state';

const MAX_PART = 512 * 1024;
/** Small uploads are kept whole while below this size, to read JPEG thumbnails' dimensions. */
const KEEP_BYTES_BELOW = 512 * 1024;

class Assembly {
  readonly hash: Hash = createHash('sha256');
  nextPart = 0;
  size = 0;
  totalParts?: number;
  readonly pending = new Map<number, Buffer>();
  readonly partSha = new Map<number, string>();
  head: Buffer[] | undefined = [];
  conflict = false;

  constructor(
    readonly fileId: string,
    readonly ownerUserId: number,
    readonly big: boolean,
  ) {}

  add(part: number, bytes: Buffer): void {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const seen = this.partSha.get(part);
    if (seen !== undefined) {
      // A resend of a part already taken: it must be the same bytes.
      if (seen !== sha) this.conflict = true;
      return;
    }
    this.partSha.set(part, sha);
    this.pending.set(part, Buffer.from(bytes));
    for (let next = this.pending.get(this.nextPart); next; next = this.pending.get(this.nextPart)) {
      this.pending.delete(this.nextPart);
      this.hash.update(next);
      this.size += next.length;
      if (this.head) {
        if (this.size <= KEEP_BYTES_BELOW) this.head.push(next);
        else this.head = undefined;
      }
      this.nextPart++;
    }
  }
}

export interface UploadProgress {
  fileId: string;
  ownerUserId: number;
  big: boolean;
  totalParts?: number;
  partsReceived: number;
  contiguousParts: number;
  bytesHashed: number;
}

export class UploadStore {
  private readonly open = new Map<string, Assembly>();
  /** Whole bytes of small finished uploads (thumbnails), not persisted. */
  private readonly smallBytes = new Map<string, Buffer>();

  constructor(
    private readonly state: StandInState,
    private readonly maxParts: (userId: number) => number,
  ) {}

  static key(ownerUserId: number, fileId: string): string {
    return `${ownerUserId}:${fileId}`;
  }

  savePart(ownerUserId: number, fileId: string, part: number, bytes: Buffer, totalParts?: number): void {
    const big = totalParts !== undefined;
    if (!Number.isInteger(part) || part < 0) throw new RpcFailure(400, 'FILE_PART_INVALID');
    if (bytes.length === 0 || bytes.length > MAX_PART) throw new RpcFailure(400, 'FILE_PART_SIZE_INVALID');
    if (big) {
      if (totalParts < 1 || totalParts > this.maxParts(ownerUserId)) throw new RpcFailure(400, 'FILE_PARTS_INVALID');
      if (part >= totalParts) throw new RpcFailure(400, 'FILE_PART_INVALID');
      // Every part but the last must divide 512 KiB and be a multiple of 1 KiB.
      if (part < totalParts - 1 && (bytes.length % 1024 !== 0 || MAX_PART % bytes.length !== 0)) {
        throw new RpcFailure(400, 'FILE_PART_SIZE_INVALID');
      }
    } else if (part >= this.maxParts(ownerUserId)) {
      throw new RpcFailure(400, 'FILE_PART_INVALID');
    }
    const key = UploadStore.key(ownerUserId, fileId);
    let a = this.open.get(key);
    if (!a) {
      a = new Assembly(fileId, ownerUserId, big);
      this.open.set(key, a);
    }
    if (big) {
      if (a.totalParts !== undefined && a.totalParts !== totalParts) throw new RpcFailure(400, 'FILE_PARTS_INVALID');
      a.totalParts = totalParts;
    }
    a.add(part, bytes);
    if (big && a.nextPart === a.totalParts) this.finish(key, a);
  }

  /**
   * The finished upload an InputFile / InputFileBig names (parts = the client's count), or the
   * error Telegram gives: FILE_PART_<n>_MISSING, FILE_PARTS_INVALID.
   */
  resolve(ownerUserId: number, fileId: string, parts: number, big: boolean): UploadRecord {
    const key = UploadStore.key(ownerUserId, fileId);
    const done = this.state.data.uploads.find((u) => u.key === key);
    if (done) {
      if (done.parts !== parts) throw new RpcFailure(400, 'FILE_PARTS_INVALID');
      return done;
    }
    const a = this.open.get(key);
    if (!a) throw new RpcFailure(400, 'FILE_PART_0_MISSING');
    if (a.big !== big || (big && a.totalParts !== parts)) throw new RpcFailure(400, 'FILE_PARTS_INVALID');
    if (a.nextPart < parts) throw new RpcFailure(400, `FILE_PART_${a.nextPart}_MISSING`);
    if (a.nextPart > parts || a.pending.size > 0) throw new RpcFailure(400, 'FILE_PARTS_INVALID');
    return this.finish(key, a);
  }

  /** Bytes of a small finished upload (e.g. a thumbnail), when still in memory. */
  smallUploadBytes(key: string): Buffer | undefined {
    return this.smallBytes.get(key);
  }

  inProgress(): UploadProgress[] {
    return [...this.open.values()].map((a) => ({
      fileId: a.fileId,
      ownerUserId: a.ownerUserId,
      big: a.big,
      totalParts: a.totalParts,
      partsReceived: a.partSha.size,
      contiguousParts: a.nextPart,
      bytesHashed: a.size,
    }));
  }

  /** Forgets every unfinished upload (Telegram dropped them). */
  forgetUnfinished(): void {
    this.open.clear();
  }

  private finish(key: string, a: Assembly): UploadRecord {
    this.open.delete(key);
    if (a.conflict) throw new RpcFailure(400, 'FILE_PARTS_INVALID');
    const bytes = a.head ? Buffer.concat(a.head) : undefined;
    const record: UploadRecord = {
      key,
      fileId: a.fileId,
      ownerUserId: a.ownerUserId,
      big: a.big,
      parts: a.nextPart,
      size: a.size,
      sha256: a.hash.digest('hex'),
      jpeg: bytes ? jpegSize(bytes) : undefined,
      completedAt: Date.now(),
    };
    if (bytes) this.smallBytes.set(key, bytes);
    this.state.data.uploads = this.state.data.uploads.filter((u) => u.key !== key);
    this.state.data.uploads.push(record);
    this.state.save();
    return record;
  }
}

/** Width and height from a JPEG's first SOF marker, or undefined when not a JPEG. */
export function jpegSize(b: Buffer): { w: number; h: number } | undefined {
  if (b.length < 4 || b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return undefined;
    const marker = b[i + 1];
    const len = b.readUInt16BE(i + 2);
    const isSof = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isSof) return { h: b.readUInt16BE(i + 5), w: b.readUInt16BE(i + 7) };
    i += 2 + len;
  }
  return undefined;
}
