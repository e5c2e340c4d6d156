import { rename, stat, unlink } from 'node:fs/promises';
import { permanent } from '../util/errors';
import { probeMedia } from './probe';
import { lastLines, runTool } from './run-tool';

/**
 * A JPEG thumbnail per part for Telegram: at most 320 px on the long side (never upscaled) and
 * at most 200 KB, from a representative frame. Candidates are taken at 10 %, 35 %, 60 % and 85 %
 * of the part; at each, ffmpeg's `thumbnail` filter picks the most typical of ~30 frames (skips
 * flashes and cuts), and `signalstats` measures its mean luma. The first candidate that is not
 * near black wins; if all are dark, the brightest one.
 */
export const THUMB_MAX_SIDE = 320;
export const THUMB_MAX_BYTES = 200 * 1024;
/** Mean luma (0-255, video range starts at 16) under which a frame counts as black. */
const DARK_YAVG = 28;

export interface ThumbnailOptions {
  input: string;
  output: string;
  /** Known duration of the input; probed when absent. */
  durationSec?: number;
  /** Resolved once by the caller (util/binaries.ts resolveTools). */
  ffmpegPath: string;
  ffprobePath: string;
  signal?: AbortSignal;
}

export interface Thumbnail {
  path: string;
  bytes: number;
  width: number;
  height: number;
  /** Time of the chosen frame in the input. */
  atSec: number;
}

export async function makeThumbnail(options: ThumbnailOptions): Promise<Thumbnail> {
  const { input, output, signal } = options;
  const ffmpeg = options.ffmpegPath;
  const info = await probeMedia(input, { ffprobePath: options.ffprobePath, signal });
  if (!info.video || !info.video.width) throw permanent('thumbnail_failed', `cannot make a thumbnail of ${input}: it has no video stream`);
  const duration = options.durationSec ?? info.durationSec;
  let best: { path: string; yavg: number; atSec: number; frameSec: number } | null = null;
  const tried: string[] = [];
  try {
    for (const [i, share] of [0.1, 0.35, 0.6, 0.85].entries()) {
      const atSec = Math.max(0, duration * share);
      const candidate = `${output}.cand${i}.jpg`;
      tried.push(candidate);
      const got = await grab(ffmpeg, input, candidate, atSec, 3, signal);
      if (got === null) continue;
      if (!best || got.yavg > best.yavg) best = { path: candidate, yavg: got.yavg, atSec, frameSec: atSec + got.offsetSec };
      if (got.yavg >= DARK_YAVG) break;
    }
    if (!best) throw permanent('thumbnail_failed', `ffmpeg produced no frame for a thumbnail of ${input}`);
    // Busy frames can exceed the size cap at high quality: lower the quality until it fits.
    for (let q = 6; (await stat(best.path)).size > THUMB_MAX_BYTES; q += 4) {
      if (q > 31) throw permanent('thumbnail_failed', `thumbnail of ${input} stays over ${THUMB_MAX_BYTES} bytes`);
      await grab(ffmpeg, input, best.path, best.atSec, q, signal);
    }
    await rename(best.path, output);
    const out = await probeMedia(output, { ffprobePath: options.ffprobePath, signal }).catch(() => null);
    const bytes = (await stat(output)).size;
    return { path: output, bytes, width: out?.video?.width ?? 0, height: out?.video?.height ?? 0, atSec: best.frameSec };
  } finally {
    await Promise.all(tried.map((p) => unlink(p).catch(() => undefined)));
  }
}

/** One candidate: writes the JPEG; returns its mean luma and time after `atSec`, or null when no frame came out. */
async function grab(ffmpeg: string, input: string, output: string, atSec: number, q: number, signal?: AbortSignal): Promise<{ yavg: number; offsetSec: number } | null> {
  const side = THUMB_MAX_SIDE;
  const filter = [
    'thumbnail=30',
    `scale='min(${side},iw)':'min(${side},ih)':force_original_aspect_ratio=decrease`,
    'signalstats',
    'metadata=print:key=lavfi.signalstats.YAVG:file=-',
  ].join(',');
  let yavg = 0;
  let offsetSec = 0;
  const r = await runTool(
    ffmpeg,
    [
      '-hide_banner',
      '-nostdin',
      '-y',
      '-loglevel',
      'error',
      '-ss',
      atSec.toFixed(3),
      '-i',
      input,
      '-an',
      '-vf',
      filter,
      '-frames:v',
      '1',
      '-q:v',
      String(q),
      '-f',
      'image2',
      output,
    ],
    {
      signal,
      onLine: (line) => {
        const m = /YAVG=([\d.]+)/.exec(line);
        if (m) yavg = Number(m[1]);
        const t = /pts_time:([\d.]+)/.exec(line);
        if (t) offsetSec = Number(t[1]);
      },
    },
  );
  if (r.code !== 0) throw permanent('thumbnail_failed', `ffmpeg could not make a thumbnail of ${input}: ${lastLines(r.stderrTail)}`);
  const exists = await stat(output).then(
    (s) => s.size > 0,
    () => false,
  );
  return exists ? { yavg, offsetSec } : null;
}
