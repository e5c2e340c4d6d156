/**
 * `npm run bench -- pipeline`: one VOD of 8+ parts (ceiling scaled down) from the Twitch stand-in
 * (per-connection cap) to the Telegram MTProto stand-in (per-part latency, its own process),
 * throttled so that download alone and upload alone take about the same time. Three runs:
 * download only, upload only (the same parts and thumbnails, already built, uploaded and posted as
 * the pipeline does), and the whole pipeline. The audit log's timeline goes to stderr.
 * overlap = seconds / max(downloadOnlySeconds, uploadOnlySeconds): a strictly sequential pipeline
 * (the legacy tool's) is about 2 here; goal <= 1.2.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { segmentPath, type SegmentDone } from '../electron/engine/download/segments';
import { buildPart } from '../electron/engine/media/build';
import { planParts, splitRules } from '../electron/engine/media/planner';
import { makeThumbnail } from '../electron/engine/media/thumbnail';
import { fetchVod } from '../electron/engine/pipeline/stages/fetch';
import { vodFolder } from '../electron/engine/pipeline/work-folder';
import { openDatabase } from '../electron/engine/store/database';
import { insertVod } from '../electron/engine/store/vods';
import { TelegramConnection, type StoredDocument, type UploadResume } from '../electron/engine/telegram';
import { TelegramPublisher } from '../electron/engine/telegram/publish';
import { needTool, resolveTools } from '../electron/engine/util/binaries';
import { hlsCacheDir, makeHlsVod } from '../test/fakes/hls';
import { spawnStandIn } from '../test/fakes/telegram/process';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID } from '../test/fakes/telegram';
import { startTwitchStandIn } from '../test/fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine } from '../test/pipeline/helpers';

const PARAMS = { durationSec: 120, segmentSec: 2, width: 320, height: 180, videoKbps: 5200 };
const CONNECTIONS = 4;
const CONN_BPS = 2_000_000;
const IN_FLIGHT = 4;
const CEILING_MB = 10;
const say = (s: string) => process.stderr.write(`[bench pipeline] ${s}\n`);
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;

export default async function bench() {
  const hls = await makeHlsVod(hlsCacheDir('bench-pipeline', PARAMS), PARAMS);
  const scratch = mkdtempSync(join(tmpdir(), 'tvb-bench-pipeline-'));
  const twitch = await startTwitchStandIn({
    latencyMs: 30,
    connectionBytesPerSec: CONN_BPS,
    users: [{ id: '1', login: 'streamer' }],
    vods: [{ id: '4242', userId: '1', title: 'Benchmark VOD', hls }],
  });
  try {
    // 1. Download only: the pipeline's fetch stage, same stand-in, same concurrency.
    const tools = resolveTools({});
    const folder = vodFolder(scratch, '4242');
    const segDir = folder.segments;
    const db = openDatabase(':memory:');
    insertVod(db, { id: '4242', channel_id: '1', channel_name: 'streamer', title: 'Benchmark VOD', created_at: '2000-01-01T00:00:00Z', duration: PARAMS.durationSec, duration_str: '', status: 'pending', url: '', thumbnail_url: '' });
    const t0 = process.hrtime.bigint();
    const done: SegmentDone[] = [];
    await fetchVod({
      db,
      vod: { id: '4242', generation: 0, created_at: '2000-01-01T00:00:00Z' },
      folder,
      tools,
      signal: new AbortController().signal,
      options: { endpoints: twitch.endpoints, quality: ['best'], concurrency: CONNECTIONS, diskReserveBytes: 0, wholeFileFallback: false },
      onSegment: (d) => void done.push(d),
    });
    db.close();
    const downloadOnlySeconds = seconds(t0);
    say(`download only: ${downloadOnlySeconds.toFixed(2)} s for ${(hls.totalBytes / 1e6).toFixed(0)} MB`);

    // Parts from those segments (not timed), for the upload-only run.
    const rules = splitRules({ maxFileSizeMB: CEILING_MB, minFileSizeMB: 0, mergeThresholdMB: 0, midTargetRatio: 0.5, dropSegmentThresholdSec: 0 }, false);
    const plan = planParts(done.sort((a, b) => a.index - b.index), rules, { complete: true });
    const partPaths: string[] = [];
    for (const p of plan.parts) {
      const output = join(scratch, `part-${p.index}.mp4`);
      const inputs = hls.segments.filter((s) => s.index >= p.firstUnit && s.index <= p.lastUnit).map((s) => segmentPath(segDir, s.index));
      await buildPart({ inputs, output, expectedDurationSec: p.durationSec, ffmpegPath: needTool(tools, 'ffmpeg') });
      await makeThumbnail({ input: output, output: `${output}.jpg`, durationSec: p.durationSec, ffmpegPath: needTool(tools, 'ffmpeg'), ffprobePath: needTool(tools, 'ffprobe') });
      partPaths.push(output);
    }
    say(`${plan.parts.length} parts`);

    // Per-part latency so that upload alone takes about as long as download alone: the file's
    // chunks go IN_FLIGHT at a time, each part's thumbnail is one more round trip on its own.
    const chunks = plan.parts.reduce((n, p) => n + Math.ceil(p.estimatedBytes / (512 * 1024)), 0);
    const partDelayMs = Math.max(10, Math.round((downloadOnlySeconds * 1000) / (chunks / IN_FLIGHT + plan.parts.length)));
    const telegram = await spawnStandIn({ stateFile: join(scratch, 'telegram.json'), partDelayMs });
    try {
      const state = await telegram.state();
      const chatId = `-100${state.chats.find((c) => c.title === 'VOD Archive')!.id}`;
      const settings = standInSettings(twitch, {
        twitch: { clientId: twitch.clientId, channels: [{ channel: 'streamer' }] },
        telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, uploadConcurrency: IN_FLIGHT, postDelaySec: 0 },
        vod: { downloadConcurrency: CONNECTIONS },
        split: { maxFileSizeMB: CEILING_MB, minFileSizeMB: 0, mergeThresholdMB: 0 },
        advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram) },
        destinations: [{ kind: 'telegram', name: 'Archive', chatId }],
      });
      const session = await standInSession(settings);

      // 2. Upload only: the same parts with their thumbnails, through the pipeline's publisher (uploaded once each, then posted).
      const conn = await TelegramConnection.connect({
        apiId: STANDIN_API_ID,
        apiHash: STANDIN_API_HASH,
        session,
        testServer: { host: telegram.host, port: telegram.port, dcId: telegram.dcId, publicKeyPem: telegram.publicKeyPem },
      });
      const publisher = new TelegramPublisher(async () => conn, { premium: false, inFlight: () => IN_FLIGHT, signal: new AbortController().signal });
      const t1 = process.hrtime.bigint();
      for (const [i, path] of partPaths.entries()) {
        let doc: StoredDocument | undefined;
        let resume: UploadResume | undefined;
        const keeper = { document: () => doc, resume: () => resume, saveDocument: (d: StoredDocument | null) => void (doc = d ?? undefined), saveResume: (r: UploadResume | null) => void (resume = r ?? undefined) };
        const part = { path, bytes: statSync(path).size, fileName: `part-${i + 1}.mp4`, durationSec: plan.parts[i].durationSec, width: 320, height: 180, thumbPath: `${path}.jpg` };
        await publisher.post(part, keeper, { chat: chatId, name: 'Archive' }, `Upload-only part ${i + 1}`, String(1000 + i));
      }
      const uploadOnlySeconds = seconds(t1);
      await conn.close();
      say(`upload only: ${uploadOnlySeconds.toFixed(2)} s (part latency ${partDelayMs} ms)`);

      // 3. The whole pipeline, from discovery to the last post.
      twitch.stats.reset();
      const t2 = process.hrtime.bigint();
      const engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session });
      await engine.waitForStatus('4242', 'completed', 600_000);
      const pipelineSeconds = seconds(t2);
      // Where the time went, from the audit log (stderr only).
      const ops = engine.engine.db.prepare(`SELECT operation_type AS type, status, timestamp, details FROM operations WHERE vod_id = '4242' ORDER BY id`).all() as Array<{ type: string; status: string; timestamp: string; details: string | null }>;
      const startMs = Date.parse(ops[0]?.timestamp ?? new Date().toISOString());
      for (const op of ops) say(`  +${((Date.parse(op.timestamp) - startMs) / 1000).toFixed(2)} s ${op.type} ${op.status} ${op.details ?? ''}`);
      await engine.close();
      say(`pipeline: ${pipelineSeconds.toFixed(2)} s`);
      return {
        seconds: round(pipelineSeconds),
        downloadOnlySeconds: round(downloadOnlySeconds),
        uploadOnlySeconds: round(uploadOnlySeconds),
        overlap: round(pipelineSeconds / Math.max(downloadOnlySeconds, uploadOnlySeconds)),
        parts: plan.parts.length,
        bytes: hls.totalBytes,
      };
    } finally {
      await telegram.stop();
    }
  } finally {
    await twitch.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

const round = (n: number) => Math.round(n * 1000) / 1000;
