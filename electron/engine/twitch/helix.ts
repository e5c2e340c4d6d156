/**
 * Helix GET requests with the behaviour Twitch expects from a good client: token renewal on 401,
 * waiting for `Ratelimit-Reset` when the bucket is empty or on 429, timeouts, and jittered
 * backoff on 5xx and network errors.
 */
import { createLogger } from '../util/log';
import { EngineError, transient } from '../util/errors';
import type { TwitchEndpoints } from './endpoints';
import { TokenProvider, type TokenProviderOptions } from './auth';
import { backoffDelayMs, describeUrl, fetchWithTimeout, readJson, sleep, type BackoffOptions, type FetchLike } from './http';

const log = createLogger('twitch');

export interface HelixClientOptions extends Omit<TokenProviderOptions, 'endpoints'> {
  endpoints: Pick<TwitchEndpoints, 'authUrl' | 'helixUrl'>;
  timeoutMs?: number;
  /** Attempts per request for 5xx/network errors (429 waits do not count). */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** Longest wait for a rate-limit reset before giving up with a transient error. */
  maxRateLimitWaitSec?: number;
  fetchImpl?: FetchLike;
  now?: () => number;
}

export type QueryValue = string | number | Array<string | number> | undefined;

export class HelixClient {
  readonly tokens: TokenProvider;
  private remaining: number | undefined;
  private resetAtMs = 0;

  constructor(private readonly opts: HelixClientOptions) {
    this.tokens = new TokenProvider({ ...opts, endpoints: opts.endpoints });
  }

  private now() {
    return this.opts.now?.() ?? Date.now();
  }

  private noteRateLimit(res: Response) {
    const remaining = res.headers.get('ratelimit-remaining');
    const reset = res.headers.get('ratelimit-reset');
    if (remaining !== null && Number.isFinite(Number(remaining))) this.remaining = Number(remaining);
    if (reset !== null && Number.isFinite(Number(reset))) this.resetAtMs = Number(reset) * 1000;
  }

  private async waitForBucket(signal?: AbortSignal) {
    if (this.remaining !== 0) return;
    const waitMs = this.resetAtMs - this.now();
    if (waitMs <= 0) return;
    const maxSec = this.opts.maxRateLimitWaitSec ?? 120;
    if (waitMs > maxSec * 1000) {
      throw transient('RATE_LIMITED', `Twitch rate limit reached; it resets in ${Math.ceil(waitMs / 1000)} s.`, { retryAfterSec: Math.ceil(waitMs / 1000) });
    }
    log.info(`Helix rate limit reached, waiting ${Math.ceil(waitMs / 100) / 10} s for the reset`);
    await sleep(waitMs + 50, signal);
    this.remaining = undefined;
  }

  async get<T>(path: string, query: Record<string, QueryValue> = {}, signal?: AbortSignal): Promise<T> {
    const url = new URL(`${this.opts.endpoints.helixUrl}${path}`);
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      for (const v of Array.isArray(value) ? value : [value]) url.searchParams.append(key, String(v));
    }
    const maxAttempts = this.opts.maxAttempts ?? 5;
    let failures = 0;
    let renewed = false;
    let rateWaits = 0;
    for (;;) {
      await this.waitForBucket(signal);
      const token = await this.tokens.token(signal);
      let res: Response;
      try {
        res = await fetchWithTimeout(
          url.toString(),
          { headers: { 'Client-Id': this.opts.clientId, Authorization: `Bearer ${token}` } },
          { timeoutMs: this.opts.timeoutMs ?? 15_000, signal, fetchImpl: this.opts.fetchImpl },
        );
      } catch (err) {
        if (!(err instanceof EngineError) || err.errorClass !== 'transient' || ++failures >= maxAttempts) throw err;
        await sleep(backoffDelayMs(failures - 1, this.opts.backoff), signal);
        continue;
      }
      this.noteRateLimit(res);
      if (res.status === 401) {
        await res.body?.cancel();
        if (renewed) {
          throw new EngineError(
            'login',
            'twitch_unauthorized',
            `Twitch refused the ${this.tokens.kind} token even after renewing it (${describeUrl(url.toString())}). Check the client id and secret.`,
          );
        }
        renewed = true;
        log.info(`Helix answered 401; getting a new ${this.tokens.kind} token`);
        await this.tokens.renew(token, signal);
        continue;
      }
      if (res.status === 429) {
        await res.body?.cancel();
        if (++rateWaits > 5) throw transient('RATE_LIMITED', 'Twitch kept answering 429 (rate limited).');
        this.remaining = 0;
        if (this.resetAtMs <= this.now()) await sleep(backoffDelayMs(rateWaits, this.opts.backoff), signal);
        continue;
      }
      if (res.status >= 500) {
        await res.body?.cancel();
        if (++failures >= maxAttempts) throw transient(`HTTP_${res.status}`, `Twitch Helix ${describeUrl(url.toString())} answered ${res.status} ${maxAttempts} times.`);
        await sleep(backoffDelayMs(failures - 1, this.opts.backoff), signal);
        continue;
      }
      const body = await readJson<T & { message?: string }>(res, url.toString());
      if (!res.ok) {
        throw new EngineError('permanent', `HTTP_${res.status}`, `Twitch Helix ${describeUrl(url.toString())} answered ${res.status}: ${body.message ?? ''}`);
      }
      return body;
    }
  }
}
