/**
 * `npm run bench -- live`: a broadcast on the Twitch stand-in's live mode (a made VOD replayed on
 * the wall clock, sped up) backed up by the engine in-process to the Telegram MTProto stand-in
 * (its own process). Per part: seconds from the moment its last segment appears in the playlist to
 * its post (p50, p95); from the end of the broadcast (#EXT-X-ENDLIST) to the VOD complete (last
 * part, every caption edit, the index). Beside it, an upload-only run of the first part (rebuilt
 * from the same segments, uploaded and posted through the pipeline's publisher).
 * Goal: lagP95Seconds <= lagBudgetSeconds = poll interval + upload-only time (+ the build, given
 * as buildSeconds).
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildPart } from '../electron/engine/media/build';
import { makeThumbnail } from '../electron/engine/media/thumbnail';
import { partsOf } from '../electron/engine/store/parts';
import { uploadsOf } from '../electron/engine/store/uploads';
import { TelegramConnection, type StoredDocument, type UploadResume } from '../electron/engine/telegram';
import { TelegramPublisher } from '../electron/engine/telegram/publish';
import { needTool, resolveTools } from '../electron/engine/util/binaries';
import { hlsCacheDir, makeHlsVod } from '../test/fakes/hls';
import { serverSetting, STANDIN_API_HASH, STANDIN_API_ID } from '../test/fakes/telegram';
import { spawnStandIn } from '../test/fakes/telegram/process';
import { LiveBroadcast } from '../test/fakes/twitch/live';
import { startTwitchStandIn } from '../test/fakes/twitch/server';
import { standInSession, standInSettings, startTestEngine } from '../test/pipeline/helpers';

const PARAMS = { durationSec: 96, segmentSec: 2, width: 320, height: 180, videoKbps: 1600 };
const SPEED = 2;
const POLL_MS = 1000;
const CEILING_MB = 2;
const VOD = '4343';
const say = (s: string) => process.stderr.write(`[bench live] ${s}\n`);
const seconds = (t0: bigint) => Number(process.hrtime.bigint() - t0) / 1e9;
const round = (n: number) => Math.round(n * 1000) / 1000;

export default async function bench() {
  const hls = await makeHlsVod(hlsCacheDir('bench-live', PARAMS), PARAMS);
  const scratch = mkdtempSync(join(tmpdir(), 'tvb-bench-live-'));
  const twitch = await startTwitchStandIn({ users: [{ id: '1', login: 'streamer' }], vods: [] });
  const telegram = await spawnStandIn({ stateFile: join(scratch, 'telegram.json') });
  try {
    const state = await telegram.state();
    const chatId = `-100${state.chats.find((c) => c.title === 'VOD Archive')!.id}`;
    const settings = standInSettings(twitch, {
      telegram: { apiId: STANDIN_API_ID, apiHash: STANDIN_API_HASH, postDelaySec: 0 },
      split: { maxFileSizeMB: CEILING_MB, minFileSizeMB: 0, mergeThresholdMB: 0 },
      advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0, telegramServer: serverSetting(telegram), livePollMs: POLL_MS },
      destinations: [{ kind: 'telegram', name: 'Archive', chatId }],
    });
    const session = await standInSession(settings);

    // 1. The live run: the broadcast starts now; the engine discovers it as "processing".
    const broadcast = new LiveBroadcast({
      media: hls,
      speed: SPEED,
      chapters: [
        { startSec: 0, game: 'Just Chatting' },
        { startSec: 50, game: 'Elden Ring' },
      ],
    });
    twitch.addVod({ id: VOD, userId: '1', title: 'Live benchmark', createdAt: new Date().toISOString(), hls, broadcast });
    const engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret, telegramSession: session }, { dir: join(scratch, 'data') });
    await engine.waitForStatus(VOD, 'completed', 600_000);
    const completedAt = Date.now();
    const db = engine.engine.db;
    const parts = partsOf(db, VOD);
    const posted = new Map(uploadsOf(db, VOD, 0).map((u) => [u.part_idx, Date.parse(u.posted_at ?? '')]));
    const lags = parts.map((p) => (posted.get(p.idx)! - broadcast.segmentAppearsAt(p.last_segment)) / 1000).sort((a, b) => a - b);
    const beforeEnd = parts.filter((p) => posted.get(p.idx)! < broadcast.endsAt).length;
    const endToFinalSeconds = (completedAt - broadcast.endsAt) / 1000;
    await engine.close();
    say(`${parts.length} parts, ${beforeEnd} posted before the end; lags ${lags.map((l) => l.toFixed(2)).join(' ')} s`);

    // 2. Upload only: part 1 rebuilt from the same segments, then uploaded and posted as the pipeline does.
    const tools = resolveTools({});
    const first = parts[0]!;
    const output = join(scratch, 'part-1.mp4');
    const t0 = process.hrtime.bigint();
    const inputs = hls.segments.filter((s) => s.index >= first.first_segment && s.index <= first.last_segment).map((s) => s.path);
    await buildPart({ inputs, output, expectedDurationSec: first.duration, ffmpegPath: needTool(tools, 'ffmpeg') });
    await makeThumbnail({ input: output, output: `${output}.jpg`, durationSec: first.duration, ffmpegPath: needTool(tools, 'ffmpeg'), ffprobePath: needTool(tools, 'ffprobe') });
    const buildSeconds = seconds(t0);
    const conn = await TelegramConnection.connect({
      apiId: STANDIN_API_ID,
      apiHash: STANDIN_API_HASH,
      session,
      testServer: { host: telegram.host, port: telegram.port, dcId: telegram.dcId, publicKeyPem: telegram.publicKeyPem },
    });
    const publisher = new TelegramPublisher(async () => conn, { premium: false, inFlight: () => settings.telegram.uploadConcurrency, signal: new AbortController().signal });
    let doc: StoredDocument | undefined;
    let resume: UploadResume | undefined;
    const keeper = {
      document: () => doc,
      resume: () => resume,
      saveDocument: (d: StoredDocument | null) => void (doc = d ?? undefined),
      saveResume: (r: UploadResume | null) => void (resume = r ?? undefined),
    };
    const t1 = process.hrtime.bigint();
    await publisher.post(
      { path: output, fileName: 'part-1.mp4', bytes: statSync(output).size, durationSec: first.duration, width: 320, height: 180, thumbPath: `${output}.jpg` },
      keeper,
      { chat: chatId, name: 'Archive' },
      'Upload-only part 1',
      '777',
    );
    const uploadOnlySeconds = seconds(t1);
    await conn.close();
    const quantile = (q: number) => lags[Math.min(lags.length - 1, Math.ceil(q * lags.length) - 1)] ?? 0;
    return {
      lagP50Seconds: round(quantile(0.5)),
      lagP95Seconds: round(quantile(0.95)),
      lagBudgetSeconds: round(POLL_MS / 1000 + uploadOnlySeconds),
      buildSeconds: round(buildSeconds),
      uploadOnlySeconds: round(uploadOnlySeconds),
      endToFinalSeconds: round(endToFinalSeconds),
      parts: parts.length,
      postedBeforeEnd: beforeEnd,
      broadcastSeconds: round(PARAMS.durationSec / SPEED),
      loadAverage: loadavg().map(round),
    };
  } finally {
    await telegram.stop();
    await twitch.close();
    rmSync(scratch, { recursive: true, force: true });
  }
}
