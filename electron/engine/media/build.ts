import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { EngineError, permanent, transient } from '../util/errors';
import { createLogger } from '../util/log';
import { moovFirst, readMp4Summary, readTopLevelAtoms, type Mp4Summary } from './mp4-atoms';
import { chapterInputArgs } from './chapters';
import { moovReserveBytes, type SampleRates } from './overhead';
import { lastLines, runTool } from './run-tool';

/**
 * Builds one MP4 part in ONE ffmpeg run: stream copy (no re-encode), ADTS AAC fixed for MP4,
 * timestamps from zero, and the moov written first into space reserved with `-moov_size` (sized
 * from the sample count, see overhead.ts), so no second pass rewrites the file. Only if that
 * reservation was too small (ffmpeg fails at the trailer) is the part built again with
 * `+faststart`, and that is logged. The file is written to a temp name and renamed when verified.
 *
 * Inputs: HLS segments are joined with the concat protocol (one byte stream, as if they were one
 * TS file): it keeps the streams' own timestamps, tolerates a stream that pauses (audio-only
 * stretch) and was the fastest way measured. Segments that change codec or resolution are never
 * in the same part (planner `streamKey`), because an MP4 track has one sample description.
 */
const log = createLogger('media');

export interface BuildPartOptions {
  /** Segment .ts paths in order. */
  inputs: string[];
  output: string;
  /** Sum of the units' durations: used for progress, the moov reservation and the check after. */
  expectedDurationSec: number;
  /** A finished part above this is an error (`PartOverCeilingError`) for the caller to re-plan. */
  ceilingBytes?: number;
  /** Resolved once by the caller (util/binaries.ts resolveTools). */
  ffmpegPath: string;
  signal?: AbortSignal;
  /** 0..1 */
  onProgress?: (fraction: number) => void;
  /** Sample rates for the moov reservation when known (defaults: 60 fps, 48 kHz AAC). */
  sampleRates?: SampleRates;
  /** Overrides the computed moov reservation (tests, tuning). */
  moovSizeBytes?: number;
  /** An FFMETADATA chapter file (absolute path, see chapters.ts) written into the part in the same pass. */
  chaptersFile?: string;
}

export interface BuiltPart {
  bytes: number;
  durationSec: number;
  width: number;
  height: number;
  videoCodec: string;
  audioCodec: string | null;
  /** ffmpeg runs that wrote this part's video: 1, or 2 after a faststart fallback. */
  ffmpegRuns: number;
}

/** The built part is bigger than the ceiling: re-plan its units with `replanPart`. */
export class PartOverCeilingError extends EngineError {
  constructor(
    readonly output: string,
    readonly builtBytes: number,
    readonly ceilingBytes: number,
  ) {
    super('permanent', 'part_over_ceiling', `${output} came out at ${builtBytes} bytes, over the ceiling of ${ceilingBytes} bytes`);
  }
}

/** Tolerance of the duration check: a frame or two of rounding, never a missing segment. */
export function durationTolerance(expectedSec: number): number {
  return Math.max(0.5, expectedSec * 0.0005);
}

/** The longer of the tracks' own durations: a part whose video stops early (audio-only tail) is whole. */
export function contentDuration(info: Mp4Summary): number {
  return Math.max(info.video?.durationSec ?? 0, info.audio?.durationSec ?? 0) || info.durationSec;
}

export async function buildPart(options: BuildPartOptions): Promise<BuiltPart> {
  const { inputs } = options;
  if (inputs.length === 0) throw permanent('bad_part', `no input segments for ${options.output}`);
  for (const p of inputs) {
    if (p.includes('|')) throw permanent('bad_part', `segment path contains "|", which the concat protocol cannot take: ${p}`);
  }
  await Promise.all(
    inputs.map((p) =>
      stat(p).catch((err: NodeJS.ErrnoException) => {
        throw transient('segment_missing', `segment ${p} for ${options.output} is not readable: ${err.code ?? err.message}`, { cause: err });
      }),
    ),
  );
  // Relative names from the segments' folder keep the command line short (Windows: 32 KiB).
  const dir = dirname(inputs[0]);
  const sameDir = inputs.every((p) => dirname(p) === dir);
  const names = sameDir ? inputs.map((p) => basename(p)) : inputs;
  return muxToMp4({ ...options, inputArgs: ['-i', `concat:${names.join('|')}`], cwd: sameDir ? dir : undefined, what: `${inputs.length} segments` });
}

export interface MuxOptions extends Omit<BuildPartOptions, 'inputs'> {
  /** ffmpeg input arguments (e.g. `-i concat:a.ts|b.ts`, or a concat demuxer list). */
  inputArgs: string[];
  cwd?: string;
  /** For messages: what the part is made of. */
  what: string;
}

