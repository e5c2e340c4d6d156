/**
 * `npm run bench -- split`: the cut as the app runs it, one JSON line, the load beside every figure.
 *
 * Segments are real MPEG-TS made by ffmpeg (cached under os.tmpdir()): a 5-minute VOD of 2 s
 * segments at 12 Mb/s, whose audio first appears ~600-800 KB into each segment (as in Twitch's
 * 6 Mb/s segments at ~1 MB).
 *
 * - `vsRemux`: the cut of the 5-minute VOD as the app runs it, the real cut stage
 *   (pipeline/stages/cut.ts) on a real SQLite store (test/pipeline/cut-context.ts builds its context
 *   as pipeline/job.ts does), fed segment by segment as the fetch stage does after each download
 *   (the same TsSegmentCheck over each file, marks committed in batches, then the stage woken: early planning runs), until every
 *   part is built with its thumbnail on a build queue of the scheduler's min(4, cores); over one
 *   single-pass ffmpeg remux of the same bytes (concat protocol, stream copy, no faststart) on the
 *   same cores. Interleaved, median of BENCH_SPLIT_ROUNDS.
 * - `vsRemuxTwoParts`: the same, the same bytes cut into two parts (interleaved with the others):
 *   each part's fixed costs (an ffmpeg start, a thumbnail) then weigh about as they do on a VOD of
 *   a few real 2000 MiB parts.
 * - `minFillRatio5m`, `minFillRatio1h`, `minFillRatio16h`: the smallest part but the last, as
 *   its estimated MP4 size over the ceiling (for the 5-minute VOD also built, `builtMinFillRatio5m`),
 *   at default split settings with every MB setting scaled by one factor so the VOD makes at least
 *   4 parts (the 16-hour VOD makes 40+ at the real 2 GB ceiling: not scaled). The 1-hour and 16-hour
 *   VODs repeat the 5-minute VOD's segment files (each file's key is read once, with the same
 *   function); nothing is built for them. `...ButLastTwo` leaves out the last two, which the
 *   planner balances on purpose (minFileSizeMB, midTargetRatio).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import PQueue from 'p-queue';
import { inspectTsSegment } from '../electron/engine/download/segment-check';
import { segmentPath } from '../electron/engine/download/segments';
import { IncrementalPlanner } from '../electron/engine/media/incremental-planner';
import { splitRules, TELEGRAM_LIMIT_BYTES, type PlannedPart, type SplitRules, type Unit } from '../electron/engine/media/planner';
import { cutStage } from '../electron/engine/pipeline/stages/cut';
import { partsOf, type PartRecord } from '../electron/engine/store/parts';
import { resolveTools } from '../electron/engine/util/binaries';
import { onLogLine } from '../electron/engine/util/log';
import { figure, interleaved, load1m, median, round } from './lib/ab';
import { openCutVod } from '../test/pipeline/cut-context';
import { SettingsSchema } from '../electron/contract/settings';

const exec = promisify(execFile);
const CACHE = join(tmpdir(), 'twitch-vod-backup-bench-split-v3');
const SECONDS = 300;
const SEGMENT_SEC = 2;
const ROUNDS = Number(process.env.BENCH_SPLIT_ROUNDS ?? 3);
/** The pipeline's build queue: min(4, cores) ffmpeg runs at once (scheduler.ts). */
const BUILD_CONCURRENCY = Math.max(1, Math.min(4, availableParallelism()));
/** Default split settings (contract/settings.ts), against the non-Premium ceiling. */
const DEFAULTS = SettingsSchema.parse({}).split;
const progress = (msg: string) => process.stderr.write(`[split] ${msg}\n`);

interface Seg extends Unit {
  path: string;
}

