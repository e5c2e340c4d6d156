/**
 * One run of the engine as the app runs it (startEngine, the composition root, through the
 * pipeline test helper), in a process of its own so its CPU time, peak RSS and disk writes are its
 * own (the stand-ins run in other processes):
 *
 *   node --import tsx bench/lib/engine-run.ts CONFIG.json
 *
 * CONFIG is an EngineRunConfig. Prints one JSON line (EngineRunResult) on stdout: times from the
 * engine's start to the VOD's `resolve ok`, `download ok`, first `build ok` and `completed`, read from the engine's own
 * operation log (ms timestamps) or seen by polling, plus process.resourceUsage() and /proc/self/io
 * (which includes the ffmpeg children the engine waited for: the kernel adds a reaped child's I/O
 * counts to its parent's).
 */
import { readFileSync } from 'node:fs';
import type { Secrets, Settings } from '../../electron/contract/settings';
import { getVod } from '../../electron/engine/store/vods';
import { startTestEngine } from '../../test/pipeline/helpers';
import { shareUnder, startProfile, type FrameMatch } from './cpu-profile';

export interface EngineRunConfig {
  settings: Settings;
  secrets: Secrets;
  vodId: string;
  /** Stop once the download is recorded, or once the VOD is completed. */
  until: 'download' | 'completed';
  timeoutMs: number;
  /** Sample the CPU (V8 profiler) and report the time under the cut stage's planning. */
  profilePlanning?: boolean;
}

export interface EngineRunResult {
  resolveSec: number | null;
  downloadSec: number | null;
  /** The first part built (`build ok`): from here on something can be delivered. */
  firstBuildSec: number | null;
  completedSec: number | null;
  cpuSec: number;
  maxRssMB: number;
  /** RSS once the modules are loaded, before the engine starts (node, tsx, the engine's code). */
  rssAtStartMB: number;
  /** /proc/self/io: bytes this process and its reaped children caused to be written to storage. */
  writeBytes: number;
  cancelledWriteBytes: number;
  /**
   * With profilePlanning: CPU seconds under the cut stage's plan() and the planner modules, as their
   * share of the main thread's busy samples times cpuSec.
   */
  planSec?: number;
  /** The VOD's operation log, seconds from the engine's start: where the critical path went. */
  timeline: Array<{ sec: number; op: string; status: string; detail: string | null }>;
}

/** The cut stage's planning: CutRun.plan in stages/cut.ts and whatever it calls, plus the planner modules. */
const PLANNING: FrameMatch[] = [{ url: /\/pipeline\/stages\/cut\.ts$/, functionName: 'plan' }, { url: /\/media\/(incremental-)?planner\.ts$/ }];

export function procIo(pid: number | 'self' = 'self'): Record<string, number> {
  return Object.fromEntries(
    readFileSync(`/proc/${pid}/io`, 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split(': '))
      .map(([k, v]) => [k!, Number(v)]),
  );
}

async function main(): Promise<void> {
  const config = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as EngineRunConfig;
  const rssAtStartMB = process.memoryUsage().rss / 2 ** 20;
  const io0 = procIo();
  const cpu0 = process.cpuUsage();
  const stopProfile = config.profilePlanning ? await startProfile() : undefined;
  const t0 = Date.now();
  const engine = await startTestEngine(config.settings, config.secrets);
  const db = engine.engine.db;
  const opAt = (type: string) => {
    const row = db.prepare(`SELECT timestamp FROM operations WHERE vod_id = ? AND operation_type = ? AND status = 'ok' ORDER BY id LIMIT 1`).get(config.vodId, type) as
      { timestamp: string } | undefined;
    return row ? (Date.parse(row.timestamp) - t0) / 1000 : null;
  };
  let completedSec: number | null = null;
  const deadline = t0 + config.timeoutMs;
  for (;;) {
    const vod = getVod(db, config.vodId);
    if (vod?.status === 'failed') throw new Error(`VOD ${config.vodId} failed: ${vod.last_error}`);
    if (vod?.status === 'completed') completedSec = (Date.now() - t0) / 1000;
    if (completedSec !== null || (config.until === 'download' && opAt('download') !== null)) break;
    if (Date.now() > deadline) throw new Error(`VOD ${config.vodId} is ${vod?.status}/${vod?.stage} after ${config.timeoutMs} ms (${vod?.last_error ?? 'no error'})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const resolveSec = opAt('resolve');
  const downloadSec = opAt('download');
  const firstBuildSec = opAt('build');
  const timeline = (
    db.prepare(`SELECT timestamp, operation_type AS op, status, details FROM operations WHERE vod_id = ? ORDER BY id`).all(config.vodId) as Array<{
      timestamp: string;
      op: string;
      status: string;
      details: string | null;
    }>
  ).map((r) => ({ sec: (Date.parse(r.timestamp) - t0) / 1000, op: r.op, status: r.status, detail: r.details }));
  const usage = process.resourceUsage();
  const cpu = process.cpuUsage(cpu0);
  const io1 = procIo();
  const profile = await stopProfile?.();
  await engine.close();
  const result: EngineRunResult = {
    resolveSec,
    downloadSec,
    firstBuildSec,
    completedSec,
    // From the engine's start on (module loading left out, as in fetcher-run.ts).
    cpuSec: (cpu.user + cpu.system) / 1e6,
    maxRssMB: usage.maxRSS / 1024,
    rssAtStartMB,
    writeBytes: io1.write_bytes! - io0.write_bytes!,
    cancelledWriteBytes: io1.cancelled_write_bytes! - io0.cancelled_write_bytes!,
    timeline,
    ...(profile ? { planSec: shareUnder(profile, PLANNING) * ((cpu.user + cpu.system) / 1e6) } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  main().catch((error: unknown) => {
    process.stderr.write(`engine-run: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  });
}
