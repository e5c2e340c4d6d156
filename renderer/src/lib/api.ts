import type { AppApi, WindowApi } from '../../../electron/contract/app';
import { createApiClient, type EngineApi } from '../../../electron/contract/client';
import { createWebSocketTransport, engineSocketUrl, type ConnectionState } from './ws-transport';

/**
 * The one place that decides how the UI reaches the engine: the desktop app's `window.api`
 * (MessagePort, built by the preload) or, in an ordinary browser, a WebSocket to the engine's
 * loopback server. Everything else in the UI uses the same typed `EngineApi`.
 */
export interface Connection {
  api: EngineApi;
  /** Shell-only actions; absent in browser mode (hide their controls). */
  app: AppApi | null;
  mode: 'desktop' | 'browser';
  /** Connection changes; `reconnected` asks the UI to fetch a fresh snapshot. */
  onState(listener: (state: ConnectionState, reconnected: boolean) => void): () => void;
}

declare global {
  interface Window {
    api?: WindowApi;
  }
}

/** Requests lost with a dropped socket fail after this long (the longest is a 2FA check). */
const REQUEST_TIMEOUT_MS = 120_000;

export function connect(): Connection {
  const desktop = window.api;
  if (desktop) {
    return { api: desktop, app: desktop.app ?? null, mode: 'desktop', onState: () => () => {} };
  }
  const transport = createWebSocketTransport(engineSocketUrl(window.location));
  const api = createApiClient(transport, { timeoutMs: REQUEST_TIMEOUT_MS });
  return { api, app: null, mode: 'browser', onState: (l) => transport.onState(l) };
}
