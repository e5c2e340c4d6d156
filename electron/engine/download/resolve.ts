/**
 * Resolves a VOD to a media playlist: natively (GQL playback token, then usher's master playlist),
 * or with `yt-dlp -J` when the native path fails for a reason other than "no access"/"no VOD".
 *
 * Two Twitch secrets exist and never mix (FACTS.md, first independent audit): the Helix token
 * belongs to the user's own app and only Helix sees it; GQL playback tokens are asked for with the
 * web Client-ID and, for sub-only VODs, the browser's `auth-token` cookie (`playbackToken`), as
 * yt-dlp's Twitch extractor does (`_download_base_gql`: `Authorization: OAuth <auth-token>`).
 */
import { EngineError, permanent, transient } from '../util/errors';
import { createLogger } from '../util/log';
import { registerSecret } from '../util/redact';
import { TWITCH_WEB_CLIENT_ID, type TwitchEndpoints } from '../twitch/endpoints';
import { backoffDelayMs, describeUrl, fetchWithTimeout, sleep, type BackoffOptions, type FetchLike } from '../twitch/http';
import { parseMasterPlaylist, parseMediaPlaylist, type MediaPlaylist, type Variant } from './playlist';
import { pickVariant } from './quality';
import { variantsFromYtDlp, ytDlpFormats } from './ytdlp';

const log = createLogger('download');

export interface ResolveOptions {
  vodId: string;
  endpoints: Pick<TwitchEndpoints, 'gqlUrl' | 'usherUrl' | 'vodPageUrl'>;
  /** Preference list, e.g. ['best'] or ['1080p60', '720p60', '720p']. */
  quality: readonly string[];
  /**
   * The browser's `auth-token` cookie (Secrets.twitchPlaybackToken), sent to GQL only as
   * `Authorization: OAuth ...`; needed for sub-only VODs. Never the Helix user token.
   */
  playbackToken?: string;
  /** yt-dlp path for the fallback; omit to disable it. */
  ytDlpPath?: string;
  timeoutMs?: number;
  maxAttempts?: number;
  backoff?: BackoffOptions;
  signal?: AbortSignal;
  fetchImpl?: FetchLike;
  /** GQL Client-ID; Twitch's web client id by default. */
  gqlClientId?: string;
}

export interface ResolvedVod {
  via: 'native' | 'yt-dlp';
  variant: Variant;
  variants: Variant[];
  playlist: MediaPlaylist;
  mediaPlaylistUrl: string;
  warnings: string[];
}

const TOKEN_QUERY =
  'query PlaybackAccessToken_Template($login: String!, $isLive: Boolean!, $vodID: ID!, $isVod: Boolean!, $playerType: String!) {  streamPlaybackAccessToken(channelName: $login, params: {platform: "web", playerBackend: "mediaplayer", playerType: $playerType}) @include(if: $isLive) {    value    signature    __typename  }  videoPlaybackAccessToken(id: $vodID, params: {platform: "web", playerBackend: "mediaplayer", playerType: $playerType}) @include(if: $isVod) {    value    signature    __typename  }}';

export const needsLoginMessage = (vodId: string, hadToken: boolean) =>
  hadToken
    ? `VOD ${vodId} is for subscribers only and the Twitch account of the playback token has no access to it.`
    : `VOD ${vodId} is for subscribers only: this VOD needs a Twitch login, the playback token (the browser's auth-token cookie, Settings > Accounts > Twitch playback token).`;

export const playbackTokenRejectedMessage = (vodId: string) =>
  `VOD ${vodId} is for subscribers only, and Twitch rejected the playback token (GQL 401: expired, logged out, or not the browser's auth-token). Copy a fresh auth-token cookie into Settings > Accounts > Twitch playback token.`;

/** Usher's error codes for "this account may not watch it" (yt-dlp's `_extract_twitch_m3u8_formats`). */
const RESTRICTED = /vod_manifest_restricted|unauthorized_entitlements/;

/** Retries transient failures of one request with jittered backoff. */
async function withRetries<T>(fn: () => Promise<T>, opts: ResolveOptions): Promise<T> {
  const max = opts.maxAttempts ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!(err instanceof EngineError) || err.errorClass !== 'transient' || attempt + 1 >= max) throw err;
      await sleep(backoffDelayMs(attempt, opts.backoff ?? { baseMs: 300, maxMs: 5000 }), opts.signal);
    }
  }
}

