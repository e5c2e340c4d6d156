import { spawn } from 'node:child_process';
import { EngineError } from '../util/errors';

/**
 * Runs ffmpeg/ffprobe as a child process: argument list (never a shell), cancellable by an
 * AbortSignal, stdout collected (or streamed line by line), the tail of stderr kept for the error
 * message. A tool that cannot start at all is a permanent error; a cancelled run is 'cancelled'.
 * A run that prints nothing for `idleTimeoutMs` is stalled (a hung disk or NAS under it): killed,
 * and a transient error, so the VOD is retried instead of waiting forever. ffmpeg runs with
 * `-progress` print every half second; probes and thumbnails finish in seconds.
 */
export interface RunOptions {
  signal?: AbortSignal;
  /** Called with each complete stdout line instead of collecting stdout. */
  onLine?: (line: string) => void;
  cwd?: string;
  /** Default IDLE_TIMEOUT_MS. */
  idleTimeoutMs?: number;
}

export const IDLE_TIMEOUT_MS = 300_000;

export interface RunResult {
  code: number;
  stdout: string;
  stderrTail: string;
}

const STDERR_TAIL = 8 * 1024;

export function runTool(path: string, args: readonly string[], options: RunOptions = {}): Promise<RunResult> {
  const { signal, onLine, cwd, idleTimeoutMs = IDLE_TIMEOUT_MS } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new EngineError('cancelled', 'ABORTED', 'Cancelled.'));
      return;
    }
    const child = spawn(path, args, { stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true, cwd });
    let stdout = '';
    let pending = '';
    let stderr = '';
    let stalled = false;
    let idle: NodeJS.Timeout | undefined;
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        stalled = true;
        child.kill('SIGKILL');
      }, idleTimeoutMs);
    };
    alive();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      alive();
      if (!onLine) {
        stdout += chunk;
        return;
      }
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        onLine(pending.slice(0, nl).replace(/\r$/, ''));
        pending = pending.slice(nl + 1);
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      alive();
      stderr = (stderr + chunk).slice(-STDERR_TAIL);
    });
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    child.on('error', (err) => {
      clearTimeout(idle);
      signal?.removeEventListener('abort', onAbort);
      reject(new EngineError('permanent', 'tool_failed_to_start', `${path} could not be started: ${err.message}`, { cause: err }));
    });
    child.on('close', (code) => {
      clearTimeout(idle);
      signal?.removeEventListener('abort', onAbort);
      if (onLine && pending) onLine(pending);
      if (signal?.aborted) reject(new EngineError('cancelled', 'ABORTED', 'Cancelled.'));
      else if (stalled) reject(new EngineError('transient', 'tool_stalled', `${path} printed nothing for ${Math.round(idleTimeoutMs / 1000)} s and was stopped`));
      else resolve({ code: code ?? -1, stdout, stderrTail: stderr.trim() });
    });
  });
}

/** Last few lines of stderr, for error messages. */
export function lastLines(text: string, n = 4): string {
  return text.split('\n').filter(Boolean).slice(-n).join(' | ');
}
