/**
 * Runs in the page before the renderer (Playwright init script, bundled by desktop-bridge.ts): the
 * preload's own `buildWindowApi` over a stand-in for Electron's ipcRenderer. The engine's
 * MessagePort (which main hands the preload on ENGINE_PORT_CHANNEL) is bridged to the engine's
 * loopback WebSocket; `app.*` calls go to the test's shell stand-in through an exposed function,
 * and the shell's events come back on APP_EVENT_CHANNEL, as main's `webContents.send` delivers them.
 */
import { APP_CHANNEL, APP_EVENT_CHANNEL, ENGINE_PORT_CHANNEL } from '../../electron/contract/app';
import { buildWindowApi } from '../../electron/preload/api';
import { engineSocketUrl } from '../../renderer/src/lib/ws-transport';

type Handler = (event: { ports?: MessagePort[] }, data?: unknown) => void;
const bridge = window as unknown as { __tvbShellInvoke(call: unknown): Promise<unknown>; __tvbShellEvent?: (data: unknown) => void };
const handlers = new Map<string, Set<Handler>>();
const ipc = {
  on(channel: string, handler: Handler) {
    if (!handlers.has(channel)) handlers.set(channel, new Set());
    handlers.get(channel)?.add(handler);
    return ipc;
  },
  removeListener(channel: string, handler: Handler) {
    handlers.get(channel)?.delete(handler);
    return ipc;
  },
  invoke(channel: string, call: unknown) {
    if (channel !== APP_CHANNEL) return Promise.reject(new Error(`No handler for ${channel}`));
    return bridge.__tvbShellInvoke(call);
  },
};
window.api = buildWindowApi(ipc as never);
bridge.__tvbShellEvent = (data) => {
  for (const h of handlers.get(APP_EVENT_CHANNEL) ?? []) h({}, data);
};

const channel = new MessageChannel();
const socket = new WebSocket(engineSocketUrl(location));
socket.onopen = () => {
  for (const h of handlers.get(ENGINE_PORT_CHANNEL) ?? []) h({ ports: [channel.port1] });
};
channel.port2.onmessage = (event) => socket.send(JSON.stringify(event.data));
socket.onmessage = (event) => channel.port2.postMessage(JSON.parse(String(event.data)));
