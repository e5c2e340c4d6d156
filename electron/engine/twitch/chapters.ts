/**
 * A VOD's chapters (category/game changes) from the GQL the web player uses, the way yt-dlp's
 * Twitch extractor reads them (yt_dlp/extractor/twitch.py `_download_info`, `_extract_chapters`):
 * one batched POST of the persisted queries `VideoMetadata` and
 * `VideoPlayer_ChapterSelectButtonVideo`; the moments are `data.video.moments.edges[].node` with
 * `positionMilliseconds`, `durationMilliseconds` and `description`. A VOD with one category lists
 * no moments: its chapter is `VideoMetadata`'s `game.displayName` from 0 (yt-dlp; TwitchDownloader
 * TwitchHelper.cs "When a given video has only 1 chapter, data.video.moments.edges will be empty").
 * Durations can be negative (clamped to 0) and, while recording, the last one is 0 (open-ended)
 * (TwitchHelper.cs). Chapters are metadata: the caller treats a failure as "no chapters yet".
 */
import { EngineError, transient } from '../util/errors';
import { registerSecret } from '../util/redact';
import { TWITCH_WEB_CLIENT_ID, type TwitchEndpoints } from './endpoints';
import { describeUrl, fetchWithTimeout, type FetchLike } from './http';

/** yt-dlp's persisted-query hashes (twitch.py `_OPERATION_HASHES`); Twitch rejects unknown ones. */
export const CHAPTER_QUERY_HASHES = {
  VideoMetadata: '45111672eea2e507f8ba44d101a61862f9c56b11dee09a15634cb75cb9b9084d',
  VideoPlayer_ChapterSelectButtonVideo: '71835d5ef425e154bf282453a926d99b328cdc5e32f36d3a209d0f4778b41203',
} as const;

export interface VodChapter {
  /** Seconds from the VOD's start. */
  startSec: number;
  /** Seconds; null when open-ended (the last chapter while recording, or the only one). */
  durationSec: number | null;
  title: string;
  gameId?: string;
}

export interface VodChapterInfo {
  /** In VOD order, non-overlapping starts. */
  chapters: VodChapter[];
  /** GQL's view: true while recording, false when recorded, undefined when it did not say. */
  recording: boolean | undefined;
  lengthSec: number | undefined;
}

export interface FetchChaptersOptions {
  vodId: string;
  endpoints: Pick<TwitchEndpoints, 'gqlUrl'>;
  /** The viewer's `auth-token` (sub-only VODs), sent as `Authorization: OAuth ...`. */
  playbackToken?: string;
  gqlClientId?: string;
  timeoutMs?: number;
  signal?: AbortSignal;
  fetchImpl?: FetchLike;
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj | undefined => (v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v : undefined);

/** The request body: the two operations, batched, as yt-dlp sends them. */
export function chapterRequestBody(vodId: string): string {
  const op = (operationName: keyof typeof CHAPTER_QUERY_HASHES, variables: Obj) => ({
    operationName,
    variables,
    extensions: { persistedQuery: { version: 1, sha256Hash: CHAPTER_QUERY_HASHES[operationName] } },
  });
  return JSON.stringify([op('VideoMetadata', { channelLogin: '', videoID: vodId }), op('VideoPlayer_ChapterSelectButtonVideo', { includePrivate: false, videoID: vodId })]);
}

/** Reads the batched answer (pure). Throws a transient error naming what was wrong. */
export function chaptersFromGql(answer: unknown, vodId: string): VodChapterInfo {
  const items = Array.isArray(answer) ? answer : [answer];
  const errors = items.flatMap((i) => (Array.isArray(obj(i)?.errors) ? (obj(i)!.errors as unknown[]) : [])).map((e) => str(obj(e)?.message) ?? 'error');
  const videos = items.map((i) => obj(obj(obj(i)?.data)?.video)).filter((v): v is Obj => v !== undefined);
  if (videos.length === 0) {
    if (errors.length > 0) throw transient('gql_chapters_failed', `Twitch GQL gave no chapters for VOD ${vodId}: ${errors.join('; ')}`);
    throw new EngineError('permanent', 'vod_not_found', `Twitch GQL knows no VOD ${vodId} (deleted?).`);
  }
  const meta = videos.find((v) => 'lengthSeconds' in v || 'game' in v);
  const status = str(meta?.status)?.toUpperCase();
  const lengthSec = num(meta?.lengthSeconds);
  const edges = videos.flatMap((v) => {
    const e = obj(v.moments)?.edges;
    return Array.isArray(e) ? e : [];
  });
  const chapters: VodChapter[] = [];
  for (const edge of edges) {
    const node = obj(obj(edge)?.node);
    const position = num(node?.positionMilliseconds);
    const duration = num(node?.durationMilliseconds);
    const game = obj(obj(node?.details)?.game);
    const title = str(node?.description) ?? str(game?.displayName);
    // yt-dlp skips a moment without position or duration ("Important chapter information missing").
    if (position === undefined || duration === undefined || title === undefined) continue;
    const gameId = str(game?.id);
    chapters.push({ startSec: Math.max(0, position) / 1000, durationSec: duration > 0 ? duration / 1000 : null, title, ...(gameId ? { gameId } : {}) });
  }
  chapters.sort((a, b) => a.startSec - b.startSec);
  if (chapters.length === 0) {
    const game = obj(meta?.game);
    const title = str(game?.displayName);
    const gameId = str(game?.id);
    if (title) chapters.push({ startSec: 0, durationSec: null, title, ...(gameId ? { gameId } : {}) });
  }
  return { chapters, recording: status === 'RECORDING' ? true : status === 'RECORDED' ? false : undefined, lengthSec };
}

/** Fetches and reads a VOD's chapters. */
export async function fetchVodChapters(opts: FetchChaptersOptions): Promise<VodChapterInfo> {
  const url = opts.endpoints.gqlUrl;
  const headers: Record<string, string> = { 'Client-ID': opts.gqlClientId ?? TWITCH_WEB_CLIENT_ID, 'Content-Type': 'text/plain;charset=UTF-8' };
  if (opts.playbackToken) {
    registerSecret(opts.playbackToken);
    headers.Authorization = `OAuth ${opts.playbackToken}`;
  }
  const res = await fetchWithTimeout(
    url,
    { method: 'POST', headers, body: chapterRequestBody(opts.vodId) },
    { timeoutMs: opts.timeoutMs ?? 15_000, signal: opts.signal, fetchImpl: opts.fetchImpl },
  );
  const text = await res.text();
  if (res.status === 401) throw new EngineError('login', 'twitch_oauth_invalid', 'Twitch rejected the configured account token (GQL 401). Log in to Twitch again.');
  if (!res.ok) throw transient(`HTTP_${res.status}`, `${describeUrl(url)} answered ${res.status} to the chapter query for VOD ${opts.vodId}.`);
  let answer: unknown;
  try {
    answer = JSON.parse(text);
  } catch {
    throw transient('gql_bad_json', `Twitch GQL answered the chapter query for VOD ${opts.vodId} with something that is not JSON.`);
  }
  return chaptersFromGql(answer, opts.vodId);
}
