import type { EventData, EventName } from '../../contract/protocol';

/** The engine's outbound events: every connected UI gets every event, in order. */
export type EventListener = <E extends EventName>(event: E, data: EventData[E]) => void;

export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(event: E, data: EventData[E]): void {
    for (const listener of this.listeners) {
      try {
        listener(event, data);
      } catch {
        // A broken connection must not stop the engine or the other listeners.
      }
    }
  }
}