async function ensureVod(): Promise<Seg[]> {
  const playlist = join(CACHE, 'vod.m3u8');
  if (!existsSync(join(CACHE, 'done'))) {
    progress(`generating a ${SECONDS} s VOD in ${SEGMENT_SEC} s segments at 12 Mb/s under ${CACHE} ...`);
    await rm(CACHE, { recursive: true, force: true });
    await mkdir(CACHE, { recursive: true });
    // prettier-ignore
    await exec('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=s=320x180:r=30', '-f', 'lavfi', '-i', 'sine=f=440:r=48000',
      '-t', String(SECONDS), '-vf', 'noise=alls=80:allf=t',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '12M', '-maxrate', '12M', '-bufsize', '4M', '-pix_fmt', 'yuv420p',
      '-force_key_frames', `expr:gte(t,n_forced*${SEGMENT_SEC})`,
      '-c:a', 'aac', '-b:a', '160k', '-ac', '2',
      '-f', 'hls', '-hls_time', String(SEGMENT_SEC), '-hls_list_size', '0', '-hls_segment_filename', join(CACHE, 's%05d.ts'), playlist,
    ]);
    await writeFile(join(CACHE, 'done'), '');
  }
  const segs: Seg[] = [];
  let dur = 0;
  for (const line of (await readFile(playlist, 'utf8')).split('\n')) {
    const m = /^#EXTINF:([\d.]+)/.exec(line);
    if (m) dur = Number(m[1]);
    else if (line && !line.startsWith('#')) {
      const path = join(CACHE, line.trim());
      segs.push({ index: segs.length, bytes: (await stat(path)).size, durationSec: dur, path });
    }
  }
  return segs;
}

/** Every MB setting scaled by one factor so the ceiling is `ceilingBytes` (defaults when it is the real one). */
function rulesFor(ceilingBytes: number): SplitRules {
  const f = ceilingBytes / TELEGRAM_LIMIT_BYTES;
  return splitRules(
    {
      ...DEFAULTS,
      maxFileSizeMB: f >= 1 ? DEFAULTS.maxFileSizeMB : ceilingBytes / 1e6,
      minFileSizeMB: DEFAULTS.minFileSizeMB * Math.min(1, f),
      mergeThresholdMB: DEFAULTS.mergeThresholdMB * Math.min(1, f),
    },
    false,
  );
}

/** The pipeline's planning: one unit per finished segment, the early plan after each, the rest at the end. */
function planLikeThePipeline(units: Unit[], rules: SplitRules): { parts: PlannedPart[]; msPerSegment: number } {
  const t0 = performance.now();
  const planner = new IncrementalPlanner(rules, units);
  const parts: PlannedPart[] = [];
  // The caller numbers returned parts after those already recorded (as the pipeline does).
  const record = (ps: PlannedPart[]) => {
    const offset = parts.length;
    const start = parts.length ? parts[parts.length - 1]!.startSec + parts[parts.length - 1]!.durationSec : 0;
    for (const p of ps) parts.push({ ...p, index: offset + p.index, startSec: start + p.startSec });
  };
  let key: string | undefined;
  for (const u of units) {
    key = u.streamKey ?? key; // a segment without a full key keeps the previous one (as the pipeline stores it)
    planner.push({ ...u, streamKey: key });
    record(planner.takeEarly());
  }
  record(planner.finish().parts);
  return { parts, msPerSegment: (performance.now() - t0) / Math.max(1, units.length) };
}

function fills(parts: PlannedPart[], rules: SplitRules, bytesOf: (p: PlannedPart, i: number) => number = (p) => p.estimatedBytes) {
  const ratio = parts.map((p, i) => bytesOf(p, i) / rules.ceilingBytes);
  const min = (xs: number[]) => (xs.length ? round(Math.min(...xs), 4) : null);
  return { butLast: min(ratio.slice(0, -1)), butLastTwo: min(ratio.slice(0, -2)) };
}

/** The 5-minute VOD's segment files repeated to `seconds`, renumbered, keys from the same files. */
function longVod(segs: Seg[], seconds: number): Seg[] {
  const n = Math.ceil(seconds / SEGMENT_SEC);
  return Array.from({ length: n }, (_, i) => ({ ...segs[i % segs.length]!, index: i }));
}

/**
 * The cut as the app runs it: the real cut stage on a real store, fed segment by segment as the
 * fetch stage does after each download (stream key read, segment marked done, the stage woken),
 * until every part is built with its thumbnail. The segments are hard-linked into the round's work
 * folder first (untimed): the stage deletes each part's segments once it is built.
 */
