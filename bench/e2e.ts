/**
 * `npm run bench -- e2e`: a whole VOD through the engine (startEngine in its own process,
 * bench/lib/engine-run.ts) to a folder destination on the work folder's file system and to a
 * Telegram chat (the MTProto stand-in, its own process, PART_DELAY_MS per uploaded file part),
 * from the Twitch stand-in (its own process, LATENCY_MS per request, CONN_BPS per connection).
 * The Telegram delay is chosen so that the upload alone takes about as long as the download alone: a
 * first guess from the round trips (512 KiB file parts IN_FLIGHT at a time, one per thumbnail), then
 * scaled once by a calibration run of the upload alone (not counted) against the download's limit.
 *
 * Three engine runs, interleaved, BENCH_E2E_ROUNDS rounds (default 2), medians:
 * - whole: start -> VOD completed (posted to the chat, placed in the folder).
 * - downloadAlone: the same run stopped at its `download ok` row (start -> download ok).
 * - uploadAlone: the same engine and Telegram stand-in, but from a Twitch stand-in without latency or
 *   bandwidth cap: first `build ok` -> completed (the delivery once the download is out of the way
 *   and the first part exists; the later parts' builds overlap it, as in the whole run).
 *
 * Fields: `overlap` = whole / max(downloadAlone, uploadAlone) (goal <= 1.15); `overlapFloor` = (the
 * whole run's first part built + uploadAlone) / the same max: what the overlap cannot go under while a part
 * must exist before it is delivered (BENCH_E2E_TIMELINE=1 prints each whole run's operation log);`diskBytesPerVodByte` =
 * bytes the whole run's engine process (ffmpeg children included: /proc/self/io) wrote to storage,
 * less what was truncated before writeback (cancelled_write_bytes), over the VOD's bytes (goal <= 1.1);
 * `writtenBytesPerVodByte` the same without the cancelled bytes; `designFloorBytesPerVodByte`: the
 * segments plus the parts remuxed from them (what the engine must write while it keeps segments on
 * disk and builds parts as files), measured as (VOD bytes + part bytes) / VOD bytes from the folder.
 */
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Settings } from '../electron/contract/settings';
import { hlsCacheDir, makeHlsVod, type HlsVodParams } from '../test/fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID } from '../test/fakes/telegram';
import { spawnStandIn } from '../test/fakes/telegram/process';
import type { TwitchStandIn } from '../test/fakes/twitch/server';
import { standInSession, standInSettings } from '../test/pipeline/helpers';
import { figure, interleaved, load1m, median, round } from './lib/ab';
import type { EngineRunResult } from './lib/engine-run';
import { runEngine, startTwitchProcess, type TwitchProcess } from './lib/processes';

const PARAMS: HlsVodParams = { durationSec: 120, segmentSec: 2, width: 320, height: 180, videoKbps: 5200 };
const CONNECTIONS = 4;
const CONN_BPS = 2_000_000;
const LATENCY_MS = 30;
const IN_FLIGHT = 4;
const CEILING_MB = 10;
const ROUNDS = Number(process.env.BENCH_E2E_ROUNDS ?? 2);
const say = (s: string) => process.stderr.write(`[bench e2e] ${s}\n`);

/** Bytes of every file under `dir`. */
function treeBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true, recursive: true })) if (e.isFile()) n += statSync(join(e.parentPath, e.name)).size;
  return n;
}

