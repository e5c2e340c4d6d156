/** Free-space check before a download, so a full disk is a clear error instead of a broken file. */
import { statfs } from 'node:fs/promises';
import { EngineError } from '../util/errors';

/** Bytes a VOD will take: bandwidth (bits/s) x duration, plus 5% for container overhead. */
export function estimateVodBytes(bandwidthBps: number, durationSec: number): number {
  if (!(bandwidthBps > 0) || !(durationSec > 0)) return 0;
  return Math.ceil(((bandwidthBps / 8) * durationSec) * 1.05);
}

export const formatBytes = (n: number) =>
  n >= 1e9 ? `${(n / 1e9).toFixed(2)} GB` : n >= 1e6 ? `${(n / 1e6).toFixed(1)} MB` : `${Math.round(n / 1e3)} kB`;

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
  if (free < neededBytes + reserve) {
    throw new EngineError(
      'disk',
      'insufficient_space',
      `Not enough free space in ${dir}: the download needs about ${formatBytes(neededBytes)} (plus ${formatBytes(reserve)} kept free), only ${formatBytes(free)} is free.`,
    );
  }
  return { freeBytes: free, neededBytes };
}