async function cut(segs: Seg[], rules: SplitRules, dir: string, build: PQueue, side: Side = 'cut'): Promise<{ seconds: number; parts: PartRecord[]; runs: number }> {
  const tools = resolveTools({});
  const vod = openCutVod({ dir, vodId: '1', durations: segs.map((s) => s.durationSec), rules, tools, build });
  try {
    await mkdir(vod.ctx.folder.segments, { recursive: true });
    for (const s of segs) await link(s.path, segmentPath(vod.ctx.folder.segments, s.index));
    let rebuilds = 0;
    const off = onLogLine((l) => void (/rebuilding with \+faststart/.test(l.message) && rebuilds++));
    const seconds = await timed(side, async () => {
      const stage = cutStage(vod.ctx);
      for (const s of segs) await vod.segmentDone(s.index, s.bytes);
      vod.fetchDone();
      await stage;
    }).finally(off);
    const parts = partsOf(vod.db, '1');
    if (parts.some((p) => p.state !== 'built')) throw new Error('the cut stage returned with parts not built');
    return { seconds, parts, runs: parts.length + rebuilds };
  } finally {
    vod.close();
  }
}

async function remux(segs: Seg[], output: string): Promise<void> {
  // prettier-ignore
  await exec('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', `concat:${segs.map((s) => s.path).join('|')}`, '-map', '0:v:0', '-map', '0:a:0', '-c', 'copy', '-bsf:a', 'aac_adtstoasc', output], { maxBuffer: 1 << 20 });
}

/** CPU seconds used so far by this process and by the children it has waited for (ffmpeg), from /proc (Linux). */
function cpuSeconds(): number {
  const own = process.cpuUsage();
  // /proc/self/stat fields 16 and 17 (after the command name): cutime, cstime in clock ticks (USER_HZ, 100 on Linux).
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
  return (own.user + own.system) / 1e6 + (Number(fields[13]) + Number(fields[14])) / 100;
}

type Side = 'cut' | 'cutTwoParts' | 'remux';
const cpuOf: Record<Side, number[]> = { cut: [], cutTwoParts: [], remux: [] };

/** Flushes the previous side's dirty pages first, so no one pays for another's writeback; records the side's CPU time too. */
async function timed(side: Side, fn: () => Promise<unknown>): Promise<number> {
  await exec('sync');
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  await fn();
  const seconds = (performance.now() - t0) / 1000;
  cpuOf[side].push(cpuSeconds() - cpu0);
  return seconds;
}