export default async () => {
  const hls = await makeHlsVod(hlsCacheDir('bench-e2e', PARAMS), PARAMS);
  const work = mkdtempSync(join(tmpdir(), 'tvb-bench-e2e-'));
  const twitchOptions = (throttled: boolean) => ({
    ...(throttled ? { latencyMs: LATENCY_MS, connectionBytesPerSec: CONN_BPS } : {}),
    users: [{ id: '1', login: 'streamer' }],
    media: [{ vod: { id: '700', userId: '1', title: 'e2e' }, hls: PARAMS, cacheKey: 'bench-e2e' }],
  });
  // Upload round trips: 512 KiB file parts IN_FLIGHT at a time, plus one per thumbnail; matched to the download's limit.
  const downloadLimitSec = hls.totalBytes / (CONNECTIONS * CONN_BPS) + Math.ceil(hls.segments.length / CONNECTIONS) * (LATENCY_MS / 1000);
  const parts = Math.ceil(hls.totalBytes / (CEILING_MB * 1e6));
  let partDelayMs = Math.max(10, Math.round((downloadLimitSec * 1000) / (Math.ceil(hls.totalBytes / (512 * 1024)) / IN_FLIGHT + parts)));
  const throttled = await startTwitchProcess(work, twitchOptions(true));
  const free = await startTwitchProcess(work, twitchOptions(false));
  const telegram = await spawnStandIn({ stateFile: join(work, 'telegram.json'), partDelayMs });
  try {
    const state = await telegram.state();
    const chatId = `-100${state.chats.find((c) => c.title === 'VOD Archive')!.id}`;
    const settingsFor = (twitch: TwitchProcess, out: string): Settings =>
      standInSettings(twitch as unknown as TwitchStandIn, {
        telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: IN_FLIGHT, postDelaySec: 0 },
        vod: { downloadConcurrency: CONNECTIONS, checkIntervalSec: 3600 },
        split: { maxFileSizeMB: CEILING_MB, minFileSizeMB: 0, mergeThresholdMB: 0 },
        advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
        destinations: [
          { kind: 'telegram', name: 'Archive', chatId },
          { kind: 'folder', name: 'Folder', path: join(work, out) },
        ],
      });
    const session = await standInSession(settingsFor(throttled, 'login'));
    const run = async (twitch: TwitchProcess, until: 'download' | 'completed', out: string): Promise<EngineRunResult> => {
      const secrets = { twitchClientSecret: twitch.clientSecret, telegramSession: session };
      return runEngine(work, { settings: settingsFor(twitch, out), secrets, vodId: '700', until, timeoutMs: 900_000 });
    };
    const cpu = { whole: [] as number[], downloadAlone: [] as number[], uploadAlone: [] as number[] };
    const uploadAlone = async () => {
      const res = await run(free, 'completed', 'upload-alone');
      cpu.uploadAlone.push(res.cpuSec);
      return res.completedSec! - res.firstBuildSec!;
    };
    const guessMs = partDelayMs;
    const calibration = await uploadAlone();
    partDelayMs = Math.max(10, Math.round(guessMs * (downloadLimitSec / calibration)));
    await telegram.control('POST', '/part-delay', { ms: partDelayMs });
    say(`upload alone at ${guessMs} ms per part: ${round(calibration)} s; now ${partDelayMs} ms`);
    const wholeRuns: EngineRunResult[] = [];
    let partBytes = 0;
    const r = await interleaved(
      ROUNDS,
      {
        whole: async (i) => {
          const res = await run(throttled, 'completed', `whole-${i}`);
          wholeRuns.push(res);
          if (process.env.BENCH_E2E_TIMELINE)
            say(`whole ${i}: ${res.timeline.map((t) => `${t.sec.toFixed(2)} ${t.op}:${t.status}${t.op === 'build' || t.op === 'post' ? ` ${t.detail ?? ''}` : ''}`).join('\n')}`);
          cpu.whole.push(res.cpuSec);
          partBytes = treeBytes(join(work, `whole-${i}`));
          return res.completedSec!;
        },
        downloadAlone: async () => {
          const res = await run(throttled, 'download', 'download-alone');
          cpu.downloadAlone.push(res.cpuSec);
          return res.downloadSec!;
        },
        uploadAlone,
      },
      say,
    );
    const written = median(wholeRuns.map((w) => w.writeBytes));
    const cancelled = median(wholeRuns.map((w) => w.cancelledWriteBytes));
    const disk = median(wholeRuns.map((w) => (w.writeBytes - w.cancelledWriteBytes) / hls.totalBytes));
    return {
      ...figure('overlap', r.whole.median / Math.max(r.downloadAlone.median, r.uploadAlone.median), r.whole, r.downloadAlone, r.uploadAlone),
      ...figure('diskBytesPerVodByte', disk, r.whole),
      writtenBytesPerVodByte: round(written / hls.totalBytes),
      cancelledBytesPerVodByte: round(cancelled / hls.totalBytes),
      designFloorBytesPerVodByte: round((hls.totalBytes + partBytes) / hls.totalBytes),
      seconds: round(r.whole.median),
      secondsRuns: r.whole.values,
      // Nothing can be delivered before the first part exists: the whole run cannot end before its
      // first part is built plus the delivery alone, so this is the overlap's floor for this VOD.
      firstPartSeconds: round(median(wholeRuns.map((w) => w.firstBuildSec!))),
      overlapFloor: round((median(wholeRuns.map((w) => w.firstBuildSec!)) + r.uploadAlone.median) / Math.max(r.downloadAlone.median, r.uploadAlone.median)),
      downloadAloneSeconds: round(r.downloadAlone.median),
      downloadAloneRuns: r.downloadAlone.values,
      uploadAloneSeconds: round(r.uploadAlone.median),
      uploadAloneRuns: r.uploadAlone.values,
      downloadLimitSeconds: round(downloadLimitSec),
      // The engine's own CPU (ffmpeg children not included) in each kind of run, and the cores it got
      // on average (CPU / wall): when the whole run's CPU is about the two alone runs' together and
      // the cores it got are no more than theirs, the machine's CPU, not waiting, bounds the overlap.
      engineCpuSec: { whole: round(median(cpu.whole)), downloadAlone: round(median(cpu.downloadAlone)), uploadAlone: round(median(cpu.uploadAlone.slice(1))) },
      coresUsed: {
        whole: round(median(cpu.whole) / r.whole.median),
        downloadAlone: round(median(cpu.downloadAlone) / r.downloadAlone.median),
      },
      partDelayMs,
      calibration: { partDelayMs: guessMs, uploadAloneSeconds: round(calibration) },
      bytes: hls.totalBytes,
      folderBytes: partBytes,
      rounds: ROUNDS,
      load1mEnd: load1m(),
    };
  } finally {
    await telegram.stop();
    await throttled.stop();
    await free.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
