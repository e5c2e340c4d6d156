/**
 * The Twitch stand-in's live mode: a broadcast replayed from a made VOD (test/fakes/hls.ts) on a
 * clock, so the archive VOD grows while "live" exactly as far as the clock says, and chapters
 * (GQL, the shape the web player and yt-dlp use). Every answer is computed from the clock at the
 * moment of the request, so a test can drive time by hand (`clock`) or let it run (`speed`).
 *
 *   const b = new LiveBroadcast({ media: vod, speed: 20, drops: [{ afterSegment: 4, offlineSec: 30 }],
 *     mutedSegments: [2], chapters: [{ startSec: 0, game: 'Just Chatting' }, { startSec: 12, game: 'Elden Ring' }] });
 *   tw.addVod({ id: '500', userId: '1', hls: vod, broadcast: b });
 *
 * Rules, each from the real service:
 * - While live the archive VOD exists, its Helix `duration` grows and its `thumbnail_url` is the
 *   `404_processing` placeholder (FACTS.md "Twitch"; yt-dlp's twitch.py `_extract_info_gql` treats
 *   `/404_processing_` as "is live").
 * - The media playlist is an HLS EVENT playlist: segments are only appended, and
 *   `#EXT-X-ENDLIST` appears when the broadcast is over (RFC 8216 §4.3.3.5; Apple's "Event
 *   playlist construction"). A segment is listed only once it is complete (RFC 8216 §6.2.1: the
 *   server must not list a segment before it is available).
 * - A broadcast that drops and resumes within Twitch's reconnect window continues the same VOD,
 *   and the playlist marks the join with `#EXT-X-DISCONTINUITY` (RFC 8216 §4.3.2.3; seen in
 *   Twitch VOD playlists, matschik/vodtwitch#1 "discontinuityStarts"). The offline time is not
 *   part of the VOD.
 * - Muted segments are renamed `N-muted.ts` (FACTS.md), and Helix lists them in `muted_segments`;
 *   here that happens `muteAfterSec` after the end (audio recognition runs on the finished VOD),
 *   never before, so a follower that fetched during the broadcast has the unmuted bytes.
 * - Chapters: GQL `VideoPlayer_ChapterSelectButtonVideo` answers `data.video.moments.edges[].node`
 *   with `positionMilliseconds`, `durationMilliseconds`, `description`, `type: GAME_CHANGE`,
 *   `details.game` (yt-dlp twitch.py `_download_info`/`_extract_chapters`; a recorded answer in
 *   TwitchDownloader's issues and TwitchDownloaderCore/TwitchHelper.cs). A VOD with a single
 *   chapter has empty `edges` and yt-dlp takes `VideoMetadata`'s `game.displayName` instead
 *   (TwitchHelper.cs remark; yt-dlp `_extract_chapters`). While recording, the last chapter's
 *   duration is 0 (TwitchHelper.cs: "the last chapter lacks a duration"). Both operations are
 *   persisted queries: an unknown `sha256Hash` gets `PersistedQueryNotFound` (stricter: exactly
 *   yt-dlp's current hashes are accepted).
 */
import type { StandInMedia, StandInVod } from './server';

/** The broadcast is offline for `offlineSec` (media seconds) after segment `afterSegment`. */
export interface LiveDrop {
  afterSegment: number;
  offlineSec: number;
}

/** A category/game change at `startSec` of the VOD. */
export interface StandInChapter {
  startSec: number;
  game: string;
  gameId?: string;
}

export interface LiveBroadcastOptions {
  /** The made VOD whose segments are replayed as the broadcast. */
  media: StandInMedia;
  /** Wall clock in ms; default Date.now. */
  clock?: () => number;
  /** When the broadcast started on `clock`; default: now. */
  startedAt?: number;
  /** Media seconds per wall second (20 = a 10 s segment every 0.5 s); default 1. */
  speed?: number;
  drops?: LiveDrop[];
  /** Segment indices renamed `N-muted.ts` `muteAfterSec` (wall seconds) after the end. */
  mutedSegments?: number[];
  muteAfterSec?: number;
  /** Wall seconds after the end before Helix stops saying "processing"; default 0. */
  processingAfterEndSec?: number;
  /**
   * Keep serving the playlist without `#EXT-X-ENDLIST` after the end (a stale EVENT playlist on a
   * CDN edge): stricter than the origin, so a follower must also watch Helix.
   */
  withholdEndlist?: boolean;
  chapters?: StandInChapter[];
}

