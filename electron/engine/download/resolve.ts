/**
 * Resolves a VOD to a media playlist: natively (GQL playback token, then usher's master playlist),
 * or with `yt-dlp -J` when the native path fails for a reason other than "no access"/"no VOD".
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
  /** The viewer's `auth-token` (sub-only VODs), sent as `Authorization: OAuth ...`. */
  userOAuthToken?: string;
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
    ? `VOD ${vodId} is for subscribers only and the configured Twitch login has no access to it.`
    : `VOD ${vodId} is for subscribers only: this VOD needs a Twitch login (Settings > Twitch > account token).`;

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

async function playbackToken(opts: ResolveOptions): Promise<{ value: string; signature: string }> {
  const url = opts.endpoints.gqlUrl;
  const headers: Record<string, string> = { 'Client-ID': opts.gqlClientId ?? TWITCH_WEB_CLIENT_ID, 'Content-Type': 'text/plain;charset=UTF-8' };
  if (opts.userOAuthToken) headers.Authorization = `OAuth ${opts.userOAuthToken}`;
  const body = JSON.stringify({
    operationName: 'PlaybackAccessToken_Template',
    query: TOKEN_QUERY,
    variables: { isLive: false, login: '', isVod: true, vodID: opts.vodId, playerType: 'site' },
  });
  const res = await fetchWithTimeout(url, { method: 'POST', headers, body }, { timeoutMs: opts.timeoutMs ?? 15_000, signal: opts.signal, fetchImpl: opts.fetchImpl });
  const text = await res.text();
  if (res.status >= 500 || res.status === 429) throw transient(`HTTP_${res.status}`, `Twitch GQL answered ${res.status}.`);
  if (res.status === 401) throw new EngineError('login', 'twitch_oauth_invalid', 'Twitch rejected the configured account token (GQL 401). Log in to Twitch again.');
  let parsed: { data?: { videoPlaybackAccessToken?: { value?: string; signature?: string } | null } };
  try {
    parsed = JSON.parse(text) as typeof parsed;
  } catch {
    throw transient('gql_bad_json', `Twitch GQL answered ${res.status} with something that is not JSON.`);
  }
  const token = parsed.data?.videoPlaybackAccessToken;
  if (!res.ok || !token?.value || !token.signature) throw transient('gql_no_token', `Twitch GQL gave no playback token for VOD ${opts.vodId} (HTTP ${res.status}).`);
  registerSecret(token.signature);
  return { value: token.value, signature: token.signature };
}

function usherError(status: number, text: string, opts: ResolveOptions): EngineError {
  if (status === 403 && /vod_manifest_restricted/.test(text)) {
    return permanent('vod_manifest_restricted', needsLoginMessage(opts.vodId, Boolean(opts.userOAuthToken)));
  }
  if (status === 404 || /vod_manifest_not_found/.test(text)) return permanent('vod_not_found', `Twitch has no playlist for VOD ${opts.vodId} (deleted?).`);
  return transient(`HTTP_${status}`, `Twitch usher answered ${status} for VOD ${opts.vodId}.`);
}

async function resolveNative(opts: ResolveOptions): Promise<{ variants: Variant[] }> {
  const token = await withRetries(() => playbackToken(opts), opts);
  const url = new URL(`${opts.endpoints.usherUrl}/vod/${encodeURIComponent(opts.vodId)}.m3u8`);
  const q = { sig: token.signature, token: token.value, allow_source: 'true', allow_audio_only: 'true', playlist_include_framerate: 'true', player: 'twitchweb', supported_codecs: 'avc1', p: String(Math.floor(Math.random() * 1e7)) };
  for (const [k, v] of Object.entries(q)) url.searchParams.set(k, v);
  const headers: Record<string, string> = opts.userOAuthToken ? { Authorization: `OAuth ${opts.userOAuthToken}` } : {};
  const res = await withRetries(() => getText(url.toString(), opts, headers), opts);
  if (res.status !== 200) throw usherError(res.status, res.text, opts);
  try {
    return { variants: parseMasterPlaylist(res.text, url.toString()) };
  } catch (err) {
    throw transient('bad_master_playlist', `Twitch's master playlist for VOD ${opts.vodId} is unreadable: ${(err as Error).message}`);
  }
}

async function resolveWithYtDlp(opts: ResolveOptions, ytDlpPath: string): Promise<{ variants: Variant[] }> {
  const headers = opts.userOAuthToken ? { Authorization: `OAuth ${opts.userOAuthToken}` } : undefined;
  const formats = await ytDlpFormats(ytDlpPath, `${opts.endpoints.vodPageUrl}/${opts.vodId}`, { headers, signal: opts.signal, timeoutMs: opts.timeoutMs ? opts.timeoutMs * 4 : 60_000 });
  const variants = variantsFromYtDlp(formats);
  if (variants.length === 0) throw transient('ytdlp_no_formats', `yt-dlp found no HLS formats for VOD ${opts.vodId}.`);
  return { variants };
}

/** Errors for which trying yt-dlp would not help (same wall) or must not be tried (user stop). */
function final(err: unknown): boolean {
  return err instanceof EngineError && (err.errorClass === 'cancelled' || err.errorClass === 'login' || err.code === 'vod_manifest_restricted' || err.code === 'vod_not_found');
}

export async function resolveVodPlaylist(opts: ResolveOptions): Promise<ResolvedVod> {
  if (opts.userOAuthToken) registerSecret(opts.userOAuthToken);
  let via: ResolvedVod['via'] = 'native';
  let variants: Variant[];
  try {
    ({ variants } = await resolveNative(opts));
  } catch (err) {
    if (final(err) || !opts.ytDlpPath) throw err;
    log.warn(`Native playlist resolution failed for VOD ${opts.vodId}; trying yt-dlp`, err);
    via = 'yt-dlp';
    ({ variants } = await resolveWithYtDlp(opts, opts.ytDlpPath));
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
