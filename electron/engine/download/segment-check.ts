import { open } from 'node:fs/promises';
import { TsSignatureScanner } from '../media/ts-signature';
import { transient } from '../util/errors';

const TS_PACKET = 188;
/** Read step: whole packets, about 1 MiB. */
const CHUNK = TS_PACKET * 5578;
/**
 * How far into a segment the stream parameters are looked for. Audio was first seen about 1 MB
 * into 6 Mb/s Twitch segments (a keyframe is written before it); 8 MB covers 20 Mb/s sources.
 */
export const SIGNATURE_READ_LIMIT = CHUNK * 8;

/**
 * A cheap look at a downloaded HLS segment before it is trusted: MPEG-TS packets of 188 bytes,
 * each starting with the sync byte, and a PAT (PID 0) among the first packets (muxers repeat it
 * every 100 ms or so). ffmpeg skips garbage silently, which would leave a hole in a part; this turns such
 * a segment into a clear error instead (transient: a CDN hiccup is fetched again on retry).
 */
export function looksLikeTsSegment(head: Buffer, size: number): boolean {
  if (size < TS_PACKET || size % TS_PACKET !== 0) return false;
  const packets = Math.floor(head.length / TS_PACKET);
  if (packets === 0) return false;
  let sawPat = false;
  for (let i = 0; i < packets; i++) {
    const at = i * TS_PACKET;
    if (head[at] !== 0x47) return false;
    if ((((head[at + 1] & 0x1f) << 8) | head[at + 2]) === 0) sawPat = true;
  }
  return sawPat;
}

export interface SegmentInspection {
  /** Stream signature (see ts-signature.ts); undefined when not all of it was seen: keep the previous one. */
  streamKey: string | undefined;
  /** Bytes read from the start of the file (up to where the signature was complete). */
  head: Buffer;
}

/**
 * Checks a downloaded segment and reads its stream signature, reading only as far as needed
 * (at most SIGNATURE_READ_LIMIT bytes). Throws a transient error for a segment that is not MPEG-TS.
 */
export async function inspectTsSegment(path: string, index: number, size: number): Promise<SegmentInspection> {
  const file = await open(path, 'r');
  try {
    const scanner = new TsSignatureScanner();
    const chunks: Buffer[] = [];
    let read = 0;
    while (read < Math.min(size, SIGNATURE_READ_LIMIT)) {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, size - read));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, read);
      if (bytesRead === 0) break;
      const bytes = chunk.subarray(0, bytesRead);
      // The PAT must be in the first chunk; later chunks must keep packet sync.
      if (!(read === 0 ? looksLikeTsSegment(bytes, size) : syncKept(bytes))) {
        throw transient('corrupt_segment', `Segment ${index} is not a valid MPEG-TS segment (${size} bytes, bad packet near byte ${read}); it will be fetched again.`);
      }
      chunks.push(bytes);
      read += bytesRead;
      if (scanner.push(bytes)) break;
    }
    if (read === 0) throw transient('corrupt_segment', `Segment ${index} is empty; it will be fetched again.`);
    return { streamKey: scanner.signature(), head: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) };
  } finally {
    await file.close();
  }
}

function syncKept(bytes: Buffer): boolean {
  for (let at = 0; at < bytes.length; at += TS_PACKET) if (bytes[at] !== 0x47) return false;
  return true;
}

/** Checks a downloaded segment and returns its first bytes (as far as its stream signature needs). */
export async function checkTsSegment(path: string, index: number, size: number): Promise<Buffer> {
  return (await inspectTsSegment(path, index, size)).head;
}
