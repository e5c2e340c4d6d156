import type { IpcMain, IpcMainInvokeEvent, WebFrameMain } from 'electron';
import { APP_CHANNEL, AppCall, appRequests, appResults, type AppMethod, type AppParams, type AppReply, type AppResult } from '../contract/app';
import { createLogger } from '../engine/util/log';
import { isAppUrl } from './security';

const log = createLogger('main.ipc');

export type AppHandlers = { [M in AppMethod]: (params: AppParams<M>) => Promise<AppResult<M>> | AppResult<M> };

/** Only our window's top frame, showing our renderer, may call the shell. */
export function isTrustedSender(frame: Pick<WebFrameMain, 'url' | 'parent'> | null | undefined, trustedFrames: () => ReadonlyArray<unknown>, devServer?: string): boolean {
  if (!frame) return false;
  if (frame.parent !== null) return false;
  if (!trustedFrames().includes(frame)) return false;
  return isAppUrl(frame.url, devServer);
}

function describeZodError(error: { issues: ReadonlyArray<{ path: PropertyKey[]; message: string }> }): string {
  return error.issues.map((i) => `${i.path.length ? i.path.map(String).join('.') : '(params)'}: ${i.message}`).join('; ');
}

/** Validates one call and runs its handler; every failure comes back as a readable message. */
export async function dispatchAppCall(raw: unknown, handlers: AppHandlers): Promise<AppReply> {
  const call = AppCall.safeParse(raw);
  if (!call.success) return { ok: false, error: `Invalid app call: ${describeZodError(call.error)}` };
  const method = call.data.method;
  if (!Object.hasOwn(appRequests, method)) return { ok: false, error: `Unknown app method "${method}".` };
  const m = method as AppMethod;
  const params = appRequests[m].safeParse(call.data.params ?? {});
  if (!params.success) return { ok: false, error: `Invalid parameters for app.${m}: ${describeZodError(params.error)}` };
  try {
    const handler = handlers[m] as (p: unknown) => Promise<unknown> | unknown;
    const result = appResults[m].parse(await handler(params.data));
    return { ok: true, result };
  } catch (err) {
    log.warn(`app.${m} failed`, err);
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}

export function registerAppIpc(ipcMain: IpcMain, handlers: AppHandlers, trusted: (event: IpcMainInvokeEvent) => boolean): () => void {
  ipcMain.handle(APP_CHANNEL, async (event, raw: unknown) => {
    if (!trusted(event)) {
      // Dropped: nothing runs, and the caller learns nothing about the app.
      log.warn('Dropped an app call from an unexpected sender', { url: event.senderFrame?.url?.slice(0, 100) });
      return { ok: false, error: 'Rejected.' } satisfies AppReply;
    }
    return dispatchAppCall(raw, handlers);
  });
  return () => ipcMain.removeHandler(APP_CHANNEL);
}
