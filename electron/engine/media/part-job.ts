import { unlink } from 'node:fs/promises';
import { buildPart, type BuiltPart } from './build';
import { buildFmp4Part } from './build-fmp4';
import { makeSegmentThumbnail, makeThumbnail, type Thumbnail, type ThumbnailSegment } from './thumbnail';

/**
 * One part and its thumbnail: the cut stage's single step per part (and what `bench -- split`
 * measures through the stage). For MPEG-TS segments the thumbnail is made from the part's own
 * segments while ffmpeg builds the MP4 from them, so its fixed cost (a process, a seek, a few
 * frames decoded) hides behind the build instead of following it. An fMP4 segment is not
 * decodable without its init segment, so an fMP4 part's thumbnail is made from the built MP4.
 * A thumbnail that fails never fails the part (Telegram draws its own); the caller hears why.
 */
export interface PartJobOptions {
  /** The part's segments in order, with their playlist durations. */
  segments: readonly ThumbnailSegment[];
  /** An fMP4 rendition's init segment (`#EXT-X-MAP`), in the segments' folder; chapters are not written into such a part. */
  initSegment?: string;
  output: string;
  thumbnailOutput: string;
  /** Sum of the segments' durations. */
  expectedDurationSec: number;
  /** A built part above this is a `PartOverCeilingError` (no part or thumbnail file is left). */
  ceilingBytes?: number;
  chaptersFile?: string;
  /** Resolved once by the caller (util/binaries.ts resolveTools). */
  ffmpegPath: string;
  ffprobePath: string;
  signal?: AbortSignal;
  onThumbnailError?: (error: unknown) => void;
}

export interface BuiltPartJob {
  built: BuiltPart;
  thumbnail: Thumbnail | null;
}

export async function buildPartAndThumbnail(options: PartJobOptions): Promise<BuiltPartJob> {
  const { segments, output, thumbnailOutput, ffmpegPath, signal } = options;
  const inputs = segments.map((s) => s.path);
  const build = { inputs, output, expectedDurationSec: options.expectedDurationSec, ceilingBytes: options.ceilingBytes, signal, ffmpegPath };
  const failed = (error: unknown) => {
    options.onThumbnailError?.(error);
    return null;
  };
  if (options.initSegment) {
    const built = await buildFmp4Part({ ...build, initSegment: options.initSegment });
    const thumbnail = await makeThumbnail({ input: output, output: thumbnailOutput, durationSec: built.durationSec, ffmpegPath, ffprobePath: options.ffprobePath, signal }).catch(
      failed,
    );
    return { built, thumbnail };
  }
  // Its own signal: a build that fails stops the thumbnail beside it.
  const stop = new AbortController();
  let thumbError: unknown;
  const thumbnail = makeSegmentThumbnail({ segments, output: thumbnailOutput, ffmpegPath, signal: signal ? AbortSignal.any([signal, stop.signal]) : stop.signal }).catch(
    (error: unknown) => ((thumbError = error), null),
  );
  let built: BuiltPart;
  try {
    built = await buildPart({ ...build, chaptersFile: options.chaptersFile });
  } catch (error) {
    stop.abort();
    await thumbnail;
    await unlink(thumbnailOutput).catch(() => undefined);
    throw error;
  }
  const thumb = await thumbnail;
  return { built, thumbnail: thumb ?? failed(thumbError) };
}
