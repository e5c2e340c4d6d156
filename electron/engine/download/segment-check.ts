import { open } from 'node:fs/promises';
import { transient } from '../util/errors';

const TS_PACKET = 188;

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

/** Checks a downloaded segment and returns its first bytes (~385 KB) for further inspection. */
export async function checkTsSegment(path: string, index: number, size: number): Promise<Buffer> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(TS_PACKET * 2048); // ~385 KB: a few hundred ms of a high-bitrate stream
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    const bytes = head.subarray(0, bytesRead);
    if (!looksLikeTsSegment(bytes, size)) {
      throw transient('corrupt_segment', `Segment ${index} is not a valid MPEG-TS segment (${size} bytes); it will be fetched again.`);
    }
    return bytes;
  } finally {
    await file.close();
  }
}
