/**
 * MTProto "TCP full" framing: int32 length (payload + 12), int32 sequence, payload, crc32.
 * GramJS's ConnectionTCPFull sends no tag byte, so every packet has this shape.
 */
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 as jsCrc32 } from 'telegram/Helpers';

const crc32: (b: Buffer) => number = typeof zlibCrc32 === 'function' ? (b) => zlibCrc32(b) : (b) => jsCrc32(b);

/** Largest packet accepted (a 512 KiB part plus MTProto overhead, with room to spare). */
const MAX_PACKET = 2 * 1024 * 1024;

export class FullFramer {
  private chunks: Buffer[] = [];
  private buffered = 0;

  /** Feeds socket bytes; returns complete payloads. Throws on a corrupt stream. */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const out: Buffer[] = [];
    for (;;) {
      if (this.buffered < 8) break;
      const head = this.peek(4);
      const length = head.readInt32LE(0);
      if (length < 12 || length > MAX_PACKET) throw new Error(`TCPFull: bad packet length ${length}`);
      if (this.buffered < length) break;
      const packet = this.take(length);
      const expected = packet.readUInt32LE(length - 4);
      const actual = crc32(packet.subarray(0, length - 4)) >>> 0;
      if (expected !== actual) throw new Error('TCPFull: checksum mismatch');
      out.push(packet.subarray(8, length - 4));
    }
    return out;
  }

  private peek(n: number): Buffer {
    if (this.chunks[0].length >= n) return this.chunks[0].subarray(0, n);
    const joined = Buffer.concat(this.chunks);
    this.chunks = [joined];
    return joined.subarray(0, n);
  }

  private take(n: number): Buffer {
    const joined = this.chunks.length === 1 ? this.chunks[0] : Buffer.concat(this.chunks);
    const packet = joined.subarray(0, n);
    const rest = joined.subarray(n);
    this.chunks = rest.length ? [rest] : [];
    this.buffered -= n;
    return packet;
  }
}

export function encodeFull(payload: Buffer, seq: number): Buffer {
  const out = Buffer.alloc(payload.length + 12);
  out.writeInt32LE(payload.length + 12, 0);
  out.writeInt32LE(seq, 4);
  payload.copy(out, 8);
  out.writeUInt32LE(crc32(out.subarray(0, payload.length + 8)) >>> 0, payload.length + 8);
  return out;
}
