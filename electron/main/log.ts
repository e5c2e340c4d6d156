import mainLog from 'electron-log/main';
import type { LogLevel } from '../engine/util/log';
import { createAppLog, type AppLog, type LogSink } from './log-file';

/** The app's one log file through electron-log's main instance (see log-file.ts). */
export function setupLogging(file: string, level: LogLevel = 'info'): AppLog {
  const appLog = createAppLog(file, level, mainLog as unknown as LogSink);
  // Uncaught errors are logged instead of a modal dialog; their text can hold no secrets we know
  // of (our code never puts secrets in errors).
  mainLog.errorHandler.startCatching({ showDialog: false });
  return appLog;
}
