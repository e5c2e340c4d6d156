import type { EventData, EventName, EngineMessage } from '../../contract/protocol';
import type { EventBus } from '../core/events';
import { createLogger } from '../util/log';

const log = createLogger('connection');

/**
 * Binds one UI connection (MessagePort, WebSocket, in-process) to the engine: requests in,
 * responses and every event out. Returns a function that detaches it. A transport that fails to
 * send, or a dispatch that rejects, is logged: it never becomes an unhandled rejection.
 */
export function attachConnection(
  bus: EventBus,
  dispatch: (raw: unknown) => Promise<EngineMessage>,
  transport: { send(message: EngineMessage): void; onMessage(listener: (raw: unknown) => void): void },
): () => void {
  const send = (message: EngineMessage) => {
    try {
      transport.send(message);
    } catch (error) {
      log.warn(`could not send to a UI: ${(error as Error).message}`);
    }
  };
  const unsubscribe = bus.subscribe(<E extends EventName>(event: E, data: EventData[E]) => send({ kind: 'event', event, data }));
  transport.onMessage((raw) => {
    dispatch(raw).then(send, (error: unknown) => log.error('request dispatch failed', error));
  });
  return unsubscribe;
}
