/**
 * A Twitch stand-in on 127.0.0.1 (random port): OAuth, Helix, GQL playback tokens, usher master
 * playlists, media playlists and segments, plus a VOD page that yt-dlp's generic extractor reads.
 * It behaves like the real services where the product depends on it (pagination, rate-limit
 * headers, token expiry, sub-only 403, `N-muted.ts` naming) and can be slowed down (latency per
 * request, bandwidth cap per connection) or broken on purpose (`setFault`).
 *
 *   const tw = await startTwitchStandIn({ users: [{ id: '1', login: 'alice' }] });
 *   tw.addVod({ id: '100', userId: '1', hls: await makeHlsVod(...) });
 *   ... tw.endpoints is a TwitchEndpoints ...
 *   tw.stats.segmentFetchCount('100', 3); await tw.close();
 *
 * Routes (all under the one origin): /oauth2/token, /helix/users, /helix/videos, /gql,
 * /usher/vod/ID.m3u8, /videos/ID (master playlist for yt-dlp), /media/ID/VARIANT/index-dvr.m3u8,
 * /media/ID/VARIANT/N.ts|N-muted.ts, and /_control/{stats,fault,live} for out-of-process use.
 * Live mode (a broadcast growing on a clock, chapters in GQL): `broadcast` on a VOD, see live.ts.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { TWITCH_WEB_CLIENT_ID, type TwitchEndpoints } from '../../../electron/engine/twitch/endpoints';
import { answerMetadataOperation, type LiveBroadcast, type StandInChapter } from './live';

export interface StandInUser {
  id: string;
  login: string;
  displayName?: string;
}

/** The media the stand-in serves for a VOD: a folder of segments (see test/fakes/hls.ts). */
export interface StandInMedia {
  segments: Array<{ name: string; path: string; bytes: number; durationSec: number; discontinuity?: boolean }>;
}

export interface StandInVod {
  id: string;
  userId: string;
  title?: string;
  /** ISO 8601 UTC; default: now minus the VOD's position in the order it was added. */
  createdAt?: string;
  /** Seconds; default: the media's duration, else 3600. */
  durationSec?: number;
  hls?: StandInMedia;
  /** A live VOD: thumbnail says 404_processing and its media playlist has no ENDLIST yet. */
  live?: boolean;
  /** Sub-only: usher answers 403 vod_manifest_restricted unless the access token names a viewer (a playback token). */
  subOnly?: boolean;
  /** Segment indices listed as `N-muted.ts`. */
  mutedSegments?: number[];
  /** Whether `N.ts` is still served for a muted index (true for young VODs); default true. */
  unmutedAvailable?: boolean;
  /** Variant names in master-playlist order; default chunked, 720p60, 480p30, audio_only. */
  variants?: string[];
  /** An HEVC source rendition in fMP4 (Enhanced Broadcasting), served as variant `HEVC_VARIANT`. */
  hevc?: StandInMedia & { initPath: string; initBytes: number };
  /** Chapters served by GQL (see live.ts). */
  chapters?: StandInChapter[];
  /** A broadcast in progress: what is served is its state at each request (see live.ts). */
  broadcast?: LiveBroadcast;
  /** The media playlist carries #EXT-X-ENDLIST; default: when not live. */
  playlistEnded?: boolean;
}

/** Group id of the stand-in's HEVC rendition. */
export const HEVC_VARIANT = '1080p60_hevc';

export type FaultTarget = 'oauth' | 'helix' | 'gql' | 'usher' | 'playlist' | 'segment' | 'vodpage';

export type Fault =
  /** Revokes every access token issued so far: the next Helix call gets 401. */
  | { kind: 'expireTokens' }
  /** Answers `status` (default 503) `times` times (default 1) on a target (optionally one segment index). */
  | { kind: 'status'; target: FaultTarget; status?: number; times?: number; segment?: number }
  /** Helix 429 with Ratelimit-Remaining 0 and a reset `resetInSec` from now. */
  | { kind: 'rateLimit'; resetInSec: number; times?: number }
  /** Closes the connection after `afterBytes` (default half) of a segment. */
  | { kind: 'drop'; segment?: number; times?: number; afterBytes?: number }
  /** Sends `afterBytes` (default half) of a segment, then nothing until the client gives up. */
  | { kind: 'stall'; segment?: number; times?: number; afterBytes?: number };

export interface StandInOptions {
  /** Delay before answering each request. */
  latencyMs?: number;
  /** Bandwidth cap per TCP connection, bytes per second (segments and playlists). */
  connectionBytesPerSec?: number;
  clientId?: string;
  clientSecret?: string;
  users?: StandInUser[];
  vods?: StandInVod[];
  /** User tokens valid from the start (e.g. restored from a previous run). */
  userTokens?: Array<{ accessToken: string; refreshToken: string }>;
  /** Helix bucket size per token per minute. */
  rateLimitPoints?: number;
  port?: number;
}