export interface BroadcastState {
  /** Segments listed now (complete ones). */
  visible: number;
  /** All segments are out and the broadcast is over. */
  ended: boolean;
  /** Helix still shows the VOD as processing. */
  processing: boolean;
  /** The muted segments have been renamed. */
  muted: boolean;
  /** Media seconds listed now. */
  durationSec: number;
}

/** yt-dlp's persisted-query hashes (yt_dlp/extractor/twitch.py `_OPERATION_HASHES`). */
export const GQL_HASHES = {
  VideoMetadata: '45111672eea2e507f8ba44d101a61862f9c56b11dee09a15634cb75cb9b9084d',
  VideoPlayer_ChapterSelectButtonVideo: '71835d5ef425e154bf282453a926d99b328cdc5e32f36d3a209d0f4778b41203',
} as const;

export class LiveBroadcast {
  readonly clock: () => number;
  readonly startedAt: number;
  private readonly speed: number;
  /** Wall time (ms) at which each segment is complete and listed. */
  private readonly appearAt: number[];
  private readonly discontinuityBefore: Set<number>;
  private endedEarlyAt: number | undefined;

  constructor(readonly options: LiveBroadcastOptions) {
    this.clock = options.clock ?? Date.now;
    this.startedAt = options.startedAt ?? this.clock();
    this.speed = options.speed ?? 1;
    if (!(this.speed > 0)) throw new Error(`LiveBroadcast: speed must be positive, got ${this.speed}`);
    const segs = options.media.segments;
    if (segs.length === 0) throw new Error('LiveBroadcast: the media has no segments');
    this.discontinuityBefore = new Set();
    const offlineAfter = new Map<number, number>();
    for (const d of options.drops ?? []) {
      if (!Number.isInteger(d.afterSegment) || d.afterSegment < 0 || d.afterSegment >= segs.length - 1) {
        throw new Error(`LiveBroadcast: a drop after segment ${d.afterSegment} is outside 0..${segs.length - 2}`);
      }
      offlineAfter.set(d.afterSegment, (offlineAfter.get(d.afterSegment) ?? 0) + d.offlineSec);
      this.discontinuityBefore.add(d.afterSegment + 1);
    }
    let mediaClock = 0;
    this.appearAt = segs.map((s, i) => {
      mediaClock += s.durationSec;
      const at = this.startedAt + (mediaClock / this.speed) * 1000;
      mediaClock += offlineAfter.get(i) ?? 0;
      return at;
    });
  }

  /** Ends the broadcast now: segments not out yet never appear (the streamer stopped early). */
  endNow(): void {
    this.endedEarlyAt ??= this.clock();
  }

  /** Wall time (ms) at which segment `index` is listed (for lag measurements). */
  segmentAppearsAt(index: number): number {
    const at = this.appearAt[index];
    if (at === undefined) throw new Error(`LiveBroadcast: no segment ${index}`);
    return at;
  }

  /** Wall time (ms) the broadcast ends (its last segment is out). */
  get endsAt(): number {
    return this.endedEarlyAt ?? this.appearAt[this.appearAt.length - 1]!;
  }

  state(now: number = this.clock()): BroadcastState {
    const cut = Math.min(now, this.endsAt);
    let visible = 0;
    while (visible < this.appearAt.length && this.appearAt[visible]! <= cut) visible++;
    const ended = now >= this.endsAt;
    const sinceEnd = (now - this.endsAt) / 1000;
    const durationSec = this.options.media.segments.slice(0, visible).reduce((a, s) => a + s.durationSec, 0);
    return {
      visible,
      ended,
      processing: !ended || sinceEnd < (this.options.processingAfterEndSec ?? 0),
      muted: ended && sinceEnd >= (this.options.muteAfterSec ?? 5),
      durationSec,
    };
  }

  /** The VOD as the stand-in serves it at this instant. */
  snapshot<V extends StandInVod>(vod: V): V {
    const st = this.state();
    const segments = this.options.media.segments.slice(0, st.visible).map((s, i) => ({ ...s, discontinuity: this.discontinuityBefore.has(i) }));
    return {
      ...vod,
      hls: { segments },
      live: st.processing,
      playlistEnded: st.ended && !this.options.withholdEndlist,
      durationSec: Math.round(st.durationSec),
      mutedSegments: st.muted ? (this.options.mutedSegments ?? []).filter((i) => i < st.visible) : [],
      chapters: this.chaptersNow(st),
    };
  }

