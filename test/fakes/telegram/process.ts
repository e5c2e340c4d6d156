/**
 * Runs the stand-in CLI as a child process (so it outlives a killed engine, and its CPU is not
 * counted as the engine's) and talks to its control port.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FaultSpec } from './faults';
import type { StandInSnapshot } from './server';

export interface StandInProcessInfo {
  host: string;
  port: number;
  dcId: number;
  publicKeyPem: string;
  fingerprint: string;
  controlPort: number;
  controlUrl: string;
}

export interface StandInProcess extends StandInProcessInfo {
  readonly child: ChildProcess;
  control<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T>;
  state(): Promise<StandInSnapshot>;
  setFault(spec: FaultSpec): Promise<number>;
  /** SIGTERM, then wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL (state already on disk), then wait for exit. */
  kill(): Promise<void>;
}

const CLI = fileURLToPath(new URL('./cli.ts', import.meta.url));
/** tsx's loader by absolute path, so the child runs TypeScript whatever its working directory. */
const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export async function spawnStandIn(opts: { stateFile: string; port?: number; partDelayMs?: number; randomIdMemory?: number; seedFile?: string }): Promise<StandInProcess> {
  const args = ['--import', TSX, CLI, '--state', opts.stateFile, '--exit-with-stdin'];
  if (opts.port !== undefined) args.push('--port', String(opts.port));
  if (opts.partDelayMs !== undefined) args.push('--part-delay', String(opts.partDelayMs));
  if (opts.randomIdMemory !== undefined) args.push('--random-id-memory', String(opts.randomIdMemory));
  if (opts.seedFile) args.push('--seed', opts.seedFile);
  // stdin stays open while we live: if this process dies, the stand-in sees it close and stops.
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<StandInProcessInfo>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as StandInProcessInfo);
      } catch (err) {
        reject(err as Error);
      }
    });
    child.once('exit', (code) => reject(new Error(`Telegram stand-in process exited (${code}): ${stderr.trim()}`)));
  });
  const control = async <T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${info.controlUrl}${path}`, {
      method,
      body: method === 'POST' ? JSON.stringify(body ?? {}) : undefined,
    });
    const json = (await res.json()) as T & { error?: string };
    if (!res.ok) throw new Error(`Telegram stand-in control ${method} ${path}: ${json.error}`);
    return json;
  };
  const end = async (signal: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    ...info,
    child,
    control,
    state: () => control<StandInSnapshot>('GET', '/state'),
    setFault: async (spec) => (await control<{ id: number }>('POST', '/faults', { ...spec, count: spec.count === Infinity ? null : spec.count })).id,
    stop: () => end('SIGTERM'),
    kill: () => end('SIGKILL'),
  };
}
