/**
 * `npm run bench -- upload`: one JSON line, the load average beside every figure.
 *
 * (a) Network-bound, ours vs GramJS at its best. Both run on senders that model a Telegram
 *     connection: requests on one connection go out one after another at BENCH_UPLOAD_CONN_MBPS
 *     (per-connection bandwidth: TCP to a distant DC is window/RTT bound), and each is answered
 *     BENCH_UPLOAD_RTT_MS after its last byte left. Ours is the product's path exactly
 *     (TelegramConnection.upload -> uploadFile -> partTransport -> sender.send) with the upload
 *     senders replaced by modelled ones; GramJS is `client.uploadFile({ workers })`, which sends
 *     every part through `client.getSender(dcId)` (one connection; telegram/client/uploads.js),
 *     replaced the same way. GramJS's worker count is searched first (its best), then the two
 *     run interleaved, median of BENCH_UPLOAD_ROUNDS. `vsGramjsBest` = GramJS seconds / ours;
 *     `vsLimit` = ours / the physical limit (bytes over all our connections' bandwidth + one RTT).
 * (b) CPU: our uploader through the real MTProto stand-in (key exchange, IGE, TCP) running in
 *     another process, so only the engine's CPU is counted; median of 3 uploads of
 *     BENCH_UPLOAD_MB. `cpuSecondsPerGB` = process CPU (all threads) / GB sent; `cpuRunFullGcs`
 *     = V8 mark-compacts during each of those runs (a few per run is healthy; dozens meant the
 *     old-generation limit was being hit by the ciphertext buffers, see gramjs/upload-heap.ts).
 */
