/**
 * The engine inside the desktop app: an Electron utility process (plain Node with Electron's ABI).
 * Main talks to it over `process.parentPort` (see contract/host.ts); each renderer gets its own
 * MessagePort straight to the engine, so UI traffic never passes through main.
 *
 * This file does not import `electron`: `process.parentPort` is a property Electron puts on the
 * process object of a utility process.
 */
import { EngineToHost, HostToEngine } from '../../contract/host';
import { defaultSettings, parseSettings, type Settings } from '../../contract/settings';
import type { EngineMessage } from '../../contract/protocol';
import { startEngine, type RunningEngine } from '../core/start-engine';
import { onLogLine, type LogLevel } from '../util/log';
import { attachConnection } from './connection';
import { installProcessPolicy } from './process-policy';

interface PortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (e: { data: unknown; ports?: PortLike[] }) => void): void;
  on(event: 'close', listener: () => void): void;
  start(): void;
}

const parentPort = (process as unknown as { parentPort?: PortLike }).parentPort;

function send(message: EngineToHost): void {
  parentPort?.postMessage(EngineToHost.parse(message));
}

let running: RunningEngine | undefined;
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
// Every line goes to main, which writes the app's one log file (at the level the settings ask).
onLogLine((line) => {
  if (RANK[line.level] >= RANK[running?.engine.settings.advanced.logLevel ?? 'info']) send({ type: 'log', line });
});

async function onHostMessage(raw: unknown, ports: PortLike[] = []): Promise<void> {
  const parsed = HostToEngine.safeParse(raw);
  if (!parsed.success) return; // Only main can send here; a malformed message is dropped.
  const message = parsed.data;
  switch (message.type) {
    case 'init': {
      const settings = parseSettings(message.settings);
      // Stored settings that no longer validate still start the engine (with defaults), so the
      // user can fix them in the UI; the problems are shown there.
      const initial: Settings = settings.ok ? settings.settings : defaultSettings();
      running = await startEngine({
        paths: message.paths,
        settings: initial,
        secrets: message.secrets,
        host: {
          persistSecrets: (patch, remove) => send({ type: 'persist.secrets', patch, remove }),
          persistSettings: (s) => send({ type: 'persist.settings', settings: s }),
          notice: (notice) => send({ type: 'notice', notice }),
          status: (status, summary) => send({ type: 'status', status, summary }),
        },
      });
      const stored = [...message.settingsProblems, ...(settings.ok ? [] : settings.problems)];
      if (stored.length) running.engine.problems = [...stored, ...running.engine.problems];
      send({ type: 'ready' });
      break;
    }
    case 'settings.changed':
      running?.engine.updateSettings(message.settings, { persist: false });
      break;
    case 'secrets.changed':
      running?.engine.replaceSecrets(message.secrets);
      break;
    case 'port': {
      const port = ports[0];
      if (!port || !running) return;
      const r = running;
      const detach = attachConnection(r.engine.bus, r.dispatch, {
        send: (m: EngineMessage) => port.postMessage(m),
        onMessage: (listener) => port.on('message', (e) => listener(e.data)),
      });
      port.on('close', detach);
      port.start();
      break;
    }
    case 'safePoint.request': {
      // Working = a VOD is being fetched, cut or posted; paused may still finish one. Stricter is
      // safer: only a quiet engine lets the app restart into an update.
      const state = running?.engine.status.state ?? 'idle';
      send({ type: 'safePoint', safe: state !== 'working' && state !== 'paused', reason: state });
      break;
    }
    case 'shutdown':
      await running?.stop();
      process.exit(0);
  }
}

if (parentPort) {
  // A bug nothing caught: logged with its stack, its VODs recorded as failed-transient, then exit 1;
  // main's EngineHost restarts the engine with backoff (electron/main/engine-host.ts).
  installProcessPolicy({
    db: () => running?.engine.db,
    retry: () => ({ minRetryDelaySec: running?.engine.settings.vod.minRetryDelaySec ?? 300, maxRetries: running?.engine.settings.vod.maxRetries ?? 5 }),
    notify: (message) => send({ type: 'fatal', message }),
    exit: (code) => process.exit(code),
  });
  parentPort.on('message', (e) => {
    onHostMessage(e.data, e.ports).catch((error: unknown) => {
      send({ type: 'fatal', message: (error as Error).message });
    });
  });
  process.on('SIGTERM', () => void running?.stop().then(() => process.exit(0)));
}
