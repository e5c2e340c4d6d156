import { mkdir, rename, rm, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { permanent } from '../util/errors';
import { createLogger } from '../util/log';
import { builtPart, contentDuration, durationTolerance, PartOverCeilingError, type BuiltPart } from './build';
import { moovFirst, readMp4Summary, readTopLevelAtoms } from './mp4-atoms';
import { moovReserveBytes } from './overhead';
import type { Plan, PlannedPart, SplitRules, Unit } from './planner';
import { probeMedia, probePackets, type MediaInfo, type ProbeOptions } from './probe';
import { lastLines, runTool } from './run-tool';

/**
 * A VOD that arrives as one file (the yt-dlp fallback) is planned like HLS segments, with units
 * running from one video keyframe to the next (bytes = the packets in between), and cut in ONE
 * ffmpeg run that writes every part: the segment muxer splits the stream-copied packets at exactly
 * the planned keyframes, so each packet lands in exactly one part (no overlap, no gap; `-ss/-to`
 * per part was measured to duplicate frames and audio at the cuts when B-frames are present).
 * Each part gets a reserved moov up front, like `buildPart`.
 */
const log = createLogger('media');

/** Packet sizes are the media payload already; 1 % covers Annex B start codes becoming lengths. */
export const ONE_FILE_PAYLOAD_RATIO = 1.01;

export interface OneFileUnit extends Unit {
  /** Start of the unit relative to the file's first timestamp (0 for the first unit). */
  startSec: number;
}

export function oneFileRules(rules: SplitRules): SplitRules {
  return { ...rules, payloadRatio: ONE_FILE_PAYLOAD_RATIO };
}

export async function oneFileUnits(path: string, options: ProbeOptions): Promise<{ units: OneFileUnit[]; info: MediaInfo }> {
  const info = await probeMedia(path, options);
  if (!info.video) throw permanent('unreadable_media', `${path} has no video stream to cut on keyframes`);
  const packets = await probePackets(path, options);
  const keyframes = packets
    .filter((p) => p.stream === 'video' && p.keyframe)
    .map((p) => p.ptsSec)
    .sort((a, b) => a - b);
  if (keyframes.length === 0) throw permanent('unreadable_media', `${path} has no video keyframes`);
  let start = Infinity;
  let end = -Infinity;
  for (const p of packets) {
    start = Math.min(start, p.ptsSec);
    end = Math.max(end, p.ptsSec + p.durationSec);
  }
  // Unit 0 also takes whatever precedes the first keyframe.
  const bounds = [start, ...keyframes.slice(1)];
  const bytes = new Array<number>(bounds.length).fill(0);
  for (const p of packets) {
    let lo = 0;
    let hi = bounds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (bounds[mid] <= p.ptsSec) lo = mid;
      else hi = mid - 1;
    }
    bytes[lo] += p.size;
  }
  const units = bounds.map((b, i) => ({
    index: i,
    bytes: bytes[i],
    durationSec: (i + 1 < bounds.length ? bounds[i + 1] : end) - b,
    startSec: b - start,
  }));
  return { units, info };
}

export interface BuildOneFileOptions {
  input: string;
  /** The plan made from `oneFileUnits` (with `oneFileRules`); it must start at the first unit. */
  plan: Plan;
  units: readonly OneFileUnit[];
  /** Output path of part `index` (1-based). */
  outputFor: (index: number) => string;
  ceilingBytes?: number;
  /** Resolved once by the caller (util/binaries.ts resolveTools). */
  ffmpegPath: string;
  signal?: AbortSignal;
  onProgress?: (fraction: number) => void;
}

/**
 * Writes every planned part in one ffmpeg run. A part over the ceiling throws
 * `PartOverCeilingError` after all are written: the caller re-plans (`replanPart` on that part's
 * units), then runs this again with the new plan (one more pass over the file; bound it).
 */
