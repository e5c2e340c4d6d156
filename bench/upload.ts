/**
 * `npm run bench -- upload`: a file of >= 500 MB, two measurements, one JSON line.
 * (a) Latency-bound: every part is answered after 100 ms (GramJS seams: the sender GramJS
 *     would use is replaced by one that waits 100 ms per part). Ours (8 parts in flight) vs
 *     `client.sendFile` with default options on the same fake sender and file.
 * (b) CPU-bound: our uploader against the MTProto stand-in (real key exchange, real IGE, no
 *     delay) running in ANOTHER process, so only the engine's CPU is counted.
 * (b) runs first, so its CPU time is not skewed by the GramJS comparison's leftovers.
 * peakRssMB is sampled over the whole run.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import { Api, TelegramClient } from 'telegram';
import { StringSession } from 'telegram/sessions';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { uploadFile, type PartTransport } from '../electron/engine/telegram/uploader';
import { LoginFlow, TelegramConnection } from '../electron/engine/telegram/gramjs';
import { spawnStandIn } from '../test/fakes/telegram/process';

const SIZE = Number(process.env.BENCH_UPLOAD_MB ?? 512) * 1024 * 1024;
const DELAY_MS = 100;
const progress = (msg: string) => process.stderr.write(`[upload bench] ${msg}\n`);

async function makeFile(path: string, size: number): Promise<void> {
  const out = createWriteStream(path);
  const chunk = randomBytes(4 * 1024 * 1024);
  for (let written = 0; written < size; written += chunk.length) {
    // Vary each chunk a little so parts differ.
    chunk.writeUInt32LE(written, 0);
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

/** A sender whose every request takes `delayMs` (what a distant DC looks like to one part). */
function slowSender(delayMs: number) {
  return {
    parts: 0,
    send(request: unknown): Promise<unknown> {
      if (request instanceof Api.upload.SaveBigFilePart || request instanceof Api.upload.SaveFilePart) this.parts++;
      return new Promise((resolve) => setTimeout(() => resolve(true), delayMs));
    },
  };
}

async function latencyOurs(path: string): Promise<number> {
  const senders = Array.from({ length: 4 }, () => slowSender(DELAY_MS));
  const transport: PartTransport = {
    connections: senders.length,
    sendPart: async (conn, req) => {
      // Build the same request objects the product sends.
      const r = new Api.upload.SaveBigFilePart({ fileId: BigInt(req.fileId) as never, filePart: req.part, fileTotalParts: req.totalParts, bytes: req.bytes });
      return (await senders[conn]!.send(r)) === true;
    },
  };
  const t0 = performance.now();
  await uploadFile(transport, { path, inFlight: 8 });
  return (performance.now() - t0) / 1000;
}

async function latencyGramjsDefault(path: string): Promise<number> {
  const client = new TelegramClient(new StringSession(''), 1, '0123456789abcdef0123456789abcdef', { baseLogger: new Logger(LogLevel.NONE) });
  const sender = slowSender(DELAY_MS);
  // GramJS seams: upload parts go to getSender(dcId).send; everything else to invoke.
  (client as unknown as { getSender: () => Promise<unknown> }).getSender = async () => sender;
  (client as unknown as { invoke: (r: unknown) => Promise<unknown> }).invoke = async () =>
    new Api.Updates({ updates: [], users: [], chats: [], date: 0, seq: 0 });
  client.session.setDC(2, '127.0.0.1', 443);
  const t0 = performance.now();
  await client.sendFile('me', { file: path });
  const sec = (performance.now() - t0) / 1000;
  progress(`gramjs default sent ${sender.parts} parts`);
  return sec;
}

async function cpuBound(path: string, dir: string, sha256: string): Promise<{ seconds: number; cpuSecondsPerGB: number; bytes: number }> {
  const info = await spawnStandIn({ stateFile: join(dir, 'standin.json') });
  try {
    const conn = await TelegramConnection.connect({
      apiId: 1,
      apiHash: '0123456789abcdef0123456789abcdef',
      testServer: { host: info.host, port: info.port, dcId: info.dcId, publicKeyPem: info.publicKeyPem },
    });
    try {
      const flow = new LoginFlow(conn, 1, '0123456789abcdef0123456789abcdef');
      await flow.start({ phone: '+15550000001' });
      const step = await flow.submitCode('12345');
      if (step.step !== 'done') throw new Error(`bench login failed: ${JSON.stringify(step)}`);
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const up = await conn.upload({ path, inFlight: 8, premium: false });
      const seconds = (performance.now() - t0) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuSec = (cpu.user + cpu.system) / 1e6;
      // The stand-in reassembled the file: check it is the same bytes.
      const { uploads } = await info.state();
      if (!JSON.stringify(uploads).includes(sha256)) throw new Error('stand-in did not receive the file intact');
      return { seconds, cpuSecondsPerGB: cpuSec / (up.size / 1e9), bytes: up.size };
    } finally {
      await conn.close();
    }
  } finally {
    await info.stop();
  }
}

export default async function bench(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'upload-bench-'));
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage.rss())), 100);
  try {
    const path = join(dir, 'vod-part.mp4');
    progress(`writing ${SIZE} bytes`);
    await makeFile(path, SIZE);
    // (b) first, in a fresh process state: the engine never runs the GramJS comparison.
    progress('(b) CPU: MTProto stand-in in another process, no delay');
    const b = await cpuBound(path, dir, await fileSha256(path));
    progress(`(b) ${b.seconds.toFixed(1)} s, ${b.cpuSecondsPerGB.toFixed(2)} CPU s per GB`);
    // BENCH_UPLOAD_SKIP_A=1 skips the slow GramJS-default run (for profiling (b) only).
    const skipA = process.env.BENCH_UPLOAD_SKIP_A === '1';
    progress('(a) ours, 100 ms per part, 8 in flight');
    const ours = skipA ? NaN : await latencyOurs(path);
    progress(`(a) ours: ${ours.toFixed(1)} s; now GramJS sendFile defaults (this takes a while)`);
    const gramjs = skipA ? NaN : await latencyGramjsDefault(path);
    progress(`(a) gramjs default: ${gramjs.toFixed(1)} s`);
    // seconds/MBps: ours on the latency-bound run, so vsGramjsDefault = gramjsDefaultSeconds / seconds.
    const result: Record<string, unknown> = {
      bytes: SIZE,
      seconds: round(ours),
      MBps: round(SIZE / 1e6 / ours),
      gramjsDefaultSeconds: round(gramjs),
      vsGramjsDefault: round(gramjs / ours),
    };
    result.cpuBoundSeconds = round(b.seconds);
    result.cpuBoundMBps = round(b.bytes / 1e6 / b.seconds);
    result.cpuSecondsPerGB = round(b.cpuSecondsPerGB);
    result.peakRssMB = Math.round(peakRss / 2 ** 20);
    return result;
  } finally {
    clearInterval(sampler);
    rmSync(dir, { recursive: true, force: true });
  }
}

const round = (x: number) => Math.round(x * 100) / 100;
