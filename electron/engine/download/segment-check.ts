import { open } from 'node:fs/promises';
import { TsSignatureScanner } from '../media/ts-signature';
import { transient } from '../util/errors';
import type { SegmentInspector } from './segments';

const TS_PACKET = 188;
/** Read step: whole packets, about 1 MiB. The PAT must be within a segment's first CHUNK bytes. */
const CHUNK = TS_PACKET * 5578;
/**
 * How far into a segment the stream parameters are looked for. Audio was first seen about 1 MB
 * into 6 Mb/s Twitch segments (a keyframe is written before it); 8 MB covers 20 Mb/s sources.
 */
export const SIGNATURE_READ_LIMIT = CHUNK * 8;

/**
 * A cheap look at an HLS segment before it is trusted, fed its bytes in order (as they download,
 * or read back from a file): MPEG-TS packets of 188 bytes, each starting with the sync byte, and a
 * PAT (PID 0) among the packets of the first CHUNK bytes (muxers repeat it every 100 ms or so).
 * ffmpeg skips garbage silently, which would leave a hole in a part; this turns such a segment
 * into a clear error instead (transient: a CDN hiccup is fetched again on retry). Sync is checked
 * over the first CHUNK bytes and on as far as the stream signature (ts-signature.ts) needs, at
 * most SIGNATURE_READ_LIMIT bytes; bytes after that are only counted.
 */
export class TsSegmentCheck implements SegmentInspector {
  private readonly scanner = new TsSignatureScanner();
  /** Bytes looked at so far (sync checked, given to the scanner). */
  private seen = 0;
  private sawPat = false;
  /** A packet cut by a chunk boundary, gathered whole (the scanner is fed whole packets only: no copy of each chunk). */
  private readonly cut = Buffer.alloc(TS_PACKET);
  private cutLength = 0;

  constructor(private readonly index: number) {}

  /** False once nothing more is needed from the bytes still to come. */
  get wantsMore(): boolean {
    return this.seen < SIGNATURE_READ_LIMIT && (this.seen < CHUNK || !this.scanner.done);
  }

  push(chunk: Buffer): void {
    if (!this.wantsMore) return;
    const take = chunk.length <= SIGNATURE_READ_LIMIT - this.seen ? chunk : chunk.subarray(0, SIGNATURE_READ_LIMIT - this.seen);
    let at = 0;
    if (this.cutLength > 0) {
      at = Math.min(TS_PACKET - this.cutLength, take.length);
      take.copy(this.cut, this.cutLength, 0, at);
      this.cutLength += at;
      if (this.cutLength === TS_PACKET) {
        this.cutLength = 0;
        this.packets(this.cut, 0, TS_PACKET, this.seen + at - TS_PACKET);
      }
    }
    const whole = at + Math.floor((take.length - at) / TS_PACKET) * TS_PACKET;
    this.packets(take, at, whole, this.seen + at);
    if (whole < take.length) {
      take.copy(this.cut, 0, whole);
      this.cutLength = take.length - whole;
    }
    this.seen += take.length;
  }

  finish(bytes: number): string | undefined {
    if (bytes === 0) throw transient('corrupt_segment', `Segment ${this.index} is empty; it will be fetched again.`);
    if (bytes < TS_PACKET || bytes % TS_PACKET !== 0) throw this.bad(`${bytes} bytes, not whole ${TS_PACKET}-byte packets`);
    if (!this.sawPat) throw this.bad(`${bytes} bytes, no PAT in the first ${Math.min(bytes, CHUNK)}`);
    return this.scanner.signature();
  }

  /** Whole packets `buf[from..to)`, the first at byte `offset` of the segment. */
  private packets(buf: Buffer, from: number, to: number, offset: number): void {
    if (to <= from) return;
    for (let p = from; p < to; p += TS_PACKET) {
      if (buf[p] !== 0x47) throw this.bad(`bad packet at byte ${offset + p - from}`);
      if (offset + p - from < CHUNK && (((buf[p + 1] & 0x1f) << 8) | buf[p + 2]) === 0) this.sawPat = true;
    }
    if (!this.scanner.done) this.scanner.push(buf.subarray(from, to));
  }

  private bad(detail: string) {
    return transient('corrupt_segment', `Segment ${this.index} is not a valid MPEG-TS segment (${detail}); it will be fetched again.`);
  }
}

export interface SegmentInspection {
  /** Stream signature (see ts-signature.ts); undefined when not all of it was seen: keep the previous one. */
  streamKey: string | undefined;
  /** Bytes read from the start of the file (up to where the signature was complete). */
  head: Buffer;
}

/**
 * TsSegmentCheck over a segment already on disk, reading only as far as it needs (at most
 * SIGNATURE_READ_LIMIT bytes). Throws a transient error for a segment that is not MPEG-TS.
 */
export async function inspectTsSegment(path: string, index: number, size: number): Promise<SegmentInspection> {
  const file = await open(path, 'r');
  try {
    const check = new TsSegmentCheck(index);
    const chunks: Buffer[] = [];
    let read = 0;
    while (read < size && check.wantsMore) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - read));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, read);
      if (bytesRead === 0) break;
      const bytes = chunk.subarray(0, bytesRead);
      check.push(bytes);
      chunks.push(bytes);
      read += bytesRead;
    }
    // A file shorter than `size` fails the packet-count check with what is really there.
    const streamKey = check.finish(read < size && !check.wantsMore ? size : read);
    return { streamKey, head: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) };
  } finally {
    await file.close();
  }
}
