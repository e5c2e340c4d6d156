/**
 * A part from fMP4 segments (HEVC/AV1 renditions), in ONE ffmpeg run like `buildPart`: the init
 * segment and the part's media segments joined with the concat protocol are one valid fragmented
 * MP4 byte stream (ISO/IEC 14496-12 8.8: a movie header, then movie fragments), stream-copied into
 * a regular MP4 with its moov first. Any run of whole segments works: each starts on a keyframe.
 */
import { basename, dirname } from 'node:path';
import { stat } from 'node:fs/promises';
import { permanent, transient } from '../util/errors';
import { muxToMp4, type BuildPartOptions, type BuiltPart } from './build';

export interface BuildFmp4PartOptions extends BuildPartOptions {
  /** The rendition's init segment (`#EXT-X-MAP`), in the same folder as the segments. */
  initSegment: string;
}

export async function buildFmp4Part(options: BuildFmp4PartOptions): Promise<BuiltPart> {
  const { inputs, initSegment } = options;
  if (inputs.length === 0) throw permanent('bad_part', `no input segments for ${options.output}`);
  const all = [initSegment, ...inputs];
  for (const p of all) {
    if (p.includes('|')) throw permanent('bad_part', `segment path contains "|", which the concat protocol cannot take: ${p}`);
    await stat(p).catch((err: NodeJS.ErrnoException) => {
      throw transient('segment_missing', `segment ${p} for ${options.output} is not readable: ${err.code ?? err.message}`, { cause: err });
    });
  }
  const dir = dirname(initSegment);
  const sameDir = all.every((p) => dirname(p) === dir);
  const names = sameDir ? all.map((p) => basename(p)) : all;
  return muxToMp4({ ...options, inputArgs: ['-i', `concat:${names.join('|')}`], cwd: sameDir ? dir : undefined, what: `an init segment and ${inputs.length} fMP4 segments` });
}
