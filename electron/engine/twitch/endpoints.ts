/**
 * Every Twitch base URL the engine talks to. The product's settings hold exactly this object
 * (advanced group), so the whole product can run against the loopback stand-in.
 */
export interface TwitchEndpoints {
  /** OAuth: `${authUrl}/token`. */
  authUrl: string;
  /** Helix REST API. */
  helixUrl: string;
  /** GraphQL endpoint used for playback access tokens. */
  gqlUrl: string;
  /** Playlist host: `${usherUrl}/vod/ID.m3u8`. */
  usherUrl: string;
  /** VOD pages: `${vodPageUrl}/ID` (what yt-dlp is given as the fallback). */
  vodPageUrl: string;
}

export const DEFAULT_TWITCH_ENDPOINTS: TwitchEndpoints = Object.freeze({
  authUrl: 'https://id.twitch.tv/oauth2',
  helixUrl: 'https://api.twitch.tv/helix',
  gqlUrl: 'https://gql.twitch.tv/gql',
  usherUrl: 'https://usher.ttvnw.net',
  vodPageUrl: 'https://www.twitch.tv/videos',
});

/** Twitch's public web-player Client-ID, which GQL expects for playback tokens. */
export const TWITCH_WEB_CLIENT_ID = 'kimne78kx3ncx6brgo4mv6wki5h1ko';

const ENV_KEYS: Record<keyof TwitchEndpoints, string> = {
  authUrl: 'TWITCH_AUTH_URL',
  helixUrl: 'TWITCH_HELIX_URL',
  gqlUrl: 'TWITCH_GQL_URL',
  usherUrl: 'TWITCH_USHER_URL',
  vodPageUrl: 'TWITCH_VOD_PAGE_URL',
};

/**
 * Settings values, then environment overrides (headless mode), then defaults. Every value must be
 * an absolute http(s) URL; trailing slashes are removed so callers can append paths.
 */
export function resolveEndpoints(settings: Partial<TwitchEndpoints> = {}, env: Record<string, string | undefined> = {}): TwitchEndpoints {
  const out = { ...DEFAULT_TWITCH_ENDPOINTS };
  for (const key of Object.keys(ENV_KEYS) as Array<keyof TwitchEndpoints>) {
    const value = env[ENV_KEYS[key]] ?? settings[key];
    if (value === undefined || value === '') continue;
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Error(`Twitch endpoint "${key}" is not a valid URL: ${JSON.stringify(value)}`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new Error(`Twitch endpoint "${key}" must be an http(s) URL, got ${url.protocol}`);
    }
    out[key] = value.replace(/\/+$/, '');
  }
  return out;
}
