/**
 * `npm run bench -- download`: our segment downloader against yt-dlp `-N` at the same
 * concurrency, both against the Twitch stand-in run as its own process with 100 ms latency per
 * request and an 8 MB/s cap per connection, serving a ~450 MB VOD (64 x 10 s segments, generated
 * once with ffmpeg and cached under os.tmpdir()). MB = 10^6 bytes.
 *
 * Fields: bytes, seconds, MBps, concurrency, capMBps (= concurrency x per-connection cap),
 * capRatio (= MBps / capMBps), ytDlpSeconds (yt-dlp defaults, including its remux to MP4),
 * vsYtDlp (= ytDlpSeconds / seconds), plus ytDlpNoFixupSeconds / vsYtDlpNoFixup (`--fixup never`:
 * download only, for a like-for-like comparison).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fetchVod } from '../electron/engine/pipeline/stages/fetch';
import { vodFolder } from '../electron/engine/pipeline/work-folder';
import { openDatabase } from '../electron/engine/store/database';
import { insertVod } from '../electron/engine/store/vods';
import type { TwitchEndpoints } from '../electron/engine/twitch/endpoints';
import { hlsCacheDir, makeHlsVod, type HlsVodParams } from '../test/fakes/hls';

const CONCURRENCY = 8;
const CONN_BPS = 8_000_000;
const LATENCY_MS = 100;
const PARAMS: HlsVodParams = { durationSec: 640, segmentSec: 10, width: 320, height: 180, videoKbps: 5500, fps: 30 };
const root = resolve(import.meta.dirname, '..');
const say = (s: string) => process.stderr.write(`[bench download] ${s}\n`);

async function startStandIn(optionsFile: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/fakes/twitch/cli.ts'), optionsFile, '--stdin'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((res, rej) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', res);
    child.once('exit', (code) => rej(new Error(`stand-in exited with ${code}`)));
  });
  const info = JSON.parse(line) as { endpoints: TwitchEndpoints };
  return { endpoints: info.endpoints, stop: () => new Promise<void>((r) => { child.once('exit', () => r()); child.kill('SIGTERM'); }) };
}

function runYtDlp(url: string, outDir: string, extra: string[]): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn('yt-dlp', ['-N', String(CONCURRENCY), '-f', 'chunked/best', '--no-warnings', '--no-progress', '-o', join(outDir, 'vod.%(ext)s'), ...extra, url], { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', rej);
    child.on('exit', (code) => (code === 0 ? res((performance.now() - t0) / 1000) : rej(new Error(`yt-dlp exited with ${code}`))));
  });
}

export default async () => {
  say('preparing the VOD (cached after the first run)...');
  const hls = await makeHlsVod(hlsCacheDir('bench-download', PARAMS), PARAMS);
  say(`VOD: ${hls.segments.length} segments, ${(hls.totalBytes / 1e6).toFixed(1)} MB`);
  const work = mkdtempSync(join(tmpdir(), 'tvb-bench-dl-'));
  const optionsFile = join(work, 'standin.json');
  writeFileSync(
    optionsFile,
    JSON.stringify({
      latencyMs: LATENCY_MS,
      connectionBytesPerSec: CONN_BPS,
      users: [{ id: '1', login: 'bench' }],
      media: [{ vod: { id: '500', userId: '1' }, hls: PARAMS, cacheKey: 'bench-download' }],
    }),
  );
  const standIn = await startStandIn(optionsFile);
  try {
    say('our downloader...');
    const ours = join(work, 'ours');
    // The pipeline's fetch stage, as the app runs it, on a store holding only this VOD.
    const db = openDatabase(':memory:');
    insertVod(db, { id: '500', channel_id: '1', channel_name: 'bench', title: 'bench', created_at: '2000-01-01T00:00:00Z', duration: PARAMS.durationSec, duration_str: '', status: 'pending', url: '', thumbnail_url: '' });
    const t0 = performance.now();
    const result = await fetchVod({
      db,
      vod: { id: '500', generation: 0, created_at: '2000-01-01T00:00:00Z' },
      folder: vodFolder(ours, '500'),
      tools: {},
      signal: new AbortController().signal,
      options: { endpoints: standIn.endpoints, quality: ['best'], concurrency: CONCURRENCY, diskReserveBytes: 0, wholeFileFallback: false },
    });
    const seconds = (performance.now() - t0) / 1000;
    db.close();
    if (result.mode !== 'segments' || !result.result) throw new Error('expected a segment download');
    const bytes = result.result.totalBytes;
    rmSync(ours, { recursive: true, force: true });

    const url = `${standIn.endpoints.vodPageUrl}/500`;
    say('yt-dlp (defaults, with its remux)...');
    const yt1 = join(work, 'yt1');
    const ytDlpSeconds = await runYtDlp(url, yt1, []);
    rmSync(yt1, { recursive: true, force: true });
    say('yt-dlp --fixup never (download only)...');
    const yt2 = join(work, 'yt2');
    const ytDlpNoFixupSeconds = await runYtDlp(url, yt2, ['--fixup', 'never']);
    rmSync(yt2, { recursive: true, force: true });

    const MBps = bytes / 1e6 / seconds;
    const capMBps = (CONCURRENCY * CONN_BPS) / 1e6;
    const r = (x: number, d = 3) => Number(x.toFixed(d));
    return {
      bytes,
      seconds: r(seconds),
      MBps: r(MBps, 2),
      concurrency: CONCURRENCY,
      capMBps,
      capRatio: r(MBps / capMBps),
      ytDlpSeconds: r(ytDlpSeconds),
      vsYtDlp: r(ytDlpSeconds / seconds),
      ytDlpNoFixupSeconds: r(ytDlpNoFixupSeconds),
      vsYtDlpNoFixup: r(ytDlpNoFixupSeconds / seconds),
      segments: hls.segments.length,
      latencyMs: LATENCY_MS,
    };
  } finally {
    await standIn.stop();
    rmSync(work, { recursive: true, force: true });
  }
};