import { createHash, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { once } from 'node:events';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import { Api, TelegramClient } from 'telegram';
import { CustomFile } from 'telegram/client/uploads';
import { StringSession } from 'telegram/sessions';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { LoginFlow, TelegramConnection } from '../electron/engine/telegram/gramjs';
import { UploadSenders } from '../electron/engine/telegram/gramjs/senders';
import { figure, interleaved, load1m, repeat, round } from './lib/ab';
import { spawnStandIn } from '../test/fakes/telegram/process';

const MiB = 1024 * 1024;
const CPU_SIZE = Number(process.env.BENCH_UPLOAD_MB ?? 256) * MiB;
const NET_SIZE = Number(process.env.BENCH_UPLOAD_NET_MB ?? 64) * MiB;
const RTT_MS = Number(process.env.BENCH_UPLOAD_RTT_MS ?? 100);
const CONN_BPS = Number(process.env.BENCH_UPLOAD_CONN_MBPS ?? 8) * 1e6;
const ROUNDS = Number(process.env.BENCH_UPLOAD_ROUNDS ?? 3);
const GRAMJS_WORKERS = [4, 8, 16, 32];
const API_HASH = '0123456789abcdef0123456789abcdef';
const progress = (msg: string) => process.stderr.write(`[upload bench] ${msg}\n`);

/**
 * GramJS picks 512 KiB parts only for files over 750 MB (Utils.getAppropriatedPartSize: 128 KiB up
 * to 100 MB); a VOD part is up to 2 GB, so on this smaller file it is given the part size it would
 * use there (smaller parts would cost it round trips that it never pays on a real part).
 */
const gramjsUtils = createRequire(import.meta.url)('telegram/Utils') as { getAppropriatedPartSize: (size: unknown) => number };
gramjsUtils.getAppropriatedPartSize = () => 512;

async function makeFile(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  const chunk = randomBytes(4 * MiB);
  for (let written = 0; written < size; written += chunk.length) {
    chunk.writeUInt32LE(written, 0); // parts differ
    if (!out.write(chunk.subarray(0, Math.min(chunk.length, size - written)))) await once(out, 'drain');
  }
  out.end();
  await once(out, 'finish');
}

async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** One modelled connection: requests leave one after another at `bps`, each answered `rttMs` after its last byte. */
class ModelledSender {
  parts = 0;
  private freeAt = 0;
  constructor(
    private readonly bps: number,
    private readonly rttMs: number,
  ) {}
  send(request: { getBytes(): Buffer }): Promise<boolean> {
    if (request instanceof Api.upload.SaveBigFilePart || request instanceof Api.upload.SaveFilePart) this.parts++;
    const bytes = request.getBytes().length;
    const now = performance.now();
    this.freeAt = Math.max(now, this.freeAt) + (bytes / this.bps) * 1000;
    const doneAt = this.freeAt + this.rttMs;
    return new Promise((resolve) => setTimeout(() => resolve(true), doneAt - now));
  }
  isConnected(): boolean {
    return true;
  }
  disconnect(): Promise<void> {
    return Promise.resolve();
  }
}

/**
 * The product's TelegramConnection with its real UploadSenders (partTransport, partRequest), whose
 * upload connections are modelled ones (its only network seam for parts).
 */
function modelledConnection(connections: number): { conn: TelegramConnection; senders: ModelledSender[] } {
  const senders = Array.from({ length: connections }, () => new ModelledSender(CONN_BPS, RTT_MS));
  const uploadSenders = new UploadSenders(undefined as never);
  (uploadSenders as unknown as { uploadSenders: Array<Promise<ModelledSender>> }).uploadSenders = senders.map((s) => Promise.resolve(s));
  const conn = Object.create(TelegramConnection.prototype) as TelegramConnection;
  (conn as unknown as { senders: UploadSenders }).senders = uploadSenders;
  return { conn, senders };
}

async function oursNetwork(path: string): Promise<number> {
  const { conn, senders } = modelledConnection(4);
  const t0 = performance.now();
  // Defaults as the pipeline passes them: 8 parts in flight over min(4, 8) connections.
  const up = await conn.upload({ path, premium: false, inFlight: 8, connections: 4 });
  const sec = (performance.now() - t0) / 1000;
  const parts = senders.reduce((n, s) => n + s.parts, 0);
  if (parts !== up.totalParts) throw new Error(`ours sent ${parts} parts for ${up.totalParts}`);
  return sec;
}

async function gramjsNetwork(path: string, workers: number): Promise<number> {
  const client = new TelegramClient(new StringSession(''), 1, API_HASH, { baseLogger: new Logger(LogLevel.NONE) });
  const sender = new ModelledSender(CONN_BPS, RTT_MS);
  // GramJS seam: uploadFile sends every part through getSender(dcId).
  (client as unknown as { getSender: () => Promise<unknown> }).getSender = async () => sender;
  client.session.setDC(2, '127.0.0.1', 443);
  const size = statSync(path).size;
  const t0 = performance.now();
  await client.uploadFile({ file: new CustomFile(basename(path), size, path), workers });
  const sec = (performance.now() - t0) / 1000;
  if (sender.parts !== Math.ceil(size / (512 * 1024))) throw new Error(`gramjs sent ${sender.parts} parts`);
  return sec;
}

/** Counts V8 full (mark-compact) collections while it observes: their count per run is the upload's GC health. */
function fullGcCounter(): { take(): number; stop(): void } {
  let n = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if ((e as { detail?: { kind?: number } }).detail?.kind === perfConstants.NODE_PERFORMANCE_GC_MAJOR) n++;
  });
  obs.observe({ entryTypes: ['gc'] });
  return {
    take: () => {
      const v = n;
      n = 0;
      return v;
    },
    stop: () => obs.disconnect(),
  };
}

