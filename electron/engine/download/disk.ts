/** Free-space check before a download, so a full disk is a clear error instead of a broken file. */
import { statfs } from 'node:fs/promises';
import { EngineError } from '../util/errors';
import { sleep } from '../util/sleep';

/** Bytes a VOD will take: bandwidth (bits/s) x duration, plus 5% for container overhead. */
export function estimateVodBytes(bandwidthBps: number, durationSec: number): number {
  if (!(bandwidthBps > 0) || !(durationSec > 0)) return 0;
  return Math.ceil((bandwidthBps / 8) * durationSec * 1.05);
}

export const formatBytes = (n: number) => (n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`);

export async function freeBytes(dir: string): Promise<number> {
  const s = await statfs(dir);
  return Number(s.bavail) * Number(s.bsize);
}

/**
 * Throws EngineError('disk') when `dir`'s file system has less than `neededBytes` + `reserveBytes`
 * free. `free` can be injected (tests).
 */
export async function ensureFreeSpace(
  dir: string,
  neededBytes: number,
  options: { reserveBytes?: number; free?: (dir: string) => Promise<number> } = {},
): Promise<{ freeBytes: number; neededBytes: number }> {
  const reserve = options.reserveBytes ?? 256 * 1024 * 1024;
  const free = await (options.free ?? freeBytes)(dir);
  if (free < neededBytes + reserve) throw new EngineError('disk', 'insufficient_space', spaceMessage(dir, neededBytes + reserve, free));
  return { freeBytes: free, neededBytes };
}

/** "needs 2.1 GB free on /path, 0.4 GB free": what the user has to make room for. */
export const spaceMessage = (dir: string, neededBytes: number, free: number) =>
  `Not enough disk space: needs ${formatBytes(neededBytes)} free on ${dir}, ${formatBytes(free)} free. It goes on by itself once there is room.`;

export interface SpaceWait {
  reserveBytes?: number;
  free?: (dir: string) => Promise<number>;
  signal: AbortSignal;
  /** How often free space is looked at again while short. */
  pollMs: number;
  /** Called once when the wait starts (with what is needed) and once when it ends (null). */
  onWait?: (message: string | null) => void;
}

/**
 * Like `ensureFreeSpace`, but waits while space is short (another VOD's upload or the user frees
 * some) instead of failing, polling every `pollMs`; an abort ends the wait (cancelled).
 */
export async function waitForFreeSpace(dir: string, neededBytes: number, options: SpaceWait): Promise<void> {
  let waiting = false;
  for (;;) {
    try {
      await ensureFreeSpace(dir, neededBytes, options);
      if (waiting) options.onWait?.(null);
      return;
    } catch (error) {
      if (!(error instanceof EngineError) || error.code !== 'insufficient_space') throw error;
      if (!waiting) options.onWait?.(error.message);
      waiting = true;
    }
    await sleep(options.pollMs, options.signal);
  }
}