export interface StandInStats {
  /** Requests per route, e.g. `POST /oauth2/token`, `GET /helix/videos`, `GET segment`. */
  requests: Record<string, number>;
  /** Segment requests per `${vodId}:${index}` (any variant, muted or not). */
  segmentFetches: Record<string, number>;
  /** Every segment request in arrival order. */
  segmentLog: Array<{ vodId: string; variant: string; name: string; index: number }>;
  /** Helix requests with the time they arrived (ms since epoch) and the status sent. */
  helixLog: Array<{ path: string; at: number; status: number }>;
  segmentFetchCount(vodId: string, index: number): number;
  reset(): void;
}

export interface TwitchStandIn {
  endpoints: TwitchEndpoints;
  origin: string;
  clientId: string;
  clientSecret: string;
  addUser(user: StandInUser): void;
  addVod(vod: StandInVod): void;
  setVodLive(id: string, live: boolean): void;
  removeVod(id: string): void;
  setFault(fault: Fault): void;
  clearFaults(): void;
  /** Issues a user token pair (as if the user logged in), returned for the test to configure. */
  issueUserToken(): { accessToken: string; refreshToken: string };
  /** Issues a browser `auth-token` cookie: a user token of Twitch's web client (for GQL playback). */
  issuePlaybackToken(): string;
  /** Revokes one token (the user logged out in the browser, or the token expired). */
  revokeToken(token: string): void;
  stats: StandInStats;
  close(): Promise<void>;
}

const DEFAULT_VARIANTS = ['chunked', '720p60', '480p30', 'audio_only'];
const CHUNK = 64 * 1024;

interface ActiveFault {
  fault: Exclude<Fault, { kind: 'expireTokens' }>;
  left: number;
}