async function cpuPerGB(path: string, dir: string, sha256: string): Promise<{ cpu: Awaited<ReturnType<typeof repeat>>; mbps: number[]; fullGcs: number[] }> {
  const info = await spawnStandIn({ stateFile: join(dir, 'standin.json') });
  const mbps: number[] = [];
  const fullGcs: number[] = [];
  const gcs = fullGcCounter();
  try {
    const conn = await TelegramConnection.connect({
      apiId: 1,
      apiHash: API_HASH,
      testServer: { host: info.host, port: info.port, dcId: info.dcId, publicKeyPem: info.publicKeyPem },
    });
    try {
      const flow = new LoginFlow(conn, 1, API_HASH);
      await flow.start({ phone: '+15550000001' });
      const step = await flow.submitCode('12345');
      if (step.step !== 'done') throw new Error(`bench login failed: ${JSON.stringify(step)}`);
      const cpu = await repeat(3, async (i) => {
        gcs.take();
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        const up = await conn.upload({ path, inFlight: 8, premium: false });
        const seconds = (performance.now() - t0) / 1000;
        const used = process.cpuUsage(cpu0);
        // GC entries are delivered asynchronously: let the observer's callback run first.
        await new Promise((resolve) => setImmediate(resolve));
        fullGcs.push(gcs.take());
        const { uploads } = await info.state();
        if (!JSON.stringify(uploads).includes(sha256)) throw new Error('stand-in did not receive the file intact');
        const perGB = (used.user + used.system) / 1e6 / (up.size / 1e9);
        mbps.push(round(up.size / 1e6 / seconds));
        progress(
          `(b) run ${i + 1}: ${seconds.toFixed(1)} s, ${perGB.toFixed(2)} CPU-s/GB (user ${(used.user / 1e6).toFixed(2)}, system ${(used.system / 1e6).toFixed(2)}), ${fullGcs.at(-1)} full GCs, load ${load1m()}`,
        );
        return perGB;
      });
      return { cpu, mbps, fullGcs };
    } finally {
      await conn.close();
    }
  } finally {
    gcs.stop();
    await info.stop();
  }
}

export default async function bench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'upload-bench-'));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
  try {
    const loadStart = load1m();
    const cpuFile = join(dir, 'cpu-part.mp4');
    const netFile = join(dir, 'net-part.mp4');
    progress(`writing ${CPU_SIZE} + ${NET_SIZE} bytes`);
    await makeFile(cpuFile, CPU_SIZE);
    await makeFile(netFile, NET_SIZE);
    // (b) first, in a fresh process: the engine never runs the GramJS comparison.
    progress('(b) CPU through the MTProto stand-in (another process), 3 runs');
    const b = await cpuPerGB(cpuFile, dir, await fileSha256(cpuFile));
    progress(`(a) GramJS uploadFile worker counts ${GRAMJS_WORKERS.join(', ')} (${CONN_BPS / 1e6} MB/s per connection, ${RTT_MS} ms)`);
    const search: Record<string, number> = {};
    for (const w of GRAMJS_WORKERS) {
      search[w] = round(await gramjsNetwork(netFile, w));
      progress(`(a) gramjs workers=${w}: ${search[w]} s`);
    }
    const best = Number(Object.entries(search).sort((x, y) => x[1] - y[1])[0]![0]);
    const sides = await interleaved(ROUNDS, { ours: () => oursNetwork(netFile), gramjs: () => gramjsNetwork(netFile, best) }, (m) => progress(`(a) ${m}`));
    const limit = NET_SIZE / (4 * CONN_BPS) + RTT_MS / 1000;
    return {
      bytes: NET_SIZE,
      connMBps: CONN_BPS / 1e6,
      rttMs: RTT_MS,
      seconds: round(sides.ours.median),
      gramjsBestWorkers: best,
      gramjsSeconds: round(sides.gramjs.median),
      gramjsWorkerSearch: search,
      ...figure('vsGramjsBest', sides.gramjs.median / sides.ours.median, sides.ours, sides.gramjs),
      ...figure('vsLimit', sides.ours.median / limit, sides.ours),
      cpuBytes: CPU_SIZE,
      ...figure('cpuSecondsPerGB', b.cpu.median, b.cpu),
      cpuSecondsPerGBRuns: b.cpu.values,
      cpuBoundMBps: b.mbps,
      cpuRunFullGcs: b.fullGcs,
      peakRssMB: Math.round(peakRss / MiB),
      load1mStart: loadStart,
      load1mEnd: load1m(),
    };
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}
