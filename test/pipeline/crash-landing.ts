/**
 * Helpers of the crash test (crash.test.ts): the seeded kill schedule, the headless engine as a
 * child with its "engine started" line, and where a kill landed, read from the SQLite database the
 * killed engine left behind.
 */
import Database from 'better-sqlite3';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** The run's seed: CRASH_SEED=<n> replays a schedule, otherwise a new one each run. */
export function crashSeed(env: NodeJS.ProcessEnv = process.env): number {
  const given = env.CRASH_SEED;
  if (given === undefined || given === '') return randomInt(2 ** 31);
  if (!/^\d{1,10}$/.test(given) || Number(given) >= 2 ** 32) throw new Error(`CRASH_SEED must be an integer 0..4294967295, got ${JSON.stringify(given)}`);
  return Number(given);
}

/** mulberry32: the same seed gives the same kill moments. */
export function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface Headless {
  child: ChildProcess;
  /** Resolves when the engine logs "engine started" (its scheduler is running). */
  ready: Promise<void>;
  exited: Promise<void>;
  /** The last lines the child wrote on stderr, for failure messages. */
  tail(): string;
}

/**
 * The headless CLI, as a user runs it. Not `--quiet`: with stderr not a terminal its log lines
 * (info and up) go to stderr, where "(engine) engine started" marks the moment the kill delays
 * count from. stdout (the progress lines) is dropped.
 */
export function startHeadless(configFile: string, readyTimeoutMs = 60_000): Headless {
  const child = spawn(process.execPath, ['--import', TSX, 'electron/engine/host/headless.ts', '--config', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`headless engine not ready after ${readyTimeoutMs} ms:\n${stderr.slice(-2000)}`)), readyTimeoutMs);
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-20_000);
      if (/\(engine\) engine started/.test(stderr)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`headless engine exited (${code ?? signal}) before it was ready:\n${stderr.slice(-2000)}`));
    });
  });
  ready.catch(() => {}); // a kill before ready is awaited by the caller, never unhandled
  return { child, ready, exited, tail: () => stderr.slice(-3000) };
}

export interface VodLanding {
  id: string;
  status: string;
  stage: string;
  segments: { done: number; total: number };
  partsTotal: number | null;
  parts: Record<'planned' | 'built' | 'uploaded' | 'posted', number>;
  uploads: Record<'pending' | 'sending' | 'posted' | 'failed', number>;
  /** Uploads left `sending` (random id stored, no message id): the send's outcome is unknown. */
  sending: Array<{ part: number; destination: string; randomId: string }>;
}

/** What the database says at the moment of a kill, per VOD (empty before the first start). */
export function readLanding(dbPath: string, vodIds: readonly string[]): VodLanding[] {
  if (!existsSync(dbPath)) return [];
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return vodIds.map((id) => landingOf(db, id));
  } finally {
    db.close();
  }
}

function landingOf(db: Database.Database, id: string): VodLanding {
  const vod = db.prepare(`SELECT status, stage, parts_total, generation FROM vods WHERE id = ?`).get(id) as
    { status: string; stage: string; parts_total: number | null; generation: number } | undefined;
  const count = <K extends string>(sql: string, keys: readonly K[], ...args: unknown[]): Record<K, number> => {
    const rows = db.prepare(sql).all(...args) as Array<{ k: string; n: number }>;
    return Object.fromEntries(keys.map((k) => [k, rows.find((r) => r.k === k)?.n ?? 0])) as Record<K, number>;
  };
  const seg = db.prepare(`SELECT COUNT(*) AS total, COALESCE(SUM(done), 0) AS done FROM segments WHERE vod_id = ?`).get(id) as { total: number; done: number };
  const generation = vod?.generation ?? 0;
  return {
    id,
    status: vod?.status ?? 'unknown',
    stage: vod?.stage ?? '-',
    segments: { done: seg.done, total: seg.total },
    partsTotal: vod?.parts_total ?? null,
    parts: count(`SELECT state AS k, COUNT(*) AS n FROM parts WHERE vod_id = ? GROUP BY state`, ['planned', 'built', 'uploaded', 'posted'] as const, id),
    uploads: count(
      `SELECT state AS k, COUNT(*) AS n FROM uploads WHERE vod_id = ? AND generation = ? GROUP BY state`,
      ['pending', 'sending', 'posted', 'failed'] as const,
      id,
      generation,
    ),
    sending: (
      db.prepare(`SELECT part_idx, destination, random_id FROM uploads WHERE vod_id = ? AND generation = ? AND state = 'sending' ORDER BY part_idx`).all(id, generation) as Array<{
        part_idx: number;
        destination: string;
        random_id: string;
      }>
    ).map((r) => ({ part: r.part_idx, destination: r.destination, randomId: r.random_id })),
  };
}

/** The step a VOD was in when the engine died, from its committed facts (not its display stage). */
export function phaseOf(v: VodLanding): string {
  if (v.status === 'completed') return 'completed';
  if (v.sending.length > 0) return 'sending';
  if (v.uploads.posted > 0) return 'posting';
  if (v.segments.total === 0) return v.status === 'processing' ? 'listing' : 'queued';
  if (v.segments.done < v.segments.total) return 'downloading';
  if (v.parts.planned > 0) return 'building';
  return 'uploading';
}

export interface KillRecord {
  n: number;
  kind: 'timed' | 'held';
  /** ms from the spawn to "engine started". */
  startupMs: number;
  /** ms after "engine started" (for held kills: after the held send was recorded by Telegram). */
  afterReadyMs: number;
  /** The random-id memory of the stand-in during the run that follows this kill. */
  nextMemory: number;
  landing: VodLanding[];
}

function describeVod(v: VodLanding): string {
  const p = v.parts;
  const parts = `parts ${p.planned}p/${p.built}b/${p.uploaded}u/${p.posted}✓ of ${v.partsTotal ?? '?'}`;
  const up =
    `posts ${v.uploads.posted}` +
    (v.sending.length ? ` sending ${v.sending.map((s) => `#${s.part}→${s.destination.startsWith('dir:') ? 'folder' : s.destination}`).join(',')}` : '');
  return `${v.id} ${phaseOf(v).padEnd(11)} seg ${v.segments.done}/${v.segments.total} ${parts} ${up}`;
}

/** One line per kill, then how many kills found each VOD in each step. */
export function landingSummary(seed: number, kills: readonly KillRecord[]): string {
  const lines = kills.map((k) => {
    const memory = Number.isFinite(k.nextMemory) ? String(k.nextMemory) : '∞';
    return `  #${String(k.n).padStart(2)} ${k.kind.padEnd(5)} ready ${(k.startupMs / 1000).toFixed(1)}s +${String(k.afterReadyMs).padStart(4)}ms mem→${memory.padEnd(1)} | ${k.landing.map(describeVod).join(' | ')}`;
  });
  const byPhase = new Map<string, number>();
  for (const k of kills) for (const v of k.landing) byPhase.set(phaseOf(v), (byPhase.get(phaseOf(v)) ?? 0) + 1);
  const held = kills.filter((k) => k.kind === 'held').length;
  return [
    `crash test: seed ${seed} (CRASH_SEED=${seed} replays it), ${kills.length} SIGKILLs, ${held} while a sent post's reply was held`,
    ...lines,
    `  VOD states at the kills: ${[...byPhase].map(([phase, n]) => `${phase} ${n}`).join(', ')}`,
  ].join('\n');
}
