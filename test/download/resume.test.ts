import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hlsCacheDir, makeHlsVod, type HlsVod, type HlsVodParams } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';

const PARAMS: HlsVodParams = { durationSec: 40, segmentSec: 2, width: 160, height: 90, videoKbps: 600 };
const CONCURRENCY = 4;
const CHILD = resolve(__dirname, 'fixtures/resume-child.ts');
let hls: HlsVod;
let tw: TwitchStandIn;
let root: string;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('resume-test', PARAMS), PARAMS);
  // Slow connections (~1.5 s per segment) so the kill lands mid-download.
  tw = await startTwitchStandIn({ users: [{ id: '1', login: 'alice' }], connectionBytesPerSec: 100_000 });
  tw.addVod({ id: '300', userId: '1', hls });
  root = mkdtempSync(join(tmpdir(), 'tvb-resume-'));
});
afterAll(async () => {
  await tw.close();
  rmSync(root, { recursive: true, force: true });
});

function startChild(dbPath: string, dir: string) {
  const arg = JSON.stringify({ endpoints: tw.endpoints, vodId: '300', dir, dbPath, concurrency: CONCURRENCY });
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, arg], { cwd: resolve(__dirname, '../..'), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; out: string }>((res) => child.on('exit', (code, signal) => res({ code, signal, out })));
  return { child, exited };
}

function recorded(dbPath: string): Set<number> {
  try {
    const db = new Database(dbPath, { readonly: true, fileMustExist: true, timeout: 1000 });
    try {
      return new Set((db.prepare('SELECT idx FROM segments WHERE done = 1').all() as Array<{ idx: number }>).map((r) => r.idx));
    } finally {
      db.close();
    }
  } catch {
    return new Set(); // not created yet
  }
}

it('after SIGKILL mid-download, a restart fetches only the segments that were in flight', async () => {
  const dbPath = join(root, 'state.db');
  const dir = join(root, 'vod');
  const first = startChild(dbPath, dir);
  // Wait until a quarter of the segments are recorded, then kill without warning.
  const target = Math.ceil(hls.segments.length / 4);
  for (;;) {
    if (recorded(dbPath).size >= target) break;
    const early = await Promise.race([first.exited, new Promise((r) => setTimeout(r, 50, undefined))]);
    if (early) throw new Error(`child exited before the kill: ${JSON.stringify(early)}`);
  }
  first.child.kill('SIGKILL');
  const killed = await first.exited;
  expect(killed.signal).toBe('SIGKILL');

  const doneAtKill = recorded(dbPath);
  const startedAtKill = new Set(tw.stats.segmentLog.map((l) => l.index));
  const inFlight = [...startedAtKill].filter((i) => !doneAtKill.has(i));
  expect(doneAtKill.size).toBeGreaterThanOrEqual(target);
  expect(doneAtKill.size).toBeLessThan(hls.segments.length);
  // Not recorded: the segments in flight, and those finished within the last batch of marks
  // (pipeline/segment-marks.ts, 100 ms; a segment takes ~1.5 s here, so one per connection at most).
  expect(inFlight.length).toBeLessThanOrEqual(2 * CONCURRENCY);

  const second = startChild(dbPath, dir);
  const end = await second.exited;
  expect(end.code, end.out).toBe(0);
  expect(end.out).toContain('done');

  const all = recorded(dbPath);
  expect(all.size).toBe(hls.segments.length);
  for (const s of hls.segments) {
    const n = tw.stats.segmentFetchCount('300', s.index);
    expect(n, `segment ${s.index}`).toBeLessThanOrEqual(2);
    if (doneAtKill.has(s.index)) expect(n, `recorded segment ${s.index} fetched again`).toBe(1);
    if (n === 2) expect(inFlight, `segment ${s.index} fetched twice but was not in flight`).toContain(s.index);
    expect(readFileSync(join(dir, `${s.index}.ts`)).equals(readFileSync(s.path)), `segment ${s.index} bytes`).toBe(true);
  }
});