async function getText(url: string, opts: ResolveOptions, headers: Record<string, string> = {}): Promise<{ status: number; text: string }> {
  const res = await fetchWithTimeout(url, { headers }, { timeoutMs: opts.timeoutMs ?? 15_000, signal: opts.signal, fetchImpl: opts.fetchImpl });
  const text = await res.text();
  if (res.status >= 500 || res.status === 429) throw transient(`HTTP_${res.status}`, `${describeUrl(url)} answered ${res.status}.`);
  return { status: res.status, text };
}

/** GQL answered 401 to the playback token: the VOD may still be public, so go on without it. */
class TokenRejected extends Error {}

async function askGql(opts: ResolveOptions, token: string | undefined): Promise<{ value: string; signature: string }> {
  const url = opts.endpoints.gqlUrl;
  const headers: Record<string, string> = { 'Client-ID': opts.gqlClientId ?? TWITCH_WEB_CLIENT_ID, 'Content-Type': 'text/plain;charset=UTF-8' };
  if (token) headers.Authorization = `OAuth ${token}`;
  const body = JSON.stringify({
    operationName: 'PlaybackAccessToken_Template',
    query: TOKEN_QUERY,
    variables: { isLive: false, login: '', isVod: true, vodID: opts.vodId, playerType: 'site' },
  });
  const res = await fetchWithTimeout(url, { method: 'POST', headers, body }, { timeoutMs: opts.timeoutMs ?? 15_000, signal: opts.signal, fetchImpl: opts.fetchImpl });
  const text = await res.text();
  if (res.status >= 500 || res.status === 429) throw transient(`HTTP_${res.status}`, `Twitch GQL answered ${res.status}.`);
  if (res.status === 401 && token) throw new TokenRejected();
  let parsed: { data?: { videoPlaybackAccessToken?: { value?: string; signature?: string } | null } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw transient('gql_bad_json', `Twitch GQL answered ${res.status} with something that is not JSON.`);
  }
  const answer = parsed.data?.videoPlaybackAccessToken;
  if (!res.ok || !answer?.value || !answer.signature) throw transient('gql_no_token', `Twitch GQL gave no playback token for VOD ${opts.vodId} (HTTP ${res.status}).`);
  registerSecret(answer.signature);
  return { value: answer.value, signature: answer.signature };
}

/**
 * A playback access token. A playback token GQL rejects does not stop the VOD here: the access
 * token is asked for again without it (public VODs need none), and `tokenRejected` lets a later
 * "restricted" answer say why a sub-only VOD failed.
 */
async function playbackAccess(opts: ResolveOptions): Promise<{ value: string; signature: string; tokenRejected: boolean }> {
  try {
    return { ...(await withRetries(() => askGql(opts, opts.playbackToken), opts)), tokenRejected: false };
  } catch (err) {
    if (!(err instanceof TokenRejected)) throw err;
    log.warn(`Twitch rejected the playback token (GQL 401) for VOD ${opts.vodId}; asking without it`);
    return { ...(await withRetries(() => askGql(opts, undefined), opts)), tokenRejected: true };
  }
}

function usherError(status: number, text: string, opts: ResolveOptions, tokenRejected = false): EngineError {
  if (status === 403 && RESTRICTED.test(text)) {
    if (tokenRejected) return permanent('playback_token_rejected', playbackTokenRejectedMessage(opts.vodId));
    return permanent('vod_manifest_restricted', needsLoginMessage(opts.vodId, Boolean(opts.playbackToken)));
  }
  if (status === 404 || /vod_manifest_not_found/.test(text)) return permanent('vod_not_found', `Twitch has no playlist for VOD ${opts.vodId} (deleted?).`);
  return transient(`HTTP_${status}`, `Twitch usher answered ${status} for VOD ${opts.vodId}.`);
}

