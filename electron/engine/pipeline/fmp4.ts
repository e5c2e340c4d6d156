import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkFmp4Segment, fetchInitSegment } from '../download/fmp4-segment';
import type { ResolvedVod } from '../download/resolve';
import type { Db } from '../store/database';
import { getMeta, setMeta } from '../store/meta';

/**
 * A VOD whose chosen rendition is fragmented MP4 (Enhanced Broadcasting's HEVC/AV1, issue 16
 * item 8): its segments only decode after the rendition's init segment (`#EXT-X-MAP`), which is
 * fetched once into the segments folder, and each part is built from init + segments.
 */
export interface Fmp4Rendition {
  initUrl: string;
  videoCodec: string;
}

const key = (vodId: string, generation: number) => `fmp4:${vodId}:${generation}`;
export const initSegmentPath = (segmentsDir: string) => join(segmentsDir, 'init.mp4');

/** Kept with the segment list when the playlist is resolved (a resume does not resolve again). */
export function recordRendition(db: Db, vodId: string, generation: number, resolved: ResolvedVod): void {
  const { playlist, variant } = resolved;
  if (playlist.container !== 'fmp4' || !playlist.initUrl) return;
  setMeta(db, key(vodId, generation), JSON.stringify({ initUrl: playlist.initUrl, videoCodec: variant.videoCodec ?? 'unknown' }));
}

export function fmp4Rendition(db: Db, vodId: string, generation: number): Fmp4Rendition | undefined {
  const raw = getMeta(db, key(vodId, generation));
  return raw ? (JSON.parse(raw) as Fmp4Rendition) : undefined;
}

/** The init segment on disk: fetched when missing (first run, or a resume after it was removed). */
export async function ensureInitSegment(rendition: Fmp4Rendition, segmentsDir: string, signal: AbortSignal): Promise<string> {
  const path = initSegmentPath(segmentsDir);
  if (!existsSync(path)) await fetchInitSegment(rendition.initUrl, path, { signal });
  return path;
}

/** Checks a downloaded fMP4 segment; its stream key is the codec (one init segment: parameters do not change). */
export async function inspectFmp4Segment(rendition: Fmp4Rendition, path: string, index: number, bytes: number): Promise<{ streamKey: string }> {
  await checkFmp4Segment(path, index, bytes);
  return { streamKey: `fmp4:${rendition.videoCodec}` };
}
