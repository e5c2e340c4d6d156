import type { IpcRenderer } from 'electron';
import { APP_CHANNEL, APP_EVENT_CHANNEL, AppEvent, ENGINE_PORT_CHANNEL, appRequests, type AppMethod, type AppReply, type WindowApi } from '../contract/app';
import { createApiClient } from '../contract/client';
import { REQUEST_NAMES } from '../contract/protocol';
import { createSwappableTransport, domPort } from './port-transport';

/**
 * Builds the object exposed as `window.api`: one function per engine request (over the MessagePort
 * main hands us, replaced after every engine restart), `on(event, cb)`, and `app.*` for the shell's
 * own actions. Only plain functions and data: contextBridge copies it into the page's world.
 */
type IpcLike = Pick<IpcRenderer, 'on' | 'removeListener' | 'invoke'>;

/** Requests left unanswered when the engine dies are failed after this long (none takes longer). */
const REQUEST_TIMEOUT_MS = 10 * 60_000;

export function buildWindowApi(ipc: IpcLike): WindowApi {
  const transport = createSwappableTransport();
  ipc.on(ENGINE_PORT_CHANNEL, (event) => {
    const port = event.ports?.[0];
    if (port) transport.attach(domPort(port));
  });
  const engine = createApiClient(transport, { timeoutMs: REQUEST_TIMEOUT_MS });

  const api: Record<string, unknown> = {};
  for (const name of REQUEST_NAMES) api[name] = (params?: unknown) => (engine[name] as (p?: unknown) => Promise<unknown>)(params);
  api.on = (event: string, listener: (data: unknown) => void) => engine.on(event as never, listener as never);

  const app: Record<string, unknown> = {};
  for (const method of Object.keys(appRequests) as AppMethod[]) {
    app[method] = async (params?: unknown) => {
      const reply = (await ipc.invoke(APP_CHANNEL, { method, params: params ?? {} })) as AppReply;
      if (!reply || typeof reply !== 'object' || !('ok' in reply)) throw new Error(`app.${method}: no answer from the app.`);
      if (!reply.ok) throw new Error(reply.error);
      return reply.result;
    };
  }
  app.onEvent = (listener: (event: AppEvent) => void) => {
    const handler = (_event: unknown, data: unknown) => {
      const parsed = AppEvent.safeParse(data);
      if (parsed.success) listener(parsed.data);
    };
    ipc.on(APP_EVENT_CHANNEL, handler);
    return () => void ipc.removeListener(APP_EVENT_CHANNEL, handler);
  };
  api.app = app;
  return api as unknown as WindowApi;
}
