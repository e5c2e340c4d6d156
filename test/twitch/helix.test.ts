import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { HelixClient } from '../../electron/engine/twitch/helix';
import { resolveChannels, normalizeChannelRef } from '../../electron/engine/twitch/channels';
import { listArchiveVideos } from '../../electron/engine/twitch/videos';
import { EngineError } from '../../electron/engine/util/errors';
import { redact } from '../../electron/engine/util/redact';

let tw: TwitchStandIn;
const fastBackoff = { baseMs: 10, maxMs: 50 };

function client(extra: Partial<ConstructorParameters<typeof HelixClient>[0]> = {}) {
  return new HelixClient({ endpoints: tw.endpoints, clientId: tw.clientId, clientSecret: tw.clientSecret, backoff: fastBackoff, timeoutMs: 10_000, ...extra });
}

beforeEach(async () => {
  tw = await startTwitchStandIn({
    users: [
      { id: '11', login: 'alice', displayName: 'Alice' },
      { id: '22', login: 'bob_b' },
    ],
  });
});
afterEach(async () => {
  await tw.close();
});

describe('OAuth', () => {
  it('fetches the app token lazily, once, and again after a 401', async () => {
    const helix = client();
    expect(tw.stats.requests['POST /oauth2/token'] ?? 0).toBe(0);
    await resolveChannels(helix, ['alice']);
    await resolveChannels(helix, ['bob_b']);
    expect(tw.stats.requests['POST /oauth2/token']).toBe(1);
    tw.setFault({ kind: 'expireTokens' });
    const [bob] = await resolveChannels(helix, ['22']);
    expect(bob.login).toBe('bob_b');
    expect(tw.stats.requests['POST /oauth2/token']).toBe(2);
    expect(tw.stats.helixLog.map((l) => l.status)).toEqual([200, 200, 401, 200]);
  });

  it('refreshes a user token and hands the new pair to onTokens before using it', async () => {
    const first = tw.issueUserToken();
    const saved: Array<{ accessToken: string; refreshToken: string }> = [];
    const helix = client({ userTokens: first, onTokens: (t) => void saved.push(t) });
    await resolveChannels(helix, ['alice']);
    expect(saved).toHaveLength(0);
    tw.setFault({ kind: 'expireTokens' });
    await resolveChannels(helix, ['alice']);
    expect(saved).toHaveLength(1);
    expect(saved[0].refreshToken).not.toBe(first.refreshToken);
    // The old refresh token is void now: only the saved pair works.
    tw.setFault({ kind: 'expireTokens' });
    await resolveChannels(helix, ['alice']);
    expect(saved).toHaveLength(2);
    const stale = client({ userTokens: first });
    tw.setFault({ kind: 'expireTokens' });
    await expect(resolveChannels(stale, ['alice'])).rejects.toMatchObject({ errorClass: 'login' });
  });

  it('reports a wrong client secret as a login error that does not leak the secret', async () => {
    const helix = client({ clientSecret: 'wrong-secret-value' });
    const err = await resolveChannels(helix, ['alice']).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).errorClass).toBe('login');
    expect((err as EngineError).message).not.toContain('wrong-secret-value');
    expect(redact('client_secret=wrong-secret-value')).not.toContain('wrong-secret-value');
  });
});

describe('Helix', () => {
  it('waits for Ratelimit-Reset after a 429 and then succeeds', async () => {
    const helix = client();
    await resolveChannels(helix, ['alice']); // token + a first call
    tw.setFault({ kind: 'rateLimit', resetInSec: 1 });
    await resolveChannels(helix, ['alice']);
    const log = tw.stats.helixLog;
    const limited = log.find((l) => l.status === 429)!;
    const after = log[log.indexOf(limited) + 1];
    expect(after.status).toBe(200);
    // The retry must not come before the announced reset (whole seconds, rounded up).
    expect(after.at).toBeGreaterThanOrEqual(Math.floor(limited.at / 1000) * 1000 + 1000);
  });

  it('retries 5xx with backoff and gives up with a transient error after maxAttempts', async () => {
    const helix = client({ maxAttempts: 3 });
    tw.setFault({ kind: 'status', target: 'helix', status: 502, times: 2 });
    const [alice] = await resolveChannels(helix, ['alice']);
    expect(alice.id).toBe('11');
    tw.setFault({ kind: 'status', target: 'helix', status: 503, times: 3 });
    await expect(resolveChannels(helix, ['alice'])).rejects.toMatchObject({ errorClass: 'transient', code: 'HTTP_503' });
  });

  it('retries network errors (nothing listening) and says where', async () => {
    const helix = new HelixClient({
      endpoints: { authUrl: tw.endpoints.authUrl, helixUrl: 'http://127.0.0.1:9/helix' },
      clientId: tw.clientId,
      clientSecret: tw.clientSecret,
      maxAttempts: 2,
      backoff: fastBackoff,
    });
    const err = (await resolveChannels(helix, ['alice']).catch((e: unknown) => e)) as EngineError;
    expect(err.errorClass).toBe('transient');
    expect(err.message).toContain('127.0.0.1:9/helix/users');
  });

  it('resolves logins, ids and URLs in order and lists unknown names', async () => {
    const helix = client();
    const out = await resolveChannels(helix, ['https://www.twitch.tv/Bob_B', '11', '@alice']);
    expect(out.map((c) => c.login)).toEqual(['bob_b', 'alice', 'alice']);
    expect(out[1].displayName).toBe('Alice');
    await expect(resolveChannels(helix, ['alice', 'nobody_here'])).rejects.toThrow(/"nobody_here"/);
    expect(() => normalizeChannelRef('bad name!')).toThrow(/not a Twitch channel/);
  });

  it('lists every archive VOD through pagination (250 VODs, pages of 100)', async () => {
    for (let i = 0; i < 250; i++) tw.addVod({ id: String(1000 + i), userId: '11', durationSec: 60 + i });
    tw.addVod({ id: '5', userId: '22' });
    const videos = await listArchiveVideos(client(), '11');
    expect(videos).toHaveLength(250);
    expect(new Set(videos.map((v) => v.id)).size).toBe(250);
    expect(videos[0].id).toBe('1249'); // newest first
    expect(videos.find((v) => v.id === '1010')?.durationSec).toBe(70);
    expect(tw.stats.requests['GET /helix/videos']).toBe(3);
  });
});
