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
import { needTool, type Tools } from '../util/binaries';
import { permanent } from '../util/errors';
import { createLogger } from '../util/log';
import { partFile, thumbFile, type VodFolder } from './work-folder';

const log = createLogger('pipeline');

/**
 * The last resort when the segment download fails before any part could be planned: yt-dlp
 * downloads the whole VOD into one file (the fetch stage: `downloadWholeFile`), which is planned
 * from its keyframes and cut into all its parts in one ffmpeg run (the cut stage: `cutWholeFile`,
 * media/one-file.ts). The switch and the file's path are recorded in the store, so a restart
 * continues in the same mode; upload, post and clean-up are the same as for segments.
 */
export interface WholeFileVod {
  db: Db;
  vodId: string;
  generation: number;
  folder: VodFolder;
  tools: Tools;
  signal: AbortSignal;
}

interface Marker {
  cause: string;
  /** Set once the file is complete on disk. */
  path?: string;
}

const key = (vodId: string, generation: number) => `wholefile:${vodId}:${generation}`;
export const playlistKey = (vodId: string, generation: number) => `playlist:${vodId}:${generation}`;

function marker(db: Db, vodId: string, generation: number): Marker | undefined {
  const raw = getMeta(db, key(vodId, generation));
  return raw === undefined ? undefined : (JSON.parse(raw) as Marker);
}

export function isWholeFile(db: Db, vodId: string, generation: number): boolean {
  return marker(db, vodId, generation) !== undefined;
}

/** The downloaded whole file, once the fetch stage has it (the cut stage waits for this). */
export function wholeFilePath(db: Db, vodId: string, generation: number): string | undefined {
  const path = marker(db, vodId, generation)?.path;
  return path && existsSync(path) ? path : undefined;
}

/** Records the switch (before anything else, so the cut stage stops planning segments at once). */
export function switchToWholeFile(db: Db, vodId: string, generation: number, cause: string): void {
  if (marker(db, vodId, generation)) return;
  setMeta(db, key(vodId, generation), JSON.stringify({ cause } satisfies Marker));
  logOperation(db, vodId, 'download-whole-file', 'started', { cause });
  log.warn(`VOD ${vodId}: the segment download failed (${cause}); last resort: a whole download by yt-dlp`);
}

/** Downloads the whole file (the caller skips this once it exists or every part is cut). */
export async function downloadWholeFile(v: WholeFileVod, o: { concurrency: number; rateLimitBps?: number; onProgress(p: DownloadProgress): void }): Promise<string> {
  const { db, vodId, generation } = v;
  const m = marker(db, vodId, generation);
  if (!m) throw new Error(`VOD ${vodId}: the whole-file download was not switched on`);
  const existing = wholeFilePath(db, vodId, generation);
  if (existing) return existing;
  const url = getMeta(db, playlistKey(vodId, generation));
  if (!url) throw new Error(`VOD ${vodId}: no playlist URL recorded for the whole-file download`);
  const dir = join(v.folder.root, 'whole');
  mkdirSync(dir, { recursive: true });
  const { path } = await ytDlpDownload({
    ytDlpPath: needTool(v.tools, 'yt-dlp'),
    url,
    outDir: dir,
    concurrency: o.concurrency,
    ffmpegPath: v.tools.ffmpeg,
    rateLimitBps: o.rateLimitBps,
    onProgress: o.onProgress,
    signal: v.signal,
  });
  setMeta(db, key(vodId, generation), JSON.stringify({ cause: m.cause, path } satisfies Marker));
  logOperation(db, vodId, 'download-whole-file', 'ok', { path });
  return path;
}

/** Says what is wrong when the file is shorter than the VOD or has a hole in its video. */
async function wholeFileProblem(path: string, units: Array<{ durationSec: number }>, expectedSec: number, tools: Tools): Promise<string | null> {
  const got = units.reduce((sum, u) => sum + u.durationSec, 0);
  if (expectedSec - got > Math.max(1, expectedSec * 0.005))
    return `came out ${(expectedSec - got).toFixed(1)} s shorter than the VOD (${got.toFixed(1)} of ${expectedSec.toFixed(1)} s)`;
  const times = (await probePackets(path, { streams: 'v', ffprobePath: needTool(tools, 'ffprobe') })).map((p) => p.ptsSec).sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) {
    if (times[i] - times[i - 1] > 1) return `has a ${(times[i] - times[i - 1]).toFixed(1)} s hole in its video at ${times[i - 1].toFixed(1)} s`;
  }
  return null;
}

/** Plans and cuts every part of the whole file in one run; the same file always yields the same plan. */
export async function cutWholeFile(v: WholeFileVod, path: string, rules: SplitRules, expectedDurationSec: number): Promise<void> {
  const { db, vodId, generation, folder, tools } = v;
  const ffprobePath = needTool(tools, 'ffprobe');
  const ffmpegPath = needTool(tools, 'ffmpeg');
  const { units } = await oneFileUnits(path, { ffprobePath });
  const problem = await wholeFileProblem(path, units, expectedDurationSec, tools);
  if (problem) {
    // yt-dlp and ffmpeg skip unreadable data silently: a hole would go unnoticed in the parts.
    const why = marker(db, vodId, generation)?.cause ?? 'unknown';
    rmSync(path, { force: true });
    setMeta(db, key(vodId, generation), JSON.stringify({ cause: why } satisfies Marker));
    throw permanent('whole_file_incomplete', `The segment download failed (${why}), and the whole download by yt-dlp ${problem}: part of the VOD is unreadable.`);
  }
  const plan = planParts(units, oneFileRules(rules), { complete: true });
  if (plan.dropped) logOperation(db, vodId, 'drop-tail', 'info', plan.dropped);
  db.transaction(() => {
    for (const p of plan.parts) insertPlannedPart(db, vodId, p);
    updateVod(db, vodId, { parts_total: plan.parts.length });
  })();
  const planned = new Set(
    partsOf(db, vodId)
      .filter((p) => p.state === 'planned')
      .map((p) => p.idx),
  );
  if (planned.size === 0) return;
  const outputFor = (index: number) => {
    const p = plan.parts[index - 1];
    return partFile(folder, p.firstUnit, p.lastUnit);
  };
  const built = await buildOneFileParts({ input: path, plan, units, outputFor, ceilingBytes: rules.ceilingBytes, ffmpegPath, signal: v.signal });
  for (const [i, b] of built.entries()) {
    const p = plan.parts[i];
    const output = outputFor(p.index);
    if (!planned.has(p.index)) {
      rmSync(output, { force: true }); // already delivered in an earlier run
      continue;
    }
    const thumb = await makeThumbnail({
      input: output,
      output: thumbFile(folder, p.firstUnit, p.lastUnit),
      durationSec: b.durationSec,
      signal: v.signal,
      ffmpegPath,
      ffprobePath,
    }).catch(() => null);
    updatePart(db, vodId, p.index, { state: 'built', bytes: b.bytes, duration: b.durationSec, width: b.width, height: b.height, path: output, thumb_path: thumb?.path ?? null });
    logOperation(db, vodId, 'build', 'ok', { part: p.index, bytes: b.bytes, durationSec: b.durationSec, from: 'whole-file' });
  }
  rmSync(path, { force: true });
}
