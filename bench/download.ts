/**
 * `npm run bench -- download`: the headless engine's download phase on the real path against
 * yt-dlp and against the physical limit, on the Twitch stand-in run as its own process with
 * LATENCY_MS before every answer and CONN_BPS per TCP connection (test/fakes/twitch/server.ts
 * `latencyMs`, `connectionBytesPerSec`), serving a ~450 MB VOD (64 x 10 s segments made once by
 * ffmpeg, cached under os.tmpdir()). MB = 10^6 bytes.
 *
 * - ours: the engine (startEngine: discovery, resolve, SQLite, each segment checked and keyed,
 *   the cut stage planning as segments land) in its own process, from its start to the `download
 *   ok` row of its operation log, at `vod.downloadConcurrency` = CONNECTIONS, default split settings.
 * - yt-dlp: Debian's yt-dlp `-N CONNECTIONS --fixup never` on the VOD page (its generic extractor
 *   reads the master playlist), the whole process's wall time.
 * - limit: bytes / (CONNECTIONS x CONN_BPS) + ceil(segments / CONNECTIONS) x LATENCY_MS (each request
 *   waits LATENCY_MS on its connection before its first byte).
 * Interleaved (ours, yt-dlp, ours, ...), BENCH_DOWNLOAD_ROUNDS rounds (default 3), medians.
 *
 * Fields: `vsLimit` = fetchSeconds / limitSeconds (goal <= 1.05; fetchSeconds = resolve ok -> download
 * ok, the segments only), `vsYtDlp` = ytDlpSeconds / seconds (goal >= 1.2; seconds = engine start ->
 * download ok, discovery and resolve included), `ytDlpStartupSeconds` (`yt-dlp --version`: Python's
 * start, part of every yt-dlp run), the load beside each figure.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hlsCacheDir, makeHlsVod, type HlsVodParams } from '../test/fakes/hls';
import type { TwitchStandIn } from '../test/fakes/twitch/server';
import { standInSettings } from '../test/pipeline/helpers';
import { figure, interleaved, load1m, median, round } from './lib/ab';
import { runEngine, startTwitchProcess, timeCommand } from './lib/processes';

const CONNECTIONS = 8;
const CONN_BPS = 8_000_000;
const LATENCY_MS = 100;
const ROUNDS = Number(process.env.BENCH_DOWNLOAD_ROUNDS ?? 3);
const PARAMS: HlsVodParams = { durationSec: 640, segmentSec: 10, width: 320, height: 180, videoKbps: 5500, fps: 30 };
const say = (s: string) => process.stderr.write(`[bench download] ${s}\n`);

export default async () => {
  say('preparing the VOD (cached after the first run)...');
  const hls = await makeHlsVod(hlsCacheDir('bench-download', PARAMS), PARAMS);
  say(`VOD: ${hls.segments.length} segments, ${(hls.totalBytes / 1e6).toFixed(1)} MB`);
  const work = mkdtempSync(join(tmpdir(), 'tvb-bench-dl-'));
  const twitch = await startTwitchProcess(work, {
    latencyMs: LATENCY_MS,
    connectionBytesPerSec: CONN_BPS,
    users: [{ id: '1', login: 'streamer' }],
    media: [{ vod: { id: '500', userId: '1', title: 'bench' }, hls: PARAMS, cacheKey: 'bench-download' }],
  });
  try {
    const settings = standInSettings(twitch as unknown as TwitchStandIn, {
      vod: { downloadConcurrency: CONNECTIONS, checkIntervalSec: 3600 },
      split: {},
      destinations: [{ kind: 'folder', name: 'Out', path: join(work, 'out') }],
    });
    const fetchSeconds: number[] = [];
    const r = await interleaved(
      ROUNDS,
      {
        ours: async () => {
          const run = await runEngine(work, { settings, secrets: { twitchClientSecret: twitch.clientSecret }, vodId: '500', until: 'download', timeoutMs: 600_000 });
          if (run.downloadSec === null || run.resolveSec === null) throw new Error('the engine recorded no download');
          fetchSeconds.push(run.downloadSec - run.resolveSec);
          return run.downloadSec;
        },
        ytDlp: async () => {
          const out = join(work, 'yt');
          const s = await timeCommand('yt-dlp', [
            '-N',
            String(CONNECTIONS),
            '--fixup',
            'never',
            '--no-warnings',
            '--no-progress',
            '-q',
            '-o',
            join(out, 'vod.%(ext)s'),
            `${twitch.endpoints.vodPageUrl}/500`,
          ]);
          rmSync(out, { recursive: true, force: true });
          return s;
        },
      },
      say,
    );
    const ytDlpStartupSeconds = await timeCommand('yt-dlp', ['--version']);
    const limitSeconds = hls.totalBytes / (CONNECTIONS * CONN_BPS) + Math.ceil(hls.segments.length / CONNECTIONS) * (LATENCY_MS / 1000);
    const fetchMedian = median(fetchSeconds);
    return {
      ...figure('vsLimit', fetchMedian / limitSeconds, r.ours),
      ...figure('vsYtDlp', r.ytDlp.median / r.ours.median, r.ours, r.ytDlp),
      seconds: round(r.ours.median),
      secondsRuns: r.ours.values,
      fetchSeconds: round(fetchMedian),
      fetchSecondsRuns: fetchSeconds.map((x) => round(x)),
      limitSeconds: round(limitSeconds),
      ytDlpSeconds: round(r.ytDlp.median),
      ytDlpSecondsRuns: r.ytDlp.values,
      ytDlpStartupSeconds: round(ytDlpStartupSeconds),
      MBps: round(hls.totalBytes / 1e6 / fetchMedian),
      capMBps: (CONNECTIONS * CONN_BPS) / 1e6,
      bytes: hls.totalBytes,
      segments: hls.segments.length,
      connections: CONNECTIONS,
      latencyMs: LATENCY_MS,
      rounds: ROUNDS,
      load1mEnd: load1m(),
    };
  } finally {
    await twitch.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
