import type { EventData, EventName, EngineMessage } from '../../contract/protocol';
import type { EventBus } from '../core/events';

/**
 * Binds one UI connection (MessagePort, WebSocket, in-process) to the engine: requests in,
 * responses and every event out. Returns a function that detaches it.
 */
export function attachConnection(
  bus: EventBus,
  dispatch: (raw: unknown) => Promise<EngineMessage>,
  transport: { send(message: EngineMessage): void; onMessage(listener: (raw: unknown) => void): void },
): () => void {
  const unsubscribe = bus.subscribe(<E extends EventName>(event: E, data: EventData[E]) => transport.send({ kind: 'event', event, data }));
  transport.onMessage((raw) => {
    void dispatch(raw).then((response) => transport.send(response));
  });
  return unsubscribe;
}
