import {
  REQUEST_NAMES,
  RESPONSE_SCHEMA,
  type EventData,
  type EventName,
  type ProtocolError,
  type RequestMessage,
  type RequestName,
  type RequestParams,
  type RequestResult,
} from './protocol';

/**
 * Builds the typed engine API (one function per request, plus `on(event)`) over any transport.
 * The preload uses it over a MessagePort, browser mode over a WebSocket, tests over direct calls,
 * so the UI code is the same everywhere.
 */
export interface Transport {
  send(message: RequestMessage): void;
  onMessage(listener: (message: unknown) => void): void;
}

export class EngineRequestError extends Error implements ProtocolError {
  readonly code: string;
  readonly field?: string;
  readonly errorClass?: string;
  constructor(error: ProtocolError) {
    super(error.message);
    this.name = 'EngineRequestError';
    this.code = error.code;
    this.field = error.field;
    this.errorClass = error.errorClass;
  }
}

type Methods = { [N in RequestName]: (params?: RequestParams<N>) => Promise<RequestResult<N>> };
export type EngineApi = Methods & {
  on<E extends EventName>(event: E, listener: (data: EventData[E]) => void): () => void;
};

/** `api['vod.skip']({ vodId })` resolves with the typed result or rejects with an EngineRequestError. */
export function createApiClient(transport: Transport, options: { timeoutMs?: number } = {}): EngineApi {
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void; timer?: ReturnType<typeof setTimeout> }>();
  const listeners = new Map<string, Set<(data: unknown) => void>>();

  transport.onMessage((raw) => {
    const parsed = RESPONSE_SCHEMA.safeParse(raw);
    if (!parsed.success) return; // Not ours: ignore rather than crash the UI.
    const msg = parsed.data;
    if (msg.kind === 'event') {
      for (const listener of listeners.get(msg.event) ?? []) listener(msg.data);
      return;
    }
    const waiter = pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (waiter.timer) clearTimeout(waiter.timer);
    if (msg.ok) waiter.resolve(msg.result);
    else waiter.reject(new EngineRequestError((msg.error ?? { code: 'unknown', message: 'Unknown error' }) as ProtocolError));
  });

  const call = (method: RequestName, params: unknown) =>
    new Promise<unknown>((resolve, reject) => {
      const id = nextId++;
      const entry: { resolve(v: unknown): void; reject(e: Error): void; timer?: ReturnType<typeof setTimeout> } = { resolve, reject };
      if (options.timeoutMs) {
        entry.timer = setTimeout(() => {
          pending.delete(id);
          reject(new EngineRequestError({ code: 'timeout', message: `The engine did not answer ${method} in time.` }));
        }, options.timeoutMs);
      }
      pending.set(id, entry);
      transport.send({ kind: 'request', id, method, params: params ?? {} });
    });

  const api = {
    on(event: EventName, listener: (data: unknown) => void) {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      set.add(listener);
      return () => set.delete(listener);
    },
  } as Record<string, unknown>;
  for (const name of REQUEST_NAMES) api[name] = (params?: unknown) => call(name, params);
  return api as unknown as EngineApi;
}
