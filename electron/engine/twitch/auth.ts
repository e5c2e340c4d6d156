/**
 * Twitch OAuth tokens for Helix. App tokens (client_credentials) are fetched lazily and fetched
 * again when Helix says 401: they cannot be refreshed. A user token, when configured, is used
 * instead and refreshed with its refresh token; every new pair goes to `onTokens`, which the host
 * persists atomically (Twitch invalidates the old refresh token at once).
 */
import { EngineError, transient } from '../util/errors';
import { registerSecret } from '../util/redact';
import type { TwitchEndpoints } from './endpoints';
import { describeUrl, fetchWithTimeout, readJson, type FetchLike } from './http';

export interface UserTokens {
  accessToken: string;
  refreshToken: string;
}

export interface TokenProviderOptions {
  endpoints: Pick<TwitchEndpoints, 'authUrl'>;
  clientId: string;
  clientSecret: string;
  userTokens?: UserTokens;
  onTokens?: (tokens: UserTokens) => void | Promise<void>;
  timeoutMs?: number;
  fetchImpl?: FetchLike;
}

export class TokenProvider {
  private current: string | undefined;
  private user: UserTokens | undefined;
  private inflight: Promise<string> | undefined;

  constructor(private readonly opts: TokenProviderOptions) {
    if (!opts.clientId) throw new EngineError('login', 'twitch_client_missing', 'The Twitch client id is not set (Settings > Twitch).');
    registerSecret(opts.clientSecret);
    this.user = opts.userTokens;
    if (this.user) {
      registerSecret(this.user.accessToken);
      registerSecret(this.user.refreshToken);
      this.current = this.user.accessToken;
    }
  }

  get kind(): 'user' | 'app' {
    return this.user ? 'user' : 'app';
  }

  /** The token to send now; fetched on first use. */
  async token(signal?: AbortSignal): Promise<string> {
    if (this.current) return this.current;
    return this.renew(undefined, signal);
  }

  /**
   * Called after a 401 with the token that was rejected. Concurrent callers share one renewal, and
   * a caller whose token was already replaced just gets the new one.
   */
  async renew(rejected: string | undefined, signal?: AbortSignal): Promise<string> {
    if (this.current && rejected !== undefined && this.current !== rejected) return this.current;
    this.inflight ??= (this.user ? this.refreshUser(signal) : this.fetchApp(signal)).finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async post(params: Record<string, string>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const url = `${this.opts.endpoints.authUrl}/token`;
    const res = await fetchWithTimeout(
      url,
      { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(params).toString() },
      { timeoutMs: this.opts.timeoutMs ?? 15_000, signal, fetchImpl: this.opts.fetchImpl },
    );
    const body = await readJson<Record<string, unknown>>(res, url);
    if (res.status >= 500 || res.status === 429) throw transient(`HTTP_${res.status}`, `Twitch OAuth (${describeUrl(url)}) answered ${res.status}.`);
    if (!res.ok) {
      const what = params.grant_type === 'refresh_token' ? 'the saved Twitch login (refresh token)' : 'the Twitch client id/secret';
      throw new EngineError('login', 'twitch_auth_rejected', `Twitch rejected ${what}: ${String(body.message ?? res.status)}. Check Settings > Twitch.`);
    }
    if (typeof body.access_token !== 'string' || !body.access_token) {
      throw transient('twitch_auth_bad_answer', `Twitch OAuth (${describeUrl(url)}) answered without an access_token.`);
    }
    registerSecret(body.access_token);
    return body;
  }

  private async fetchApp(signal?: AbortSignal): Promise<string> {
    const body = await this.post({ client_id: this.opts.clientId, client_secret: this.opts.clientSecret, grant_type: 'client_credentials' }, signal);
    this.current = body.access_token as string;
    return this.current;
  }

  private async refreshUser(signal?: AbortSignal): Promise<string> {
    const body = await this.post(
      { client_id: this.opts.clientId, client_secret: this.opts.clientSecret, grant_type: 'refresh_token', refresh_token: this.user!.refreshToken },
      signal,
    );
    const next: UserTokens = {
      accessToken: body.access_token as string,
      refreshToken: typeof body.refresh_token === 'string' && body.refresh_token ? body.refresh_token : this.user!.refreshToken,
    };
    registerSecret(next.refreshToken);
    // Persist before using: if the host cannot store it, the old refresh token is already void.
    await this.opts.onTokens?.(next);
    this.user = next;
    this.current = next.accessToken;
    return this.current;
  }
}
