import { EngineError } from './errors';
import { cancelled } from './sleep';

/**
 * Bounds a step that waits on the outside world (a file system on a NAS, a reply from Telegram):
 * rejects with a transient `<code>` error after `ms` (Infinity: no deadline), or with `cancelled` as soon as `signal`
 * aborts. Node cannot interrupt a pending fs call or an RPC already sent, so the step itself may
 * still finish later in the background; the caller stops waiting for it, which is what lets
 * Cancel return within seconds and a stalled step be retried instead of hanging the VOD.
 */
export function bounded<T>(step: Promise<T>, options: { ms: number; what: string; code: string; signal?: AbortSignal }): Promise<T> {
  const { ms, what, code, signal } = options;
  if (signal?.aborted) {
    step.catch(() => {});
    return Promise.reject(cancelled());
  }
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const stop = new Promise<never>((_, reject) => {
    if (Number.isFinite(ms)) timer = setTimeout(() => reject(new EngineError('transient', code, `${what} took longer than ${Math.round(ms / 1000)} s`)), ms);
    onAbort = () => reject(cancelled());
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  step.catch(() => {}); // a step that fails after we stopped waiting must not be an unhandled rejection
  return Promise.race([step, stop]).finally(() => {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  });
}
