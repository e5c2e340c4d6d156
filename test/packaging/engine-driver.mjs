/**
 * Runs the PACKED engine entry (dist-electron/engine/index.js extracted from app.asar) under plain
 * Node the way Electron's utility process runs it: the entry talks to its host over
 * `process.parentPort` (engine/host/utility.ts), which Electron puts on the process object. Here
 * that port is bridged to Node's IPC channel with the test (child_process.fork). Like Electron's
 * ParentPort, messages that arrive before the entry listens are queued, not dropped (Electron
 * delivers them once a 'message' listener is added). Nothing else of the engine is replaced.
 *   node engine-driver.mjs <path to dist-electron/engine/index.js>
 */
import { EventEmitter } from 'node:events';
import { pathToFileURL } from 'node:url';

const queued = [];
const port = Object.assign(new EventEmitter(), {
  postMessage: (message) => process.send?.(message),
  start: () => undefined,
});
port.on('newListener', (event) => {
  if (event === 'message') setImmediate(() => queued.splice(0).forEach((data) => port.emit('message', { data, ports: [] })));
});
process.parentPort = port;
process.on('message', (data) => (port.listenerCount('message') ? port.emit('message', { data, ports: [] }) : queued.push(data)));
process.on('disconnect', () => process.exit(0));
await import(pathToFileURL(process.argv[2]).href);
