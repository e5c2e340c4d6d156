import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { DownloadProgress } from '../../contract/domain';
import { ytDlpDownload } from '../download/ytdlp';
import { buildOneFileParts, oneFileRules, oneFileUnits } from '../media/one-file';
import { probePackets } from '../media/probe';
import { planParts, type SplitRules } from '../media/planner';
import { makeThumbnail } from '../media/thumbnail';
import type { Db } from '../store/database';
import { getMeta, setMeta } from '../store/meta';
import { logOperation } from '../store/operations';
import { insertPlannedPart, partsOf, updatePart } from '../store/parts';
import { updateVod } from '../store/vods';
import { permanent } from '../util/errors';
import { createLogger } from '../util/log';
import { partFile, thumbFile, type VodFolder } from './work-folder';

const log = createLogger('pipeline');

/**
 * The last resort when the segment download fails before any part could be planned: yt-dlp
 * downloads the whole VOD into one file, which is planned from its keyframes and cut into all its
 * parts in one ffmpeg run (media/one-file.ts). The switch is recorded, so a restart continues in
 * the same mode; the rest of the job (upload, post, clean up) is the same as for segments.
 */
export interface WholeFileContext {
  db: Db;
  vodId: string;
  generation: number;
  folder: VodFolder;
  rules: SplitRules;
  ytDlpPath: string;
  ffmpegPath?: string;
  concurrency: number;
  rateLimitBps?: number;
  /** The VOD's length from its playlist: the file must not come out shorter. */
  expectedDurationSec: number;
  signal: AbortSignal;
  onProgress(progress: DownloadProgress): void;
}

const key = (vodId: string, generation: number) => `wholefile:${vodId}:${generation}`;
export const playlistKey = (vodId: string, generation: number) => `playlist:${vodId}:${generation}`;

export function isWholeFile(db: Db, vodId: string, generation: number): boolean {
  return getMeta(db, key(vodId, generation)) !== undefined;
}

/** Says what is wrong when the file is shorter than the VOD or has a hole in its video. */
async function wholeFileProblem(path: string, units: Array<{ durationSec: number }>, expectedSec: number): Promise<string | null> {
  const got = units.reduce((sum, u) => sum + u.durationSec, 0);
  if (expectedSec - got > Math.max(1, expectedSec * 0.005)) return `came out ${(expectedSec - got).toFixed(1)} s shorter than the VOD (${got.toFixed(1)} of ${expectedSec.toFixed(1)} s)`;
  const times = (await probePackets(path, { streams: 'v' })).map((p) => p.ptsSec).sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) {
    if (times[i] - times[i - 1] > 1) return `has a ${(times[i] - times[i - 1]).toFixed(1)} s hole in its video at ${times[i - 1].toFixed(1)} s`;
  }
  return null;
}

export async function downloadAndCutWholeFile(ctx: WholeFileContext, cause: string): Promise<void> {
  const { db, vodId, generation, folder } = ctx;
  const marker = getMeta(db, key(vodId, generation));
  const recordedParts = partsOf(db, vodId);
  // Resumed after every part was cut: nothing to download or build again.
  if (marker && recordedParts.length > 0 && recordedParts.every((p) => p.state !== 'planned')) return;
  if (!marker) {
    setMeta(db, key(vodId, generation), JSON.stringify({ cause }));
    logOperation(db, vodId, 'download-whole-file', 'started', { cause });
    log.warn(`VOD ${vodId}: the segment download failed (${cause}); last resort: a whole download by yt-dlp`);
  }
  const url = getMeta(db, playlistKey(vodId, generation));
  if (!url) throw new Error(`VOD ${vodId}: no playlist URL recorded for the whole-file download`);
  const dir = join(folder.root, 'whole');
  mkdirSync(dir, { recursive: true });
  const recorded = marker ? (JSON.parse(marker) as { path?: string }).path : undefined;
  let path = recorded && existsSync(recorded) ? recorded : undefined;
  if (!path) {
    ({ path } = await ytDlpDownload({
      ytDlpPath: ctx.ytDlpPath,
      url,
      outDir: dir,
      concurrency: ctx.concurrency,
      ffmpegPath: ctx.ffmpegPath,
      rateLimitBps: ctx.rateLimitBps,
      onProgress: ctx.onProgress,
      signal: ctx.signal,
    }));
    setMeta(db, key(vodId, generation), JSON.stringify({ cause, path }));
    logOperation(db, vodId, 'download-whole-file', 'ok', { path });
  }

  // The same file always yields the same plan, so a restart rebuilds only what is missing.
  const { units } = await oneFileUnits(path, { ffprobePath: undefined });
  const problem = await wholeFileProblem(path, units, ctx.expectedDurationSec);
  if (problem) {
    // yt-dlp and ffmpeg skip unreadable data silently: a hole would go unnoticed in the parts.
    const why = (JSON.parse(getMeta(db, key(vodId, generation)) ?? '{}') as { cause?: string }).cause ?? cause;
    rmSync(path, { force: true });
    setMeta(db, key(vodId, generation), JSON.stringify({ cause: why }));
    throw permanent('whole_file_incomplete', `The segment download failed (${why}), and the whole download by yt-dlp ${problem}: part of the VOD is unreadable.`);
  }
  const plan = planParts(units, oneFileRules(ctx.rules), { complete: true });
  if (plan.dropped) logOperation(db, vodId, 'drop-tail', 'info', plan.dropped);
  db.transaction(() => {
    for (const p of plan.parts) insertPlannedPart(db, vodId, p);
    updateVod(db, vodId, { parts_total: plan.parts.length });
  })();
  const planned = new Set(partsOf(db, vodId).filter((p) => p.state === 'planned').map((p) => p.idx));
  if (planned.size === 0) return;
  const outputFor = (index: number) => {
    const p = plan.parts[index - 1];
    return partFile(folder, p.firstUnit, p.lastUnit);
  };
  const built = await buildOneFileParts({ input: path, plan, units, outputFor, ceilingBytes: ctx.rules.ceilingBytes, ffmpegPath: ctx.ffmpegPath, signal: ctx.signal });
  for (const [i, b] of built.entries()) {
    const p = plan.parts[i];
    const output = outputFor(p.index);
    if (!planned.has(p.index)) {
      rmSync(output, { force: true }); // already delivered in an earlier run
      continue;
    }
    const thumb = await makeThumbnail({ input: output, output: thumbFile(folder, p.firstUnit, p.lastUnit), durationSec: b.durationSec, signal: ctx.signal }).catch(() => null);
    updatePart(db, vodId, p.index, { state: 'built', bytes: b.bytes, duration: b.durationSec, width: b.width, height: b.height, path: output, thumb_path: thumb?.path ?? null });
    logOperation(db, vodId, 'build', 'ok', { part: p.index, bytes: b.bytes, durationSec: b.durationSec, from: 'whole-file' });
  }
  rmSync(path, { force: true });
  setMeta(db, key(vodId, generation), JSON.stringify({ cause }));
}
