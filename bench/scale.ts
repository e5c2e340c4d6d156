/**
 * `npm run bench -- scale`: a 6000-segment VOD (10 s segments listed: a 16.7-hour VOD) through the
 * engine's download phase, against the segment fetcher alone. The segments are tiny real MPEG-TS
 * (64x64, made once by ffmpeg and cached): the stand-in lists 6000 of them, cycling over BASE
 * distinct files, so the run costs requests, checks, store writes and planning, not bandwidth.
 * The Twitch stand-in runs as its own process, without latency or bandwidth cap.
 *
 * - engine: startEngine in its own process (bench/lib/engine-run.ts) from its start to the `download
 *   ok` row, default split settings (the cut stage plans as segments land). CPU from
 *   process.cpuUsage (module loading left out), peak RSS from process.resourceUsage().maxRSS.
 * - fetcher: resolveVodPlaylist + fetchSegments alone in its own process (bench/lib/fetcher-run.ts).
 * Both sides run compiled as the app ships its Node-side code (bench/lib/compiled.ts: the vite
 * build's settings), not under tsx, whose loader thread and compiler added about 45 MB to every
 * RSS figure (134 MB at the engine's start under tsx, 89 MB compiled; BENCH_SCALE_TSX=1 runs them
 * under tsx). Interleaved (engine, fetcher, ...), BENCH_SCALE_ROUNDS rounds (default 2), medians;
 * then one more engine run, under tsx (the profile names the .ts files), with V8's sampling
 * profiler for the planning time.
 *
 * Fields: `cpuVsFetcher` = engine CPU-s / fetcher CPU-s (goal <= 1.3), `planMsPerSegment` = CPU ms
 * under the cut stage's plan() and the planner modules / segments (profiled run), `peakRssMB`
 * (goal <= 250) with `rssAtStartMB` (node and the code loaded, before the engine starts) and
 * `fetcherPeakRssMB` (the fetcher alone) beside it, the load beside each figure.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hlsCacheDir, makeHlsVod, type HlsVodParams } from '../test/fakes/hls';
import type { TwitchStandIn } from '../test/fakes/twitch/server';
import { standInSettings } from '../test/pipeline/helpers';
import { figure, interleaved, load1m, median, round } from './lib/ab';
import type { EngineRunConfig, EngineRunResult } from './lib/engine-run';
import type { FetcherRunConfig } from './lib/fetcher-run';
import { compileScript } from './lib/compiled';
import { runEngine, runNodeJson, startTwitchProcess } from './lib/processes';

const SEGMENTS = 6000;
const BASE = 12;
const CONNECTIONS = 8;
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 2);
const TSX = process.env.BENCH_SCALE_TSX === '1';
const PARAMS: HlsVodParams = { durationSec: BASE * 10, segmentSec: 10, width: 64, height: 64, videoKbps: 10, fps: 2, audioKbps: 16 };
const say = (s: string) => process.stderr.write(`[bench scale] ${s}\n`);

export default async () => {
  const base = await makeHlsVod(hlsCacheDir('bench-scale', PARAMS), PARAMS);
  const segments = Array.from({ length: SEGMENTS }, (_, i) => ({ ...base.segments[i % base.segments.length]!, name: `${i}.ts` }));
  const bytes = segments.reduce((n, s) => n + s.bytes, 0);
  say(`VOD: ${SEGMENTS} segments (${base.segments.length} distinct files), ${(bytes / 1e6).toFixed(1)} MB, ${((SEGMENTS * 10) / 3600).toFixed(1)} h`);
  const work = mkdtempSync(join(tmpdir(), 'tvb-bench-scale-'));
  const twitch = await startTwitchProcess(work, { users: [{ id: '1', login: 'streamer' }], vods: [{ id: '600', userId: '1', title: 'scale', hls: { segments } }] });
  try {
    const settings = standInSettings(twitch as unknown as TwitchStandIn, {
      vod: { downloadConcurrency: CONNECTIONS, checkIntervalSec: 3600 },
      split: {},
      destinations: [{ kind: 'folder', name: 'Out', path: join(work, 'out') }],
    });
    const config: EngineRunConfig = { settings, secrets: { twitchClientSecret: twitch.clientSecret }, vodId: '600', until: 'download', timeoutMs: 900_000 };
    const fetcherConfig: FetcherRunConfig = { endpoints: twitch.endpoints, vodId: '600', concurrency: CONNECTIONS };
    const engineScript = TSX ? 'bench/lib/engine-run.ts' : await compileScript('bench/lib/engine-run.ts');
    const fetcherScript = TSX ? 'bench/lib/fetcher-run.ts' : await compileScript('bench/lib/fetcher-run.ts');
    const fetcherFile = join(work, 'fetcher.json');
    writeFileSync(fetcherFile, JSON.stringify(fetcherConfig));
    const engineRuns: EngineRunResult[] = [];
    const fetcherRuns: Array<{ seconds: number; cpuSec: number; maxRssMB: number; segments: number }> = [];
    const r = await interleaved(
      ROUNDS,
      {
        engine: async () => {
          const run = await runEngine(work, config, engineScript);
          engineRuns.push(run);
          return run.cpuSec;
        },
        fetcher: async () => {
          const run = await runNodeJson<(typeof fetcherRuns)[number]>(fetcherScript, [fetcherFile]);
          if (run.segments !== SEGMENTS) throw new Error(`the fetcher fetched ${run.segments} of ${SEGMENTS} segments`);
          fetcherRuns.push(run);
          return run.cpuSec;
        },
      },
      say,
    );
    say('one more engine run, profiled, for the planning time...');
    const loadBefore = load1m();
    const profiled = await runEngine(work, { ...config, profilePlanning: true });
    const planLoad = round((loadBefore + load1m()) / 2);
    const peak = Math.max(...engineRuns.map((e) => e.maxRssMB));
    return {
      ...figure('cpuVsFetcher', r.engine.median / r.fetcher.median, r.engine, r.fetcher),
      ...figure('peakRssMB', peak, r.engine),
      planMsPerSegment: round(((profiled.planSec ?? NaN) * 1000) / SEGMENTS, 3),
      planMsPerSegmentLoad1m: [planLoad],
      planSeconds: round(profiled.planSec ?? NaN),
      profiledCpuSec: round(profiled.cpuSec),
      engineCpuSec: round(r.engine.median),
      engineCpuSecRuns: r.engine.values,
      fetcherCpuSec: round(r.fetcher.median),
      fetcherCpuSecRuns: r.fetcher.values,
      engineSeconds: round(median(engineRuns.map((e) => e.downloadSec ?? NaN))),
      fetcherSeconds: round(median(fetcherRuns.map((f) => f.seconds))),
      rssAtStartMB: round(median(engineRuns.map((e) => e.rssAtStartMB))),
      fetcherPeakRssMB: round(Math.max(...fetcherRuns.map((f) => f.maxRssMB))),
      segments: SEGMENTS,
      bytes,
      connections: CONNECTIONS,
      rounds: ROUNDS,
      compiled: !TSX,
      load1mEnd: load1m(),
    };
  } finally {
    await twitch.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
