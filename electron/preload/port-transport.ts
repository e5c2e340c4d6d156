import type { RequestMessage } from '../contract/protocol';
import type { Transport } from '../contract/client';

/**
 * A protocol transport over a MessagePort that can be replaced: the engine gets a new port after
 * every restart (and the renderer after every reload). Messages sent while no port is attached are
 * queued (bounded) and flushed to the next one. Works with the DOM MessagePort (preload) and
 * Electron's MessagePortMain (main), through a tiny adapter.
 */
export interface PortLike {
  post(message: unknown): void;
  listen(listener: (data: unknown) => void): void;
  close(): void;
}

export interface SwappableTransport extends Transport {
  attach(port: PortLike): void;
  readonly attached: boolean;
}

/** What a request in flight on a replaced port gets: the engine that had it is gone. */
export const ENGINE_RESTARTED = { code: 'engine_restarted', message: 'The engine restarted before answering; try again.' };

export function createSwappableTransport(maxQueued = 500): SwappableTransport {
  let port: PortLike | undefined;
  const queue: RequestMessage[] = [];
  const inFlight = new Set<number>();
  const listeners = new Set<(message: unknown) => void>();
  const deliver = (message: unknown) => {
    for (const listener of listeners) listener(message);
  };
  const send = (message: RequestMessage) => {
    if (port) {
      inFlight.add(message.id);
      port.post(message);
    } else if (queue.length < maxQueued) queue.push(message);
  };
  return {
    get attached() {
      return port !== undefined;
    },
    attach(next) {
      const previous = port;
      port = next;
      // Only the current port's messages count: a late answer on a dead port is ignored.
      next.listen((data) => {
        if (port !== next) return;
        const d = data as { kind?: unknown; id?: unknown } | null;
        if (d && d.kind === 'response' && typeof d.id === 'number') inFlight.delete(d.id);
        deliver(data);
      });
      previous?.close();
      // Requests the old engine never answered fail now instead of waiting for a timeout.
      for (const id of [...inFlight]) deliver({ kind: 'response', id, ok: false, error: ENGINE_RESTARTED });
      inFlight.clear();
      for (const message of queue.splice(0)) send(message);
    },
    send,
    onMessage(listener) {
      listeners.add(listener);
    },
  };
}

/** Adapter for the DOM MessagePort the preload receives with an IPC message. */
export function domPort(port: MessagePort): PortLike {
  return {
    post: (message) => port.postMessage(message),
    listen(listener) {
      port.onmessage = (event: MessageEvent) => listener(event.data);
    },
    close: () => port.close(),
  };
}
