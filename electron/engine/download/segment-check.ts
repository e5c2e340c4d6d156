import { open } from 'node:fs/promises';
import { transient } from '../util/errors';

const TS_PACKET = 188;

/**
 * A cheap look at a downloaded HLS segment before it is trusted: MPEG-TS packets of 188 bytes,
 * each starting with the sync byte, and a stream that opens with its PAT (PID 0), as every Twitch
 * segment does. ffmpeg skips garbage silently, which would leave a hole in a part; this turns such
 * a segment into a clear error instead (transient: a CDN hiccup is fetched again on retry).
 */
export function looksLikeTsSegment(head: Buffer, size: number): boolean {
  if (size < TS_PACKET || size % TS_PACKET !== 0) return false;
  const packets = Math.min(Math.floor(head.length / TS_PACKET), 4);
  if (packets === 0) return false;
  for (let i = 0; i < packets; i++) if (head[i * TS_PACKET] !== 0x47) return false;
  const firstPid = ((head[1] & 0x1f) << 8) | head[2];
  return firstPid === 0;
}

export async function checkTsSegment(path: string, index: number, size: number): Promise<void> {
  const file = await open(path, 'r');
  try {
    const head = Buffer.alloc(TS_PACKET * 4);
    const { bytesRead } = await file.read(head, 0, head.length, 0);
    if (!looksLikeTsSegment(head.subarray(0, bytesRead), size)) {
      throw transient('corrupt_segment', `Segment ${index} is not a valid MPEG-TS segment (${size} bytes); it will be fetched again.`);
    }
  } finally {
    await file.close();
  }
}