/** The shared single-pass writer behind `buildPart` and the one-file builder. */
export async function muxToMp4(options: MuxOptions): Promise<BuiltPart> {
  const ffmpeg = options.ffmpegPath;
  const { output, expectedDurationSec, signal, onProgress } = options;
  const temp = `${output}.partial.mp4`;
  const reserve = options.moovSizeBytes ?? moovReserveBytes(expectedDurationSec, options.sampleRates);
  const common = [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-loglevel',
    'error',
    '-nostats',
    '-progress',
    'pipe:1',
    ...options.inputArgs,
    ...(options.chaptersFile ? [...chapterInputArgs(options.chaptersFile), '-map_chapters', '1'] : []),
    '-map',
    '0:v:0?',
    '-map',
    '0:a:0?',
    '-dn',
    '-sn',
    // No -avoid_negative_ts: ffmpeg starts the part at its earliest packet (time zero) and keeps
    // B-frames' negative decode times in an edit list; make_zero would add their delay as a
    // lead-in to every part, so the parts' durations would add up to more than the VOD.
    '-c',
    'copy',
    '-bsf:a',
    'aac_adtstoasc',
    '-f',
    'mp4',
  ];
  const run = async (layout: string[]) => {
    let lastFraction = 0;
    const r = await runTool(ffmpeg, [...common, ...layout, temp], {
      signal,
      cwd: options.cwd,
      onLine: (line) => {
        const m = /^out_time_us=(\d+)/.exec(line);
        if (!m || !onProgress || expectedDurationSec <= 0) return;
        const f = Math.min(0.99, Number(m[1]) / 1e6 / expectedDurationSec);
        if (f > lastFraction) {
          lastFraction = f;
          onProgress(f);
        }
      },
    }).catch(async (err: unknown) => {
      await unlink(temp).catch(() => undefined);
      throw err;
    });
    return r;
  };
  let runs = 1;
  let r = await run(['-moov_size', String(reserve)]);
  // ffmpeg 5.1 exits with 0 even when the trailer fails, so stderr decides.
  if (/reserved_moov_size is too small/i.test(r.stderrTail)) {
    log.warn(`moov reservation of ${reserve} bytes was too small for ${output}; rebuilding with +faststart`);
    runs = 2;
    r = await run(['-movflags', '+faststart']);
  }
  if (r.code !== 0 || /Error writing trailer/i.test(r.stderrTail)) {
    await unlink(temp).catch(() => undefined);
    const detail = lastLines(r.stderrTail) || `exit code ${r.code}`;
    if (/No space left/i.test(detail)) throw new EngineError('disk', 'ENOSPC', `The disk is full while writing ${output}.`);
    throw permanent('part_build_failed', `ffmpeg could not build ${output} from ${options.what}: ${detail}`);
  }
  try {
    const built = await verify(temp, output, expectedDurationSec, runs);
    if (options.ceilingBytes !== undefined && built.bytes > options.ceilingBytes) {
      throw new PartOverCeilingError(output, built.bytes, options.ceilingBytes);
    }
    await rename(temp, output);
    onProgress?.(1);
    return built;
  } catch (err) {
    await unlink(temp).catch(() => undefined);
    throw err;
  }
}

/**
 * A part's duration is its video track's (the sum of its frames): neighbouring parts' frames tile
 * the VOD exactly, while the movie duration also counts audio that the stream interleaves just
 * before a cut (tens of ms per part), so movie durations add up to more than the VOD. Only when
 * the audio runs on for over half a second longer (video stopped) does the audio's length count.
 */
export function partDuration(info: Mp4Summary): number {
  const video = info.video?.durationSec ?? 0;
  if (video <= 0) return info.audio?.durationSec || info.durationSec;
  // An audio-only tail (video stopped, sound goes on) is part of the part's length.
  const audio = info.audio?.durationSec ?? 0;
  return audio - video > 0.5 ? audio : video;
}

/** Checks the finished file from its own index (no extra process): moov first, length, streams. */
async function verify(temp: string, output: string, expectedSec: number, ffmpegRuns: number): Promise<BuiltPart> {
  const atoms = await readTopLevelAtoms(temp).catch((err: Error) => {
    throw permanent('part_build_failed', `ffmpeg wrote no readable ${output}: ${err.message}`, { cause: err });
  });
  if (!moovFirst(atoms)) throw permanent('part_build_failed', `${output}: the moov atom is not before the media data`);
  const info = await readMp4Summary(temp).catch((err: Error) => {
    throw permanent('part_build_failed', `${output} is not a readable MP4: ${err.message}`, { cause: err });
  });
  if (!info.video && !info.audio) throw permanent('part_build_failed', `${output} holds no audio or video`);
  // Shorter than its segments means lost media (a truncated or missing segment): an error.
  // Longer only means the playlist understated a duration (seen with audio-only stretches).
  const got = contentDuration(info);
  if (got < expectedSec - durationTolerance(expectedSec)) {
    throw transient('part_duration_mismatch', `${output} lasts ${got.toFixed(2)} s, expected ${expectedSec.toFixed(2)} s from its segments (a segment may be truncated)`);
  }
  if (got > expectedSec + durationTolerance(expectedSec)) {
    log.warn(`${output} lasts ${got.toFixed(2)} s, more than the ${expectedSec.toFixed(2)} s its segments claim`);
  }
  return builtPart(info, (await stat(temp)).size, ffmpegRuns);
}

/** A built part as the store records it, from the MP4's own index and its size. */
export function builtPart(info: Mp4Summary, bytes: number, ffmpegRuns: number): BuiltPart {
  return {
    bytes,
    durationSec: partDuration(info),
    width: info.video?.width ?? 0,
    height: info.video?.height ?? 0,
    videoCodec: info.video?.codec ?? '',
    audioCodec: info.audio?.codec ?? null,
    ffmpegRuns,
  };
}
