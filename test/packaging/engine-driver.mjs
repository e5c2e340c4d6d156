/**
 * Runs the PACKED engine entry (dist-electron/engine/index.js extracted from app.asar) under plain
 * Node the way Electron's utility process runs it: the entry talks to its host over
 * `process.parentPort` (engine/host/utility.ts), which Electron puts on the process object. Here
 * that port is bridged to Node's IPC channel with the test (child_process.fork). Nothing else of
 * the engine is replaced.
 *   node engine-driver.mjs <path to dist-electron/engine/index.js>
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const port = Object.assign(new EventEmitter(), {
  postMessage: (message) => process.send?.(message),
  start: () => undefined,
});
process.parentPort = port;
process.on('message', (data) => port.emit('message', { data, ports: [] }));
process.on('disconnect', () => process.exit(0));
await import(pathToFileURL(process.argv[2]).href);