  private chaptersNow(st: BroadcastState): StandInChapter[] {
    return (this.options.chapters ?? []).filter((c) => c.startSec <= st.durationSec);
  }
}

interface GqlOp {
  operationName?: string;
  variables?: Record<string, unknown>;
  extensions?: { persistedQuery?: { sha256Hash?: string } };
}

/**
 * Answers the metadata operations yt-dlp sends (`VideoMetadata`, `VideoPlayer_ChapterSelectButtonVideo`);
 * `undefined` for any other operation (the caller handles playback tokens).
 */
export function answerMetadataOperation(op: GqlOp, lookup: (id: string) => StandInVod | undefined, channelLogin: (userId: string) => string): unknown {
  const name = op.operationName;
  if (name !== 'VideoMetadata' && name !== 'VideoPlayer_ChapterSelectButtonVideo') return undefined;
  if (op.extensions?.persistedQuery?.sha256Hash !== GQL_HASHES[name]) {
    return { errors: [{ message: 'PersistedQueryNotFound' }], extensions: { operationName: name } };
  }
  const id = String(op.variables?.videoID ?? '');
  const v = lookup(id);
  if (!v) return { data: { video: null }, extensions: { operationName: name } };
  const lengthSeconds = v.durationSec ?? Math.round((v.hls?.segments ?? []).reduce((a, s) => a + s.durationSec, 0));
  const chapters = [...(v.chapters ?? [])].sort((a, b) => a.startSec - b.startSec);
  const game = (c: StandInChapter | undefined) =>
    c
      ? {
          id: c.gameId ?? String(gameIdOf(c.game)),
          displayName: c.game,
          boxArtURL: `https://static-cdn.jtvnw.net/ttv-boxart/${encodeURIComponent(c.game)}-40x53.jpg`,
          __typename: 'Game',
        }
      : null;
  if (name === 'VideoMetadata') {
    const login = channelLogin(v.userId);
    return {
      data: {
        video: {
          id: v.id,
          title: v.title ?? `VOD ${v.id}`,
          description: null,
          lengthSeconds,
          previewThumbnailURL: v.live
            ? 'https://vod-secure.twitch.tv/_404/404_processing_320x180.png'
            : `https://static-cdn.jtvnw.net/cf_vods/standin/${v.id}/thumb/thumb0-320x180.jpg`,
          broadcastType: 'ARCHIVE',
          status: v.live ? 'RECORDING' : 'RECORDED',
          owner: { id: v.userId, login, displayName: login, __typename: 'User' },
          // The current category: the last chapter's game.
          game: game(chapters[chapters.length - 1]),
          __typename: 'Video',
        },
      },
      extensions: { operationName: name },
    };
  }
  // A single chapter is not listed as a moment (TwitchHelper.cs); the caller uses VideoMetadata's game.
  const listed = chapters.length > 1 ? chapters : [];
  const edges = listed.map((c, i) => {
    const next = listed[i + 1];
    const durationMs = next ? (next.startSec - c.startSec) * 1000 : v.live ? 0 : (lengthSeconds - c.startSec) * 1000;
    return {
      node: {
        moments: { edges: [], __typename: 'VideoMomentConnection' },
        id: `moment-${v.id}-${i}`,
        durationMilliseconds: Math.round(durationMs),
        positionMilliseconds: Math.round(c.startSec * 1000),
        type: 'GAME_CHANGE',
        description: c.game,
        subDescription: '',
        thumbnailURL: '',
        details: { game: game(c), __typename: 'GameChangeMomentDetails' },
        video: { id: v.id, lengthSeconds, __typename: 'Video' },
        __typename: 'VideoMoment',
      },
      __typename: 'VideoMomentEdge',
    };
  });
  return { data: { video: { id: v.id, moments: { edges, __typename: 'VideoMomentConnection' }, __typename: 'Video' } }, extensions: { operationName: name } };
}

function gameIdOf(name: string): number {
  let h = 0;
  for (const ch of name) h = (h * 31 + ch.charCodeAt(0)) % 1_000_000;
  return h;
}