export async function startTwitchStandIn(options: StandInOptions = {}): Promise<TwitchStandIn> {
  const clientId = options.clientId ?? 'standin-client-id';
  const clientSecret = options.clientSecret ?? 'standin-client-secret';
  const latencyMs = options.latencyMs ?? 0;
  const rate = options.connectionBytesPerSec ?? 0;
  const bucket = options.rateLimitPoints ?? 800;
  const signKey = randomBytes(16);

  const users = new Map<string, StandInUser>();
  const vods = new Map<string, StandInVod & { order: number }>();
  let vodOrder = 0;
  /** A VOD as served now: a live broadcast's state at this instant. */
  const view = <V extends StandInVod>(v: V | undefined): V | undefined => (v?.broadcast ? v.broadcast.snapshot(v) : v);
  const appTokens = new Set<string>();
  const userTokens = new Map<string, string>(); // access -> user id
  // Twitch binds every OAuth token to the client id that issued it; presented with another client
  // id it is refused ("Client ID and OAuth token do not match": louis70109/Twitch-Bot#19,
  // swiftyspiffy/twitch-token-generator#10, mumixam/weechat-twitch#12; FACTS.md, first audit).
  const tokenClient = new Map<string, string>(); // access (app or user) -> issuing client id
  const refreshTokens = new Map<string, string>(); // refresh -> user id
  const buckets = new Map<string, { remaining: number; resetAt: number }>();
  let faults: ActiveFault[] = [];
  const sockets = new Set<Socket>();
  const nextSendAt = new WeakMap<Socket, number>();

  const stats: StandInStats = {
    requests: {},
    segmentFetches: {},
    segmentLog: [],
    helixLog: [],
    segmentFetchCount: (vodId, index) => stats.segmentFetches[`${vodId}:${index}`] ?? 0,
    reset() {
      stats.requests = {};
      stats.segmentFetches = {};
      stats.segmentLog = [];
      stats.helixLog = [];
    },
  };

  for (const u of options.users ?? []) users.set(u.id, u);
  for (const v of options.vods ?? []) vods.set(v.id, { ...v, order: vodOrder++ });
  for (const t of options.userTokens ?? []) {
    userTokens.set(t.accessToken, 'user');
    tokenClient.set(t.accessToken, clientId);
    refreshTokens.set(t.refreshToken, 'user');
  }

  const count = (route: string) => {
    stats.requests[route] = (stats.requests[route] ?? 0) + 1;
  };

  /** Takes the first matching fault, if any, and counts it down. */
  function takeFault(match: (f: ActiveFault['fault']) => boolean): ActiveFault['fault'] | undefined {
    const hit = faults.find((f) => f.left > 0 && match(f.fault));
    if (!hit) return undefined;
    hit.left -= 1;
    faults = faults.filter((f) => f.left > 0);
    return hit.fault;
  }

  function statusFault(target: FaultTarget, segment?: number) {
    return takeFault((f) => f.kind === 'status' && f.target === target && (f.segment === undefined || f.segment === segment)) as Extract<Fault, { kind: 'status' }> | undefined;
  }

  const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };

  /** Writes a body at most `rate` bytes/s per connection (shared by keep-alive requests on it). */
  async function sendThrottled(res: ServerResponse, body: Buffer | NodeJS.ReadableStream, limitBytes?: number): Promise<'done' | 'limit' | 'closed'> {
    const socket = res.socket;
    let sent = 0;
    const iterate = Buffer.isBuffer(body) ? chunksOf(body) : (body as AsyncIterable<Buffer>);
    try {
      for await (const piece of iterate) {
        let chunk = piece;
        if (limitBytes !== undefined && sent + chunk.length >= limitBytes) chunk = chunk.subarray(0, Math.max(0, limitBytes - sent));
        if (rate > 0 && socket) {
          // An absolute schedule per connection: late timer wake-ups are made up for by the next
          // chunks, so the average rate is the cap (only an idle connection restarts from now).
          const now = Date.now();
          const scheduled = nextSendAt.get(socket);
          const at = scheduled === undefined || scheduled < now - 100 ? now : scheduled;
          if (at > now) await sleep(at - now);
          nextSendAt.set(socket, at + (chunk.length / rate) * 1000);
        }
        if (res.destroyed || res.socket?.destroyed) return 'closed';
        if (chunk.length > 0 && !res.write(chunk)) await drainOrClose(res);
        sent += chunk.length;
        if (limitBytes !== undefined && sent >= limitBytes) return 'limit';
      }
    } finally {
      if (!Buffer.isBuffer(body)) (body as unknown as { destroy?: () => void }).destroy?.();
    }
    return 'done';
  }

  function thumbnailFor(v: StandInVod) {
    return v.live
      ? 'https://vod-secure.twitch.tv/_404/404_processing_%{width}x%{height}.png'
      : `https://static-cdn.jtvnw.net/cf_vods/standin/${v.id}/thumb/thumb0-%{width}x%{height}.jpg`;
  }

  function durationOf(v: StandInVod): number {
    if (v.durationSec !== undefined) return v.durationSec;
    if (v.hls) return Math.round(v.hls.segments.reduce((a, s) => a + s.durationSec, 0));
    return 3600;
  }

  function createdAtOf(v: StandInVod & { order: number }): string {
    return v.createdAt ?? new Date(Date.UTC(2026, 0, 1) + v.order * 3_600_000).toISOString();
  }

  function helixVideo(v: StandInVod & { order: number }) {
    const user = users.get(v.userId);
    return {
      id: v.id,
      stream_id: `9${v.id}`,
      user_id: v.userId,
      user_login: user?.login ?? `user${v.userId}`,
      user_name: user?.displayName ?? user?.login ?? `user${v.userId}`,
      title: v.title ?? `VOD ${v.id}`,
      description: '',
      created_at: createdAtOf(v),
      published_at: createdAtOf(v),
      url: `https://www.twitch.tv/videos/${v.id}`,
      thumbnail_url: thumbnailFor(v),
      viewable: 'public',
      view_count: 0,
      language: 'en',
      type: 'archive',
      duration: formatDuration(durationOf(v)),
      muted_segments: v.mutedSegments?.length ? v.mutedSegments.map((i) => mutedSpan(v, i)) : null,
    };
  }

  function checkHelixAuth(req: IncomingMessage, res: ServerResponse): string | undefined {
    const token = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token || (!appTokens.has(token) && !userTokens.has(token))) {
      json(res, 401, { error: 'Unauthorized', status: 401, message: 'Invalid OAuth token' }, { 'WWW-Authenticate': 'OAuth realm="TwitchTV", error="invalid_token"' });
      return undefined;
    }
    // Helix answers a token with the Client-Id of another app (the browser's auth-token belongs to
    // the web client) with this 401 (issue threads cited at `tokenClient`).
    if (req.headers['client-id'] !== tokenClient.get(token)) {
      json(res, 401, { error: 'Unauthorized', status: 401, message: 'Client ID and OAuth token do not match' });
      return undefined;
    }
    return token;
  }

  function rateHeaders(token: string, spend: boolean): Record<string, string> {
    const now = Date.now();
    let b = buckets.get(token);
    if (!b || b.resetAt <= now) {
      b = { remaining: bucket, resetAt: now + 60_000 };
      buckets.set(token, b);
    }
    if (spend) b.remaining = Math.max(0, b.remaining - 1);
    return { 'Ratelimit-Limit': String(bucket), 'Ratelimit-Remaining': String(b.remaining), 'Ratelimit-Reset': String(Math.ceil(b.resetAt / 1000)) };
  }

  async function handleHelix(req: IncomingMessage, res: ServerResponse, url: URL) {
    const path = url.pathname.slice('/helix'.length);
    const log = (status: number) => stats.helixLog.push({ path, at: Date.now(), status });
    const fault = statusFault('helix');
    if (fault) {
      log(fault.status ?? 503);
      return json(res, fault.status ?? 503, { error: 'Service Unavailable', status: fault.status ?? 503, message: '' });
    }
    const token = checkHelixAuth(req, res);
    if (!token) return log(401);
    const limited = takeFault((f) => f.kind === 'rateLimit') as Extract<Fault, { kind: 'rateLimit' }> | undefined;
    if (limited) {
      const resetAt = Date.now() + limited.resetInSec * 1000;
      buckets.set(token, { remaining: 0, resetAt });
      log(429);
      return json(
        res,
        429,
        { error: 'Too Many Requests', status: 429, message: '' },
        {
          'Ratelimit-Limit': String(bucket),
          'Ratelimit-Remaining': '0',
          'Ratelimit-Reset': String(Math.ceil(resetAt / 1000)),
        },
      );
    }
    const headers = rateHeaders(token, true);
    if (path === '/users') {
      const logins = url.searchParams.getAll('login').map((l) => l.toLowerCase());
      const ids = url.searchParams.getAll('id');
      if (logins.length + ids.length === 0 || logins.length + ids.length > 100) {
        log(400);
        return json(res, 400, { error: 'Bad Request', status: 400, message: 'Must provide between 1 and 100 ids or logins' }, headers);
      }
      const data = [...users.values()]
        .filter((u) => logins.includes(u.login.toLowerCase()) || ids.includes(u.id))
        .map((u) => ({
          id: u.id,
          login: u.login,
          display_name: u.displayName ?? u.login,
          type: '',
          broadcaster_type: '',
          description: '',
          profile_image_url: `https://static-cdn.jtvnw.net/jtv_user_pictures/${u.login}-profile_image-300x300.png`,
          offline_image_url: '',
          view_count: 0,
          created_at: '2020-01-01T00:00:00Z',
        }));
      log(200);
      return json(res, 200, { data }, headers);
    }
    if (path === '/videos') {
      const ids = url.searchParams.getAll('id');
      const userId = url.searchParams.get('user_id');
      const first = Number(url.searchParams.get('first') ?? '20');
      if (!Number.isInteger(first) || first < 1 || first > 100) {
        log(400);
        return json(res, 400, { error: 'Bad Request', status: 400, message: 'The parameter "first" was malformed: the value must be less than or equal to 100' }, headers);
      }
      if (!userId && ids.length === 0) {
        log(400);
        return json(res, 400, { error: 'Bad Request', status: 400, message: 'Missing required parameter "user_id"' }, headers);
      }
      const type = url.searchParams.get('type') ?? 'all';
      let list = [...vods.values()]
        .map((v) => view(v)!)
        .filter((v) => (ids.length ? ids.includes(v.id) : v.userId === userId))
        .filter(() => type === 'all' || type === 'archive')
        .sort((a, b) => createdAtOf(b).localeCompare(createdAtOf(a)) || b.order - a.order);
      if (ids.length) {
        log(200);
        return json(res, 200, { data: list.map(helixVideo), pagination: {} }, headers);
      }
      const after = url.searchParams.get('after');
      let offset = 0;
      if (after) {
        const decoded = Number(Buffer.from(after, 'base64url').toString('utf8').replace(/^o:/, ''));
        if (!Number.isInteger(decoded) || decoded < 0) {
          log(400);
          return json(res, 400, { error: 'Bad Request', status: 400, message: 'Invalid cursor' }, headers);
        }
        offset = decoded;
      }
      list = list.slice(offset);
      const page = list.slice(0, first);
      const more = list.length > first;
      log(200);
      return json(res, 200, { data: page.map(helixVideo), pagination: more ? { cursor: Buffer.from(`o:${offset + first}`).toString('base64url') } : {} }, headers);
    }
    log(404);
    return json(res, 404, { error: 'Not Found', status: 404, message: '' }, headers);
  }

  async function handleOAuth(req: IncomingMessage, res: ServerResponse, url: URL) {
    const fault = statusFault('oauth');
    if (fault) return json(res, fault.status ?? 503, { status: fault.status ?? 503, message: 'unavailable' });
    const body = new URLSearchParams(await readBody(req));
    for (const [k, v] of url.searchParams) if (!body.has(k)) body.set(k, v);
    const grant = body.get('grant_type');
    if (body.get('client_id') !== clientId) return json(res, 400, { status: 400, message: 'invalid client' });
    if (grant === 'client_credentials') {
      if (body.get('client_secret') !== clientSecret) return json(res, 403, { status: 403, message: 'invalid client secret' });
      const token = `app${randomBytes(12).toString('hex')}`;
      appTokens.add(token);
      tokenClient.set(token, clientId);
      return json(res, 200, { access_token: token, expires_in: 5_184_000, token_type: 'bearer' });
    }
    if (grant === 'refresh_token') {
      const old = body.get('refresh_token') ?? '';
      const user = refreshTokens.get(old);
      if (!user) return json(res, 400, { status: 400, message: 'Invalid refresh token' });
      refreshTokens.delete(old);
      const pair = issue(user);
      return json(res, 200, { access_token: pair.accessToken, refresh_token: pair.refreshToken, expires_in: 14_400, scope: [], token_type: 'bearer' });
    }
    return json(res, 400, { status: 400, message: 'unsupported grant type' });
  }

  function issue(user: string, client = clientId) {
    const accessToken = `usr${randomBytes(12).toString('hex')}`;
    const refreshToken = `ref${randomBytes(16).toString('hex')}`;
    userTokens.set(accessToken, user);
    tokenClient.set(accessToken, client);
    refreshTokens.set(refreshToken, user);
    return { accessToken, refreshToken };
  }

  /** The viewer of an `Authorization: OAuth` token that is valid for the request's Client-ID. */
  function oauthUser(req: IncomingMessage): string | undefined {
    const token = /^OAuth\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1];
    if (!token || tokenClient.get(token) !== req.headers['client-id']) return undefined;
    return userTokens.get(token);
  }

  async function handleGql(req: IncomingMessage, res: ServerResponse) {
    const fault = statusFault('gql');
    if (fault) return json(res, fault.status ?? 503, { error: 'unavailable' });
    if (!req.headers['client-id']) return json(res, 400, { error: 'Bad Request', status: 400, message: 'The "Client-ID" header is missing from the request.' });
    let body: unknown;
    try {
      body = JSON.parse(await readBody(req));
    } catch {
      return json(res, 400, { error: 'Bad Request', status: 400, message: 'invalid JSON' });
    }
    const user = oauthUser(req);
    // GQL answers an `OAuth <token>` it does not accept for this Client-ID (unknown, revoked, or
    // issued to another app) with this 401 (DevilXD/TwitchDropsMiner#452: an own app's token sent
    // to GQL; streamlink#5009: only the `OAuth token` form is checked).
    if (/^OAuth /i.test(req.headers.authorization ?? '') && !user) {
      return json(res, 401, { error: 'Unauthorized', status: 401, message: 'The "Authorization" token is invalid.' });
    }
    const one = (op: { operationName?: string; query?: string; variables?: Record<string, unknown>; extensions?: { persistedQuery?: { sha256Hash?: string } } }) => {
      const metadata = answerMetadataOperation(
        op,
        (id) => view(vods.get(id)),
        (userId) => users.get(userId)?.login ?? `user${userId}`,
      );
      if (metadata) return metadata;
      const isToken = /PlaybackAccessToken/.test(op.operationName ?? '') || /videoPlaybackAccessToken/.test(op.query ?? '');
      if (!isToken) return { errors: [{ message: 'unknown operation' }] };
      const vodId = String(op.variables?.vodID ?? op.variables?.id ?? '');
      const value = JSON.stringify({
        authorization: { forbidden: false, reason: '' },
        chansub: { restricted_bitrates: [] },
        expires: Math.floor(Date.now() / 1000) + 72_000,
        https_required: true,
        privileged: false,
        user_id: user ?? null,
        version: 2,
        vod_id: Number(vodId),
      });
      const signature = createHmac('sha1', signKey).update(value).digest('hex');
      return { data: { videoPlaybackAccessToken: { value, signature, __typename: 'PlaybackAccessToken' } }, extensions: { operationName: op.operationName } };
    };
    return json(res, 200, Array.isArray(body) ? body.map(one) : one(body as Parameters<typeof one>[0]));
  }

  function masterPlaylist(v: StandInVod, origin: string, supportedCodecs = ''): string {
    const variants = v.variants ?? DEFAULT_VARIANTS;
    const bytes = v.hls ? v.hls.segments.reduce((a, s) => a + s.bytes, 0) : 0;
    const sourceBps = v.hls ? Math.round((bytes * 8) / Math.max(1, durationOf(v))) : 6_000_000;
    const lines = [
      '#EXTM3U',
      `#EXT-X-TWITCH-INFO:ORIGIN="s3",B="false",REGION="EU",USER-IP="127.0.0.1",SERVING-ID="${randomBytes(8).toString('hex')}",CLUSTER="standin",USER-COUNTRY="XX",MANIFEST-CLUSTER="standin"`,
    ];
    for (const name of variants) {
      const shape = variantShape(name, sourceBps);
      lines.push(
        `#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="${name}",NAME="${shape.label}",AUTOSELECT=${name === 'audio_only' ? 'NO' : 'YES'},DEFAULT=${name === 'audio_only' ? 'NO' : 'YES'}`,
      );
      const attrs = [`BANDWIDTH=${shape.bandwidth}`, `CODECS="${name === 'audio_only' ? 'mp4a.40.2' : 'avc1.64002A,mp4a.40.2'}"`];
      if (shape.resolution) attrs.push(`RESOLUTION=${shape.resolution}`);
      attrs.push(`VIDEO="${name}"`);
      if (shape.fps) attrs.push(`FRAME-RATE=${shape.fps.toFixed(3)}`);
      lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`);
      lines.push(`${origin}/media/${v.id}/${name}/index-dvr.m3u8`);
    }
    // HEVC/AV1 renditions are listed only to a client that asks for them in `supported_codecs`
    // (yt-dlp asks `av1,h265,h264`, yt-dlp #14994; FACTS.md, first audit); they come first, as the
    // source rendition does.
    if (v.hevc && /\b(h265|hevc)\b/.test(supportedCodecs)) {
      const bps = Math.round((v.hevc.segments.reduce((a, x) => a + x.bytes, 0) * 8) / Math.max(1, durationOf(v)));
      lines.splice(
        2,
        0,
        `#EXT-X-MEDIA:TYPE=VIDEO,GROUP-ID="${HEVC_VARIANT}",NAME="1080p60 (source)",AUTOSELECT=YES,DEFAULT=YES`,
        `#EXT-X-STREAM-INF:BANDWIDTH=${bps},CODECS="hvc1.1.6.L93.B0,mp4a.40.2",RESOLUTION=1920x1080,VIDEO="${HEVC_VARIANT}",FRAME-RATE=60.000`,
        `${origin}/media/${v.id}/${HEVC_VARIANT}/index-dvr.m3u8`,
      );
    }
    return `${lines.join('\n')}\n`;
  }

  function mediaPlaylist(v: StandInVod, variant: string): string {
    const fmp4 = variant === HEVC_VARIANT;
    const segs = (fmp4 ? v.hevc?.segments : v.hls?.segments) ?? [];
    const ext = fmp4 ? 'mp4' : 'ts';
    const muted = new Set(v.mutedSegments ?? []);
    const target = Math.ceil(Math.max(1, ...segs.map((s) => s.durationSec)));
    const lines = [
      '#EXTM3U',
      `#EXT-X-VERSION:${fmp4 ? 6 : 3}`,
      `#EXT-X-TARGETDURATION:${target}`,
      `#EXT-X-PLAYLIST-TYPE:${v.live ? 'EVENT' : 'VOD'}`,
      '#EXT-X-MEDIA-SEQUENCE:0',
      '#EXT-X-TWITCH-ELAPSED-SECS:0.000',
      `#EXT-X-TWITCH-TOTAL-SECS:${segs.reduce((a, s) => a + s.durationSec, 0).toFixed(3)}`,
    ];
    // fMP4 renditions name their init segment with EXT-X-MAP (RFC 8216 4.3.2.5; version 6+).
    if (fmp4) lines.push('#EXT-X-MAP:URI="init-0.mp4"');
    segs.forEach((s, i) => {
      if (s.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
      lines.push(`#EXTINF:${s.durationSec.toFixed(3)},`);
      lines.push(muted.has(i) ? `${i}-muted.${ext}` : `${i}.${ext}`);
    });
    if (v.playlistEnded ?? !v.live) lines.push('#EXT-X-ENDLIST');
    return `${lines.join('\n')}\n`;
  }

  function restricted(res: ServerResponse, url: URL) {
    return json(res, 403, [{ url: url.toString(), error: 'You do not have permission to view this VOD.', error_code: 'vod_manifest_restricted', type: 'error' }]);
  }

  async function handleUsher(req: IncomingMessage, res: ServerResponse, url: URL, origin: string) {
    const fault = statusFault('usher');
    if (fault) return json(res, fault.status ?? 503, [{ error: 'unavailable', error_code: 'unavailable', type: 'error' }]);
    const id = /^\/usher\/vod\/(\w+)\.m3u8$/.exec(url.pathname)?.[1] ?? '';
    const token = url.searchParams.get('token') ?? url.searchParams.get('nauth') ?? '';
    const sig = url.searchParams.get('sig') ?? url.searchParams.get('nauthsig') ?? '';
    if (!token || createHmac('sha1', signKey).update(token).digest('hex') !== sig) {
      return json(res, 403, [{ url: url.toString(), error: 'Signature verification failed', error_code: 'invalid_signature', type: 'error' }]);
    }
    let parsed: { vod_id?: number; user_id?: string | null };
    try {
      parsed = JSON.parse(token) as typeof parsed;
    } catch {
      return json(res, 403, [{ error: 'malformed token', error_code: 'invalid_token', type: 'error' }]);
    }
    if (String(parsed.vod_id) !== id) return json(res, 403, [{ error: 'token is for another VOD', error_code: 'invalid_token', type: 'error' }]);
    const v = view(vods.get(id));
    if (!v || !v.hls) return json(res, 404, [{ url: url.toString(), error: 'vod_manifest_not_found', error_code: 'vod_manifest_not_found', type: 'error' }]);
    // The viewer comes from the signed access token alone: yt-dlp sends usher no Authorization
    // (`_extract_twitch_m3u8_formats`), and answers vod_manifest_restricted for sub-only VODs.
    if (v.subOnly && !parsed.user_id) return restricted(res, url);
    const text = masterPlaylist(v, origin, url.searchParams.get('supported_codecs') ?? '');
    res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  async function handleVodPage(req: IncomingMessage, res: ServerResponse, url: URL, origin: string) {
    const fault = statusFault('vodpage');
    if (fault) return json(res, fault.status ?? 503, { error: 'unavailable' });
    const id = /^\/videos\/(\w+)/.exec(url.pathname)?.[1] ?? '';
    const v = view(vods.get(id));
    if (!v || !v.hls) return json(res, 404, { error: 'not found' });
    if (v.subOnly && !oauthUser(req)) return restricted(res, url);
    const text = masterPlaylist(v, origin);
    res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  async function handleMedia(req: IncomingMessage, res: ServerResponse, url: URL) {
    const m = /^\/media\/(\w+)\/([\w-]+)\/(.+)$/.exec(url.pathname);
    const v = m ? view(vods.get(m[1])) : undefined;
    if (!m || !v || !v.hls) return json(res, 404, { error: 'not found' });
    const [, vodId, variant, file] = m;
    const fmp4 = variant === HEVC_VARIANT && v.hevc !== undefined;
    if (!fmp4 && !(v.variants ?? DEFAULT_VARIANTS).includes(variant)) return json(res, 404, { error: 'no such variant' });
    if (file === 'index-dvr.m3u8') {
      count('GET playlist');
      const fault = statusFault('playlist');
      if (fault) return json(res, fault.status ?? 503, { error: 'unavailable' });
      const text = mediaPlaylist(v, variant);
      res.writeHead(200, { 'Content-Type': 'application/vnd.apple.mpegurl', 'Content-Length': Buffer.byteLength(text) });
      return void (await sendThrottled(res, Buffer.from(text)).then(() => res.end()));
    }
    if (fmp4 && file === 'init-0.mp4') {
      count('GET init');
      res.writeHead(200, { 'Content-Type': 'video/mp4', 'Content-Length': v.hevc!.initBytes });
      return void (await sendThrottled(res, createReadStream(v.hevc!.initPath, { highWaterMark: CHUNK })).then(() => res.end()));
    }
    const seg = (fmp4 ? /^(\d+)(-muted)?\.mp4$/ : /^(\d+)(-muted)?\.ts$/).exec(file);
    if (!seg) return json(res, 404, { error: 'not found' });
    const index = Number(seg[1]);
    const mutedName = seg[2] !== undefined;
    const s = fmp4 ? v.hevc!.segments[index] : v.hls.segments[index];
    count('GET segment');
    stats.segmentFetches[`${vodId}:${index}`] = (stats.segmentFetches[`${vodId}:${index}`] ?? 0) + 1;
    stats.segmentLog.push({ vodId, variant, name: file, index });
    if (!s) return json(res, 404, { error: 'not found' });
    const isMuted = (v.mutedSegments ?? []).includes(index);
    if (mutedName && !isMuted) return json(res, 404, { error: 'not found' });
    if (!mutedName && isMuted && v.unmutedAvailable === false) {
      return json(res, 403, { error: 'Access Denied' });
    }
    const fault = statusFault('segment', index);
    if (fault) return json(res, fault.status ?? 503, { error: 'unavailable' });
    const broken = takeFault((f) => (f.kind === 'drop' || f.kind === 'stall') && (f.segment === undefined || f.segment === index)) as
      Extract<Fault, { kind: 'drop' | 'stall' }> | undefined;
    res.writeHead(200, { 'Content-Type': fmp4 ? 'video/mp4' : 'video/mp2t', 'Content-Length': s.bytes });
    const limit = broken ? (broken.afterBytes ?? Math.floor(s.bytes / 2)) : undefined;
    const outcome = await sendThrottled(res, createReadStream(s.path, { highWaterMark: CHUNK }), limit);
    if (outcome === 'limit' && broken?.kind === 'drop') res.socket?.destroy();
    else if (outcome === 'limit')
      return; // stalled: leave the response open; the client's timeout ends it
    else if (outcome === 'done') res.end();
  }

  async function handleControl(req: IncomingMessage, res: ServerResponse, url: URL) {
    if (url.pathname === '/_control/stats') {
      return json(res, 200, { requests: stats.requests, segmentFetches: stats.segmentFetches, segmentLog: stats.segmentLog, helixLog: stats.helixLog });
    }
    const body = JSON.parse((await readBody(req)) || '{}') as Record<string, unknown>;
    if (url.pathname === '/_control/fault') {
      api.setFault(body as unknown as Fault);
      return json(res, 200, { ok: true });
    }
    if (url.pathname === '/_control/live') {
      api.setVodLive(String(body.id), Boolean(body.live));
      return json(res, 200, { ok: true });
    }
    return json(res, 404, { error: 'not found' });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', origin());
    const route = url.pathname.startsWith('/media/') ? undefined : `${req.method} ${url.pathname.replace(/\/\d+(\.m3u8)?$/, '/ID$1')}`;
    if (route) count(route);
    const go = async () => {
      if (url.pathname.startsWith('/_control/')) return handleControl(req, res, url);
      if (url.pathname === '/oauth2/token' && req.method === 'POST') return handleOAuth(req, res, url);
      if (url.pathname.startsWith('/helix/')) return handleHelix(req, res, url);
      if (url.pathname === '/gql' && req.method === 'POST') return handleGql(req, res);
      if (url.pathname.startsWith('/usher/vod/')) return handleUsher(req, res, url, origin());
      if (url.pathname.startsWith('/videos/')) return handleVodPage(req, res, url, origin());
      if (url.pathname.startsWith('/media/')) return handleMedia(req, res, url);
      return json(res, 404, { error: 'not found' });
    };
    const delay = url.pathname.startsWith('/_control/') ? 0 : latencyMs;
    (delay > 0 ? sleep(delay) : Promise.resolve()).then(go).catch((err: unknown) => {
      if (!res.headersSent) json(res, 500, { error: String(err) });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  function origin() {
    return `http://127.0.0.1:${port}`;
  }

  const api: TwitchStandIn = {
    origin: origin(),
    clientId,
    clientSecret,
    endpoints: {
      authUrl: `${origin()}/oauth2`,
      helixUrl: `${origin()}/helix`,
      gqlUrl: `${origin()}/gql`,
      usherUrl: `${origin()}/usher`,
      vodPageUrl: `${origin()}/videos`,
    },
    addUser: (u) => void users.set(u.id, u),
    addVod: (v) => void vods.set(v.id, { ...v, order: vodOrder++ }),
    setVodLive(id, live) {
      const v = vods.get(id);
      if (!v) throw new Error(`stand-in: no VOD ${id}`);
      // A broadcast in progress ends now (the streamer stopped); its state follows from the clock.
      if (v.broadcast && !live) return v.broadcast.endNow();
      v.live = live;
    },
    removeVod: (id) => void vods.delete(id),
    setFault(fault) {
      if (fault.kind === 'expireTokens') {
        appTokens.clear();
        userTokens.clear();
        return;
      }
      faults.push({ fault, left: fault.times ?? 1 });
    },
    clearFaults: () => void (faults = []),
    issueUserToken: () => issue('user'),
    // The browser's auth-token cookie belongs to Twitch's web client (FACTS.md, first audit).
    issuePlaybackToken: () => issue('viewer', TWITCH_WEB_CLIENT_ID).accessToken,
    revokeToken(token) {
      userTokens.delete(token);
      appTokens.delete(token);
      tokenClient.delete(token);
    },
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
  return api;
}

function* chunksOf(buf: Buffer): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += CHUNK) yield buf.subarray(i, i + CHUNK);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function drainOrClose(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/** Helix's muted span of segment `i`: its offset and duration in the VOD (10 s segments without media). */
function mutedSpan(v: StandInVod, i: number): { duration: number; offset: number } {
  const segs = v.hls?.segments;
  if (!segs?.[i]) return { duration: 10, offset: i * 10 };
  return { duration: Math.round(segs[i].durationSec), offset: Math.round(segs.slice(0, i).reduce((a, s) => a + s.durationSec, 0)) };
}

/** Helix's duration format: "3h2m1s", "4m35s", "59s". */
export function formatDuration(totalSec: number): string {
  const s = Math.max(0, Math.round(totalSec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (h) return `${h}h${m}m${sec}s`;
  if (m) return `${m}m${sec}s`;
  return `${sec}s`;
}

function variantShape(name: string, sourceBps: number): { label: string; bandwidth: number; resolution?: string; fps?: number } {
  if (name === 'chunked') return { label: '1080p60 (source)', bandwidth: sourceBps, resolution: '1920x1080', fps: 60 };
  if (name === 'audio_only') return { label: 'Audio Only', bandwidth: 160_000 };
  const m = /^(\d+)p(\d+)?$/.exec(name);
  const height = m ? Number(m[1]) : 480;
  const fps = m?.[2] ? Number(m[2]) : 30;
  const width = Math.round((height * 16) / 9 / 2) * 2;
  return { label: name, bandwidth: Math.round((sourceBps * height) / 1080), resolution: `${width}x${height}`, fps };
}
