import log from 'electron-log/node';
import { redact } from './redact';

/**
 * One logger for the engine. Lines go to a rotating file (the same file the Electron main
 * process writes to, when hosted by the app), to subscribers (the UI's live log tail), and to
 * stderr only when asked (headless). Every line is redacted first: secrets never reach a sink.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface LogLine {
  time: string;
  level: LogLevel;
  scope: string;
  message: string;
}
export interface Logger {
  debug(message: string, details?: unknown): void;
  info(message: string, details?: unknown): void;
  warn(message: string, details?: unknown): void;
  error(message: string, details?: unknown): void;
}

type Listener = (line: LogLine) => void;
const listeners = new Set<Listener>();
const recent: LogLine[] = [];
const RECENT_MAX = 1000;

log.transports.console.level = false;
log.transports.file.level = false;

/** Points the file sink at `path` (rotated at 5 MiB, one old file kept); `null` turns it off. */
export function configureLogFile(path: string | null, level: LogLevel = 'info'): void {
  if (path === null) {
    log.transports.file.level = false;
    return;
  }
  log.transports.file.resolvePathFn = () => path;
  // electron-log looks for the app name in the nearest package.json of the working directory and
  // refuses to write without one (headless in Docker runs in /data): name it.
  log.transports.file.setAppName('twitch-vod-backup');
  // Rotation: past 5 MiB the file becomes <name>.old.log (one old file kept), as the README says.
  log.transports.file.maxSize = 5 * 1024 * 1024;
  log.transports.file.level = level;
}

let stopConsole: (() => void) | undefined;

/** Mirrors lines to stderr (headless mode: stdout is for progress). `false` stops it. */
export function configureConsole(level: LogLevel | false): void {
  stopConsole?.();
  stopConsole = undefined;
  if (level === false) return;
  const floor = levelRank[level];
  stopConsole = onLogLine((l) => {
    if (levelRank[l.level] >= floor) process.stderr.write(`${l.time} ${l.level.padEnd(5)} (${l.scope}) ${l.message}\n`);
  });
}

export function onLogLine(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function recentLogLines(limit = 200, minLevel: LogLevel = 'debug'): LogLine[] {
  const floor = levelRank[minLevel];
  return recent.filter((l) => levelRank[l.level] >= floor).slice(-limit);
}

const levelRank: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

function describe(details: unknown): string {
  if (details === undefined) return '';
  if (details instanceof Error) return ` ${details.message}`;
  if (typeof details === 'string') return ` ${details}`;
  try {
    return ` ${JSON.stringify(details)}`;
  } catch {
    return ` ${String(details)}`;
  }
}

export function createLogger(scope: string): Logger {
  const scoped = log.scope(scope);
  const write = (level: LogLevel) => (message: string, details?: unknown) => {
    const text = redact(message + describe(details));
    const line: LogLine = { time: new Date().toISOString(), level, scope, message: text };
    recent.push(line);
    if (recent.length > RECENT_MAX) recent.splice(0, recent.length - RECENT_MAX);
    scoped[level](text);
    for (const listener of listeners) listener(line);
  };
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
