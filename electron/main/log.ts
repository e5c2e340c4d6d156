import mainLog from 'electron-log/main';
import { configureLogFile, type LogLevel } from '../engine/util/log';

/**
 * One log file for the whole app: main writes it through electron-log (its own lines and uncaught
 * errors), and the engine appends to the same path from its utility process. Lines from our own
 * loggers are redacted before they are written (see engine/util/log).
 */
export function setupLogging(file: string, level: LogLevel = 'info'): void {
  configureLogFile(file, level);
  mainLog.transports.file.resolvePathFn = () => file;
  mainLog.transports.file.level = level;
  mainLog.transports.console.level = process.env.NODE_ENV === 'development' ? 'debug' : false;
  // Uncaught errors are logged instead of a modal dialog; their text can hold no secrets we know
  // of (our code never puts secrets in errors), and the engine's own errors stay in its process.
  mainLog.errorHandler.startCatching({ showDialog: false });
}
