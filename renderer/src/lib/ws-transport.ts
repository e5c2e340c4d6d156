import type { Transport } from '../../../electron/contract/client';
import type { RequestMessage } from '../../../electron/contract/protocol';

/**
 * Browser mode's transport: a WebSocket to the engine's loopback server that reconnects with
 * backoff. Requests made while disconnected wait in a small queue and go out on reconnect;
 * requests lost with a dropped socket are failed by the client's timeout.
 */
export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ReconnectingTransport extends Transport {
  onState(listener: (state: ConnectionState, reconnected: boolean) => void): () => void;
  close(): void;
}

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
}

/** Delay before reconnect attempt `attempt` (0-based): doubles up to a cap. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const initial = options.initialMs ?? 250;
  const max = options.maxMs ?? 5000;
  return Math.min(max, initial * 2 ** Math.min(attempt, 20));
}

const MAX_QUEUED = 200;

export function createWebSocketTransport(url: string, options: BackoffOptions & { WebSocketImpl?: typeof WebSocket } = {}): ReconnectingTransport {
  const WS = options.WebSocketImpl ?? WebSocket;
  const messageListeners: Array<(m: unknown) => void> = [];
  const stateListeners = new Set<(state: ConnectionState, reconnected: boolean) => void>();
  const queue: string[] = [];
  let socket: WebSocket | null = null;
  let attempt = 0;
  let everOpened = false;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const emit = (state: ConnectionState, reconnected = false) => {
    for (const l of stateListeners) l(state, reconnected);
  };

  const connect = () => {
    if (closed) return;
    emit('connecting');
    const ws = new WS(url);
    socket = ws;
    ws.onopen = () => {
      const reconnected = everOpened;
      everOpened = true;
      attempt = 0;
      while (queue.length > 0 && ws.readyState === WS.OPEN) ws.send(queue.shift() as string);
      emit('open', reconnected);
    };
    ws.onmessage = (event) => {
      let data: unknown;
      try {
        data = JSON.parse(String(event.data));
      } catch {
        return;
      }
      for (const l of messageListeners) l(data);
    };
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = null;
      emit('closed');
      if (closed) return;
      timer = setTimeout(connect, backoffDelay(attempt++, options));
    };
    ws.onerror = () => {
      // onclose follows and schedules the retry.
    };
  };
  connect();

  return {
    send(message: RequestMessage) {
      const text = JSON.stringify(message);
      if (socket && socket.readyState === WS.OPEN) socket.send(text);
      else if (queue.length < MAX_QUEUED) queue.push(text);
    },
    onMessage(listener) {
      messageListeners.push(listener);
    },
    onState(listener) {
      stateListeners.add(listener);
      return () => stateListeners.delete(listener);
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      socket?.close();
    },
  };
}

/** ws://host/engine?token=… for the page's own origin (the token comes from the page URL). */
export function engineSocketUrl(location: { protocol: string; host: string; search: string }): string {
  const params = new URLSearchParams(location.search);
  const explicit = params.get('engine');
  if (explicit) return explicit;
  const token = params.get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/engine?token=${encodeURIComponent(token)}`;
}