async function resolveNative(opts: ResolveOptions): Promise<{ variants: Variant[] }> {
  const token = await playbackAccess(opts);
  const url = new URL(`${opts.endpoints.usherUrl}/vod/${encodeURIComponent(opts.vodId)}.m3u8`);
  // Usher lists HEVC/AV1 (fMP4) renditions only when asked (yt-dlp asks `av1,h265,h264`, yt-dlp
  // #14994); the access token carries the viewer, so usher gets no Authorization header (as in yt-dlp).
  const q = {
    sig: token.signature,
    token: token.value,
    allow_source: 'true',
    allow_audio_only: 'true',
    playlist_include_framerate: 'true',
    player: 'twitchweb',
    platform: 'web',
    supported_codecs: 'av1,h265,h264',
    p: String(Math.floor(Math.random() * 1e7)),
  };
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  const res = await withRetries(() => getText(url.toString(), opts), opts);
  if (res.status !== 200) throw usherError(res.status, res.text, opts, token.tokenRejected);
  try {
    return { variants: parseMasterPlaylist(res.text, url.toString()) };
  } catch (err) {
    throw transient('bad_master_playlist', `Twitch's master playlist for VOD ${opts.vodId} is unreadable: ${(err as Error).message}`);
  }
}

async function resolveWithYtDlp(opts: ResolveOptions, ytDlpPath: string): Promise<{ variants: Variant[] }> {
  const headers = opts.playbackToken ? { Authorization: `OAuth ${opts.playbackToken}` } : undefined;
  const formats = await ytDlpFormats(ytDlpPath, `${opts.endpoints.vodPageUrl}/${opts.vodId}`, {
    headers,
    signal: opts.signal,
    timeoutMs: opts.timeoutMs ? opts.timeoutMs * 4 : 60_000,
  });
  const variants = variantsFromYtDlp(formats);
  if (variants.length === 0) throw transient('ytdlp_no_formats', `yt-dlp found no HLS formats for VOD ${opts.vodId}.`);
  return { variants };
}

/** Errors for which trying yt-dlp would not help (same wall) or must not be tried (user stop). */
function final(err: unknown): boolean {
  return (
    err instanceof EngineError &&
    (err.errorClass === 'cancelled' || err.errorClass === 'login' || ['vod_manifest_restricted', 'playback_token_rejected', 'vod_not_found'].includes(err.code))
  );
}

/**
 * yt-dlp's verdict after the native path failed for a passing reason. yt-dlp reads the VOD through
 * the same GQL, and says "Video N does not exist" whenever GQL's answer lacks the video (yt-dlp
 * `TwitchVodIE._download_info`), so its "not found" proves nothing while GQL is failing: the
 * failure stays transient and the VOD is tried again later.
 */
export function fallbackError(vodId: string, native: unknown, ytDlp: unknown): unknown {
  const nativeTransient = native instanceof EngineError && native.errorClass === 'transient';
  if (nativeTransient && ytDlp instanceof EngineError && ytDlp.errorClass === 'permanent' && ytDlp.code === 'vod_not_found') {
    return transient('twitch_unavailable', `Twitch did not answer for VOD ${vodId} (${native.message}); yt-dlp, which asks the same service, said: ${ytDlp.message}`, {
      cause: ytDlp,
    });
  }
  return ytDlp;
}

export async function resolveVodPlaylist(opts: ResolveOptions): Promise<ResolvedVod> {
  if (opts.playbackToken) registerSecret(opts.playbackToken);
  let via: ResolvedVod['via'] = 'native';
  let variants: Variant[];
  try {
    ({ variants } = await resolveNative(opts));
  } catch (err) {
    if (final(err) || !opts.ytDlpPath) throw err;
    log.warn(`Native playlist resolution failed for VOD ${opts.vodId}; trying yt-dlp`, err);
    via = 'yt-dlp';
    try {
      ({ variants } = await resolveWithYtDlp(opts, opts.ytDlpPath));
    } catch (ytErr) {
      throw fallbackError(opts.vodId, err, ytErr);
    }
  }
  const choice = pickVariant(variants, opts.quality);
  const warnings = choice.warning ? [choice.warning] : [];
  if (choice.warning) log.warn(`VOD ${opts.vodId}: ${choice.warning}`);
  const media = await withRetries(() => getText(choice.variant.url, opts), opts);
  if (media.status !== 200) throw usherError(media.status, media.text, opts);
  let playlist: MediaPlaylist;
  try {
    playlist = parseMediaPlaylist(media.text, choice.variant.url);
  } catch (err) {
    throw transient('bad_media_playlist', `The media playlist of VOD ${opts.vodId} is unreadable: ${(err as Error).message}`);
  }
  if (playlist.segments.length === 0) throw transient('empty_media_playlist', `The media playlist of VOD ${opts.vodId} lists no segments yet.`);
  return { via, variant: choice.variant, variants, playlist, mediaPlaylistUrl: choice.variant.url, warnings };
}
