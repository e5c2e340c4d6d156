/**
 * The benchmarks' processes: the Twitch stand-in (test/fakes/twitch/cli.ts) and one engine run
 * (engine-run.ts), each a process of its own so that what is measured of one is not the other's.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { TwitchEndpoints } from '../../electron/engine/twitch/endpoints';
import type { EngineRunConfig, EngineRunResult } from './engine-run';

export const root = resolve(import.meta.dirname, '../..');

export interface TwitchProcess {
  endpoints: TwitchEndpoints;
  clientId: string;
  clientSecret: string;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the Twitch stand-in with these options (a cli.ts options file); it dies with us (--stdin). */
export async function startTwitchProcess(dir: string, options: Record<string, unknown>): Promise<TwitchProcess> {
  const file = join(dir, `twitch-${Date.now()}.json`);
  writeFileSync(file, JSON.stringify(options));
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'test/fakes/twitch/cli.ts'), file, '--stdin'], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((res, rej) => {
    createInterface({ input: child.stdout }).once('line', res);
    child.once('exit', (code) => rej(new Error(`the Twitch stand-in exited with ${code}`)));
  });
  const info = JSON.parse(line) as Omit<TwitchProcess, 'stop'>;
  return { ...info, stop: () => new Promise<void>((r) => (child.exitCode !== null ? r() : (child.once('exit', () => r()), child.kill('SIGTERM')))) };
}

/** Runs a node script (a .ts with tsx, a compiled .js as it is) to its end; resolves to its last stdout line, parsed. */
export function runNodeJson<T>(script: string, args: string[]): Promise<T> {
  return new Promise((res, rej) => {
    const loader = script.endsWith('.ts') ? ['--import', 'tsx'] : [];
    const child = spawn(process.execPath, [...loader, join(root, script), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('error', rej);
    child.on('exit', (code) => {
      const last = out.trim().split('\n').pop() ?? '';
      if (code !== 0) return rej(new Error(`${script} exited with ${code}`));
      try {
        res(JSON.parse(last) as T);
      } catch {
        rej(new Error(`${script} printed no JSON line: ${last.slice(0, 200)}`));
      }
    });
  });
}

/** One engine run in its own process (see engine-run.ts; `script`: that file compiled, see compiled.ts). */
export function runEngine(dir: string, config: EngineRunConfig, script = 'bench/lib/engine-run.ts'): Promise<EngineRunResult> {
  const file = join(dir, `engine-${Date.now()}-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(config));
  return runNodeJson<EngineRunResult>(script, [file]);
}

/** Runs a command to its end; resolves to its wall seconds. */
export function timeCommand(cmd: string, args: string[]): Promise<number> {
  return new Promise((res, rej) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    child.on('error', rej);
    child.on('exit', (code) => (code === 0 ? res((performance.now() - t0) / 1000) : rej(new Error(`${cmd} exited with ${code}`))));
  });
}
