/**
 * HLS playlist parsing (pure): Twitch master playlists and media playlists with muted segments.
 * Enhanced Broadcasting renditions (HEVC, AV1) are fMP4: their media playlist names an init
 * segment with `#EXT-X-MAP:URI=...` (RFC 8216 4.3.2.5) that every media segment needs in front.
 */

export type VideoCodec = 'h264' | 'hevc' | 'av1';

/** The video codec named by an HLS CODECS attribute (RFC 6381 names: avc1/avc3, hvc1/hev1, av01). */
export function videoCodecOf(codecs: string | undefined): VideoCodec | undefined {
  if (!codecs) return undefined;
  if (/\b(hvc1|hev1)\./i.test(codecs)) return 'hevc';
  if (/\bav01\./i.test(codecs)) return 'av1';
  if (/\b(avc1|avc3)\b/i.test(codecs)) return 'h264';
  return undefined;
}

export interface Variant {
  /** Twitch's group id: `chunked` (source), `720p60`, `480p30`, `audio_only`, ... */
  name: string;
  /** Human label from EXT-X-MEDIA NAME, e.g. `1080p60 (source)`. */
  label: string;
  url: string;
  bandwidth: number;
  height?: number;
  fps?: number;
  audioOnly: boolean;
  /** From CODECS; undefined when the playlist does not say (Twitch's H.264 renditions). */
  videoCodec?: VideoCodec;
}

export interface MediaSegment {
  /** Position in the playlist, 0-based; also the segment's file name in the work folder. */
  index: number;
  /** Absolute URL as listed (the muted one, for a muted segment). */
  url: string;
  /** The unmuted URL when the listed one is `N-muted.ts`. */
  unmutedUrl?: string;
  muted: boolean;
  durationSec: number;
}

export interface MediaPlaylist {
  segments: MediaSegment[];
  /** `#EXT-X-MAP` URI (absolute): an fMP4 rendition's init segment; absent for MPEG-TS. */
  initUrl?: string;
  container: 'ts' | 'fmp4';
  /** `#EXT-X-ENDLIST` present: the VOD is finished. */
  ended: boolean;
  totalSec: number;
}

/** Parses `KEY=VALUE,KEY="quoted, value"` attribute lists. */
export function parseAttributes(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Z0-9-]+)=("([^"]*)"|[^,]*)/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]] = m[3] ?? m[2];
  return out;
}

function lines(text: string, what: string): string[] {
  const all = text
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .map((l) => l.trim());
  if (all[0] !== '#EXTM3U') throw new Error(`The ${what} is not an HLS playlist (no #EXTM3U header): ${JSON.stringify(text.slice(0, 80))}`);
  return all;
}

export function parseMasterPlaylist(text: string, baseUrl: string): Variant[] {
  const all = lines(text, 'master playlist');
  const media = new Map<string, string>();
  const out: Variant[] = [];
  for (let i = 0; i < all.length; i++) {
    const line = all[i];
    if (line.startsWith('#EXT-X-MEDIA:')) {
      const a = parseAttributes(line.slice(13));
      if (a['GROUP-ID']) media.set(a['GROUP-ID'], a.NAME ?? a['GROUP-ID']);
    } else if (line.startsWith('#EXT-X-STREAM-INF:')) {
      const a = parseAttributes(line.slice(18));
      let j = i + 1;
      while (j < all.length && (all[j] === '' || all[j].startsWith('#'))) j++;
      const uri = all[j];
      if (!uri) throw new Error(`The master playlist has an #EXT-X-STREAM-INF without a URI (line ${i + 1}).`);
      i = j;
      const url = new URL(uri, baseUrl).toString();
      const group = a.VIDEO ?? /\/([^/]+)\/[^/]*\.m3u8/.exec(url)?.[1] ?? `variant${out.length}`;
      const height = a.RESOLUTION ? Number(a.RESOLUTION.split('x')[1]) : undefined;
      const fps = a['FRAME-RATE'] ? Math.round(Number(a['FRAME-RATE'])) : undefined;
      const audioOnly = group === 'audio_only' || (a.CODECS !== undefined && !/avc|hvc|hev|av01|vp0/.test(a.CODECS));
      const videoCodec = audioOnly ? undefined : videoCodecOf(a.CODECS);
      out.push({ name: group, label: media.get(group) ?? group, url, bandwidth: Number(a.BANDWIDTH ?? 0), height, fps, audioOnly, ...(videoCodec ? { videoCodec } : {}) });
    }
  }
  if (out.length === 0) throw new Error('The master playlist lists no variants.');
  return out;
}

export function parseMediaPlaylist(text: string, baseUrl: string): MediaPlaylist {
  const all = lines(text, 'media playlist');
  const segments: MediaSegment[] = [];
  let duration: number | undefined;
  let ended = false;
  let initUrl: string | undefined;
  for (const line of all) {
    if (line.startsWith('#EXT-X-MAP:')) {
      const a = parseAttributes(line.slice(11));
      if (!a.URI) throw new Error(`#EXT-X-MAP without a URI in the media playlist: ${JSON.stringify(line)}`);
      // One init segment for the whole VOD: a second, different map would need a new part (not offered by Twitch).
      if (a.BYTERANGE) throw new Error('#EXT-X-MAP with a BYTERANGE is not supported.');
      const url = new URL(a.URI, baseUrl).toString();
      if (initUrl && initUrl !== url) throw new Error('The media playlist changes its #EXT-X-MAP init segment mid-way, which is not supported.');
      initUrl = url;
    } else if (line.startsWith('#EXTINF:')) {
      duration = Number.parseFloat(line.slice(8));
      if (!Number.isFinite(duration)) throw new Error(`Bad #EXTINF in the media playlist: ${JSON.stringify(line)}`);
    } else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (line && !line.startsWith('#')) {
      if (duration === undefined) throw new Error(`Media playlist entry without #EXTINF: ${JSON.stringify(line)}`);
      const url = new URL(line, baseUrl);
      const muted = /-muted\.(ts|mp4|m4s)$/.test(url.pathname);
      const unmuted = muted ? new URL(url) : undefined;
      if (unmuted) unmuted.pathname = unmuted.pathname.replace(/-muted\.(ts|mp4|m4s)$/, '.$1');
      segments.push({ index: segments.length, url: url.toString(), ...(unmuted ? { unmutedUrl: unmuted.toString() } : {}), muted, durationSec: duration });
      duration = undefined;
    }
  }
  return { segments, ended, totalSec: segments.reduce((a, s) => a + s.durationSec, 0), container: initUrl ? 'fmp4' : 'ts', ...(initUrl ? { initUrl } : {}) };
}

/** For about 24 h after a broadcast Twitch still serves the unmuted `N.ts`; later it answers 403. */
export const UNMUTED_WINDOW_MS = 24 * 3600 * 1000;

/**
 * Which URL to try first for a segment: for a muted segment of a VOD younger than 24 h the unmuted
 * one, with the muted one as fallback; otherwise the listed one.
 */
export function segmentSources(segment: MediaSegment, vodCreatedAt: string | undefined, now: number = Date.now()): { url: string; fallbackUrl?: string } {
  const created = vodCreatedAt ? Date.parse(vodCreatedAt) : Number.NaN;
  const young = Number.isFinite(created) && now - created < UNMUTED_WINDOW_MS;
  if (segment.muted && segment.unmutedUrl && young) return { url: segment.unmutedUrl, fallbackUrl: segment.url };
  return { url: segment.url };
}