export async function buildOneFileParts(options: BuildOneFileOptions): Promise<BuiltPart[]> {
  const { input, plan, units, signal, onProgress } = options;
  const ffmpeg = options.ffmpegPath;
  if (plan.parts.length === 0) return [];
  const byIndex = new Map(units.map((u) => [u.index, u]));
  if (plan.parts[0].firstUnit !== units[0]?.index) throw permanent('bad_part', `the plan for ${input} must start at its first unit`);
  const cuts: number[] = [];
  for (const p of [...plan.parts.slice(1), ...(plan.dropped ? [plan.dropped] : [])]) {
    const u = byIndex.get(p.firstUnit);
    if (!u) throw permanent('bad_part', `the plan for ${input} names unit ${p.firstUnit}, which it does not have`);
    // The segment muxer cuts at the first keyframe at or after each time.
    cuts.push(Math.max(0, u.startSec - 0.001));
  }
  const total = units.reduce((s, u) => s + u.durationSec, 0);
  const reserve = Math.max(...plan.parts.map((p) => moovReserveBytes(p.durationSec)));
  const work = join(dirname(options.outputFor(1)), `.onefile-${process.pid}-${Date.now()}`);
  await mkdir(work, { recursive: true });
  try {
    const args = segmentArgs(input, reserve, cuts, work);
    let last = 0;
    const r = await runTool(ffmpeg, args, {
      signal,
      onLine: (line) => {
        const m = /^out_time_us=(\d+)/.exec(line);
        if (!m || !onProgress || total <= 0) return;
        const f = Math.min(0.99, Number(m[1]) / 1e6 / total);
        if (f > last) onProgress((last = f));
      },
    });
    if (r.code !== 0 || /Error writing trailer|reserved_moov_size/i.test(r.stderrTail)) {
      throw permanent('part_build_failed', `ffmpeg could not cut ${input} into parts: ${lastLines(r.stderrTail) || `exit code ${r.code}`}`);
    }
    const built: BuiltPart[] = [];
    let over: PartOverCeilingError | null = null;
    for (const [i, p] of plan.parts.entries()) {
      const temp = join(work, `part${String(i).padStart(5, '0')}.mp4`);
      const output = options.outputFor(p.index);
      const { s, size } = await checkSegmentedPart(temp, p, input);
      if (options.ceilingBytes !== undefined && size > options.ceilingBytes && !over) over = new PartOverCeilingError(output, size, options.ceilingBytes);
      await rename(temp, output);
      built.push(builtPart(s, size, 1));
    }
    if (over) {
      log.warn(`${over.message}; all parts of ${input} removed for a re-plan`);
      await Promise.all(plan.parts.map((p) => unlink(options.outputFor(p.index)).catch(() => undefined)));
      throw over;
    }
    onProgress?.(1);
    return built;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** One ffmpeg run cutting `input` at `cuts` (seconds) into moov-first MP4s in `work`, by stream copy. */
function segmentArgs(input: string, reserve: number, cuts: number[], work: string): string[] {
  return [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-nostats',
    '-progress',
    'pipe:1',
    '-i',
    input,
    '-map',
    '0:v:0',
    '-map',
    '0:a:0?',
    '-dn',
    '-sn',
    // make_zero keeps every cut on its keyframe (with 'disabled' the muxer cut one GOP late on
    // B-frame input); part 1 then starts with the B-frame delay as an empty edit (not counted
    // in its video duration).
    '-c',
    'copy',
    '-bsf:a',
    'aac_adtstoasc',
    '-avoid_negative_ts',
    'make_zero',
    '-f',
    'segment',
    '-segment_format',
    'mp4',
    '-segment_format_options',
    `moov_size=${reserve}`,
    '-reset_timestamps',
    '1',
    ...(cuts.length ? ['-segment_times', cuts.map((c) => c.toFixed(6)).join(',')] : ['-segment_time', '1000000000']),
    join(work, 'part%05d.mp4'),
  ];
}

/** A part the segment muxer wrote: moov first and as long as planned; its summary and size. */
async function checkSegmentedPart(temp: string, p: PlannedPart, input: string) {
  if (!moovFirst(await readTopLevelAtoms(temp).catch(() => []))) throw permanent('part_build_failed', `part ${p.index} of ${input}: missing, or moov not first`);
  const s = await readMp4Summary(temp);
  if (Math.abs(contentDuration(s) - p.durationSec) > durationTolerance(p.durationSec)) {
    throw permanent('part_duration_mismatch', `part ${p.index} of ${input} lasts ${contentDuration(s).toFixed(2)} s, planned ${p.durationSec.toFixed(2)} s`);
  }
  const size = (await readTopLevelAtoms(temp)).reduce((sum, a) => sum + a.size, 0);
  return { s, size };
}
