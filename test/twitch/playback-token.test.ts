/**
 * Sub-only VODs and the two Twitch secrets, and GQL outages through the yt-dlp fallback, on the
 * real resolver against the Twitch stand-in (which binds each token to the client id that issued it).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resolveVodPlaylist, type ResolveOptions } from '../../electron/engine/download/resolve';
import { ytDlpError } from '../../electron/engine/download/ytdlp';
import { HelixClient } from '../../electron/engine/twitch/helix';
import { EngineError } from '../../electron/engine/util/errors';
import { hlsCacheDir, makeHlsVod, type HlsVod, type HlsVodParams } from '../fakes/hls';
import { startTwitchStandIn, type StandInVod, type TwitchStandIn } from '../fakes/twitch/server';

const PARAMS: HlsVodParams = { durationSec: 4, segmentSec: 2, width: 160, height: 90, videoKbps: 200 };
let hls: HlsVod;
let tw: TwitchStandIn;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('playback-token', PARAMS), PARAMS);
});
beforeEach(async () => {
  tw = await startTwitchStandIn({ users: [{ id: '1', login: 'alice' }] });
});
afterEach(async () => {
  await tw.close();
});
afterAll(() => {});

const addVod = (extra: Partial<StandInVod> = {}) => tw.addVod({ id: '100', userId: '1', hls, ...extra });
const resolve = (extra: Partial<ResolveOptions> = {}) =>
  resolveVodPlaylist({ vodId: '100', endpoints: tw.endpoints, quality: ['best'], backoff: { baseMs: 1, maxMs: 5 }, ...extra });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as EngineError,
  );

describe('playback token (browser auth-token) for sub-only VODs', () => {
  it('a sub-only VOD resolves with the playback token', async () => {
    addVod({ subOnly: true });
    const resolved = await resolve({ playbackToken: tw.issuePlaybackToken() });
    expect(resolved.playlist.segments).toHaveLength(hls.segments.length);
  });

  it("the Helix user token (the user's own app) is refused by GQL: the sub-only VOD fails with the reason", async () => {
    addVod({ subOnly: true });
    const helixToken = tw.issueUserToken().accessToken;
    const err = await failure(resolve({ playbackToken: helixToken }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ errorClass: 'permanent', code: 'playback_token_rejected' });
    expect(err!.message).toMatch(/Twitch rejected the playback token/);
    expect(err!.message).not.toContain(helixToken);
  });

  it('a rejected playback token does not stop a public VOD', async () => {
    addVod();
    const token = tw.issuePlaybackToken();
    tw.revokeToken(token);
    const resolved = await resolve({ playbackToken: token });
    expect(resolved.via).toBe('native');
    expect(resolved.playlist.segments).toHaveLength(hls.segments.length);
  });

  it('a revoked playback token fails only the sub-only VOD, permanently, saying what to do', async () => {
    addVod({ subOnly: true });
    const token = tw.issuePlaybackToken();
    tw.revokeToken(token);
    const err = await failure(resolve({ playbackToken: token, ytDlpPath: '/usr/bin/yt-dlp' }));
    expect(err).toMatchObject({ errorClass: 'permanent', code: 'playback_token_rejected' });
    expect(err!.message).toMatch(/auth-token/);
    // A known verdict: yt-dlp (same wall) is not asked.
    expect(tw.stats.requests['GET /videos/ID'] ?? 0).toBe(0);
  });

  it('the stand-in refuses the playback token on Helix under the user app client id', async () => {
    const helix = new HelixClient({
      endpoints: tw.endpoints,
      clientId: tw.clientId,
      clientSecret: tw.clientSecret,
      userTokens: { accessToken: tw.issuePlaybackToken(), refreshToken: 'none' },
    });
    const err = await failure(helix.get('/users', { login: 'alice' }));
    // 401 "Client ID and OAuth token do not match", then the refresh fails: a login error.
    expect(err).toBeInstanceOf(EngineError);
    expect(err!.errorClass).toBe('login');
  });
});

describe('GQL outages are transient, through the yt-dlp fallback too', () => {
  it('GQL 5xx plus a yt-dlp "not found" is transient (tried again), not a permanent failure', async () => {
    addVod();
    tw.setFault({ kind: 'status', target: 'gql', status: 503, times: 100 });
    tw.setFault({ kind: 'status', target: 'vodpage', status: 404, times: 100 });
    const err = await failure(resolve({ ytDlpPath: '/usr/bin/yt-dlp' }));
    expect(tw.stats.requests['GET /videos/ID']).toBeGreaterThan(0);
    expect(err).toBeInstanceOf(EngineError);
    expect(err!.errorClass).toBe('transient');
    expect(err!.message).toMatch(/GQL answered 503/);
  });

  it('GQL unreachable (network error) plus a yt-dlp "not found" is transient', async () => {
    addVod();
    const err = await failure(resolve({ endpoints: { ...tw.endpoints, gqlUrl: 'http://127.0.0.1:9/gql', vodPageUrl: `${tw.origin}/missing` }, ytDlpPath: '/usr/bin/yt-dlp' }));
    expect(err).toBeInstanceOf(EngineError);
    expect(err!.errorClass).toBe('transient');
  });

  it('usher saying the VOD is gone stays permanent (a definite answer)', async () => {
    const err = await failure(resolve({ ytDlpPath: '/usr/bin/yt-dlp' }));
    expect(err).toMatchObject({ errorClass: 'permanent', code: 'vod_not_found' });
  });

  it("yt-dlp's network and 5xx errors are transient; 'does not exist' and 403 are permanent", () => {
    const cases: Array<[string, string]> = [
      ['ERROR: [twitch:vod] 100: Unable to download JSON metadata: HTTP Error 502: Bad Gateway', 'transient'],
      ['ERROR: [twitch:vod] 100: Unable to download JSON metadata: <urlopen error [Errno -3] Temporary failure in name resolution>', 'transient'],
      ['ERROR: [twitch:vod] 100: Unable to download webpage: The read operation timed out', 'transient'],
      ['ERROR: [twitch:vod] 100: Video 100 does not exist', 'permanent'],
      ['ERROR: [generic] Unable to download webpage: HTTP Error 404: Not Found', 'permanent'],
      ['ERROR: [twitch:vod] 100: You must be logged into an account that has access to this subscriber-only content', 'permanent'],
    ];
    for (const [stderr, cls] of cases) expect([stderr, ytDlpError(`WARNING: x\n${stderr}\n`, 'read the VOD').errorClass]).toEqual([stderr, cls]);
  });
});
