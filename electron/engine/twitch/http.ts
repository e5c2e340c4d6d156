/**
 * Small HTTP helpers shared by the Twitch and download code: a fetch with a timeout that also
 * follows the caller's AbortSignal, and jittered exponential backoff.
 */
import { transient } from '../util/errors';
import { cancelled } from '../util/sleep';

export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
}

/** Equal-jitter exponential backoff: half fixed, half random, so retries of many clients spread out. */
export function backoffDelayMs(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const base = options.baseMs ?? 500;
  const max = options.maxMs ?? 30_000;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export { cancelled, sleep } from '../util/sleep';

/** The origin and path of a URL, without its query (which may hold tokens): safe for messages. */
export function describeUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return '(invalid URL)';
  }
}

export type FetchLike = typeof fetch;

/**
 * `fetch` that gives up after `timeoutMs` (a transient error) and stops at once when `signal`
 * aborts (a cancelled error). Network failures become transient errors naming the host and path.
 */
export async function fetchWithTimeout(
  url: string,
  init: RequestInit,
  { timeoutMs, signal, fetchImpl = fetch }: { timeoutMs: number; signal?: AbortSignal; fetchImpl?: FetchLike },
): Promise<Response> {
  if (signal?.aborted) throw cancelled();
  const timeout = AbortSignal.timeout(timeoutMs);
  const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
  try {
    return await fetchImpl(url, { ...init, signal: combined });
  } catch (err) {
    if (signal?.aborted) throw cancelled();
    if (timeout.aborted) throw transient('TIMEOUT', `No answer from ${describeUrl(url)} within ${timeoutMs} ms.`, { cause: err });
    const code = (err as { cause?: { code?: string } }).cause?.code ?? 'NETWORK';
    throw transient(code, `Network error talking to ${describeUrl(url)}: ${(err as Error).message}${code !== 'NETWORK' ? ` (${code})` : ''}.`, { cause: err });
  }
}

/** Reads a body as JSON, with an error that says where the bad body came from. */
export async function readJson<T>(res: Response, url: string): Promise<T> {
  const text = await res.text();
  try {
    return JSON.parse(text) as T;
  } catch {
    throw transient('BAD_JSON', `${describeUrl(url)} answered ${res.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 120))}`);
  }
}