export default async function split(): Promise<Record<string, unknown>> {
  const loadStart = load1m();
  const segs = await ensureVod();
  const inputBytes = segs.reduce((s, u) => s + u.bytes, 0);
  for (const s of segs) await readFile(s.path); // warm the page cache for both sides
  const work = join(tmpdir(), `bench-split-out-${process.pid}`);
  await mkdir(work, { recursive: true });
  try {
    // Keys read once per distinct file, with the function the pipeline uses after each download.
    const keyOf = new Map<string, string | undefined>();
    for (const s of segs) keyOf.set(s.path, (await inspectTsSegment(s.path, s.index, s.bytes)).streamKey);
    const keyed = (list: Seg[]) => list.map((s) => ({ ...s, streamKey: keyOf.get(s.path) }));

    const rules5m = rulesFor(Math.floor(inputBytes / 4.5));
    // The same bytes in two parts: each part's fixed costs (an ffmpeg start, a thumbnail) weigh as
    // they do on a real VOD of two or three 2000 MiB parts, not as on five 100 MB ones.
    const rulesTwo = rulesFor(Math.floor(inputBytes / 1.9));
    // The scheduler's build queue: min(4, cores) ffmpeg runs at once.
    const build = new PQueue({ concurrency: BUILD_CONCURRENCY });
    let last: Awaited<ReturnType<typeof cut>> | undefined;
    const sides = await interleaved(
      ROUNDS,
      {
        cut: async (r) => {
          const dir = join(work, `cut${r}`);
          last = await cut(segs, rules5m, dir, build);
          await rm(dir, { recursive: true, force: true });
          return last.seconds;
        },
        cutTwoParts: async (r) => {
          const dir = join(work, `cut-two${r}`);
          const two = await cut(segs, rulesTwo, dir, build, 'cutTwoParts');
          await rm(dir, { recursive: true, force: true });
          if (two.parts.length !== 2) throw new Error(`expected 2 parts, the stage made ${two.parts.length}`);
          return two.seconds;
        },
        remux: async () => {
          const whole = join(work, 'whole.mp4');
          const seconds = await timed('remux', () => remux(segs, whole));
          await rm(whole, { force: true });
          return seconds;
        },
      },
      progress,
    );
    const built5m = last!;
    // The stage plans with the same planner and keys: its parts are the plan's (checked), whose estimates give the fill.
    const plan5m = planLikeThePipeline(keyed(segs), rules5m).parts;
    const samePlan =
      plan5m.length === built5m.parts.length && plan5m.every((p, i) => p.firstUnit === built5m.parts[i]!.first_segment && p.lastUnit === built5m.parts[i]!.last_segment);
    const f5 = fills(plan5m, rules5m);
    const b5 = fills(plan5m, rules5m, (_p, i) => built5m.parts[i]?.bytes ?? NaN);

    const long = (seconds: number) => {
      const list = keyed(longVod(segs, seconds));
      const bytes = list.reduce((n, s) => n + s.bytes, 0);
      const rules = rulesFor(Math.min(TELEGRAM_LIMIT_BYTES, Math.floor(bytes / 4.5)));
      const { parts, msPerSegment } = planLikeThePipeline(list, rules);
      return { parts, rules, msPerSegment, fill: fills(parts, rules), runs: new Set(list.map((s) => s.streamKey)).size };
    };
    const h1 = long(3600);
    const h16 = long(16 * 3600);
    progress(`5m: ${built5m.parts.length} parts; 1h: ${h1.parts.length}; 16h: ${h16.parts.length} (${round(h16.msPerSegment, 4)} ms per segment planned)`);
    return {
      inputBytes,
      segments: segs.length,
      distinctStreamKeys: keyOf.size ? new Set(keyOf.values()).size : 0,
      buildConcurrency: BUILD_CONCURRENCY,
      cores: cpus().length,
      cutSeconds: round(sides.cut.median),
      remuxSeconds: round(sides.remux.median),
      ...figure('vsRemux', sides.cut.median / sides.remux.median, sides.cut, sides.remux),
      // What bounds vsRemux: the cut's CPU time (ffmpeg builds and thumbnails, the engine's own work)
      // spread perfectly over the cores, against the remux's CPU time (one thread, CPU-bound: its wall
      // time on an idle machine). Unlike the wall times, CPU times hardly move with the machine's load.
      cutCpuSeconds: round(median(cpuOf.cut)),
      remuxCpuSeconds: round(median(cpuOf.remux)),
      vsRemuxCpuBound: round(median(cpuOf.cut) / cpus().length / median(cpuOf.remux)),
      ...figure('vsRemuxTwoParts', sides.cutTwoParts.median / sides.remux.median, sides.cutTwoParts, sides.remux),
      cutTwoPartsSeconds: round(sides.cutTwoParts.median),
      cutTwoPartsCpuSeconds: round(median(cpuOf.cutTwoParts)),
      ffmpegRunsPerPart: round(built5m.runs / built5m.parts.length),
      stagePartsMatchPlan: samePlan,
      parts5m: built5m.parts.length,
      parts1h: h1.parts.length,
      parts16h: h16.parts.length,
      ...figure('minFillRatio5m', f5.butLast ?? NaN, sides.cut),
      builtMinFillRatio5m: b5.butLast,
      minFillRatio1h: h1.fill.butLast,
      minFillRatio16h: h16.fill.butLast,
      minFillRatioButLastTwo5m: f5.butLastTwo,
      minFillRatioButLastTwo1h: h1.fill.butLastTwo,
      minFillRatioButLastTwo16h: h16.fill.butLastTwo,
      ceilingBytes5m: rules5m.ceilingBytes,
      ceilingBytes1h: h1.rules.ceilingBytes,
      ceilingBytes16h: h16.rules.ceilingBytes,
      plannerMsPerSegment16h: round(h16.msPerSegment, 4),
      load1mStart: loadStart,
      load1mEnd: load1m(),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
