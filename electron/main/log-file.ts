import { configureLogFile, onLogLine, type LogLevel, type LogLine } from '../engine/util/log';

/** Rotation: past 5 MiB the file becomes `<name>.old.log` (one old file kept; electron-log's archiveLogFn). */
export const LOG_MAX_BYTES = 5 * 1024 * 1024;

/** The subset of an electron-log instance used here (main's in the app, a node one in tests). */
export interface LogSink {
  transports: { file: { resolvePathFn: () => string; maxSize: number; level: LogLevel | false }; console: { level: LogLevel | false } };
  scope(name: string): Record<LogLevel, (text: string) => void>;
}

export interface AppLog {
  /** Writes one line (main's own, or one the engine sent over the host channel). */
  write(line: LogLine): void;
  setLevel(level: LogLevel): void;
}

/**
 * One log file for the whole app, written and rotated by ONE process (main): main's own lines and
 * the engine's (it sends them as `log` messages, see contract/host.ts) go through the same
 * electron-log file transport, so two processes never rotate the file independently. Lines are
 * redacted by engine/util/log before they get here.
 */
export function createAppLog(file: string, level: LogLevel, sink: LogSink, maxBytes = LOG_MAX_BYTES): AppLog {
  // engine/util/log's own file sink stays off in main: it would be a second writer of this file.
  configureLogFile(null);
  sink.transports.file.resolvePathFn = () => file;
  sink.transports.file.maxSize = maxBytes;
  sink.transports.file.level = level;
  sink.transports.console.level = process.env.NODE_ENV === 'development' ? 'debug' : false;
  const scopes = new Map<string, Record<LogLevel, (text: string) => void>>();
  const write = (line: LogLine) => {
    let scoped = scopes.get(line.scope);
    if (!scoped) scopes.set(line.scope, (scoped = sink.scope(line.scope)));
    scoped[line.level](line.message);
  };
  onLogLine(write);
  return { write, setLevel: (next) => (sink.transports.file.level = next) };
}
