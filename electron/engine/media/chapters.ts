/**
 * Chapters per part (pure): which of a VOD's chapters fall in a part and where, where each chapter
 * begins among the parts (for the index), and the FFMETADATA file that puts a part's chapters into
 * its MP4 in the same single ffmpeg pass (`chaptersFile` of build.ts).
 *
 * FFMETADATA (ffmpeg-formats, "Metadata"): a `;FFMETADATA1` header, then `[CHAPTER]` sections with
 * `TIMEBASE`, `START`, `END` and `title`; `=`, `;`, `#`, `\` and newlines in a value are escaped
 * with a backslash. ffmpeg's MP4 muxer writes the chapters as a QuickTime chapter track and a Nero
 * `chpl` atom, which players read as MP4 chapters.
 */
import { writeFile } from 'node:fs/promises';
import type { VodChapter } from '../twitch/chapters';

/** A chapter inside one part, in the part's own seconds. */
export interface PartChapter {
  startSec: number;
  endSec: number;
  title: string;
}

/** Where a part lies in the VOD: the sum of the durations of the segments before it, and its own. */
export interface PartSpan {
  /** 1-based part number. */
  part: number;
  startSec: number;
  durationSec: number;
}

/** A chapter shorter than this inside a part (a change just before the cut) is left out of that part. */
export const MIN_PART_CHAPTER_SEC = 1;

/** Each chapter's end in VOD seconds: the next one's start, else its own duration, else open. */
function chapterEnds(chapters: readonly VodChapter[]): number[] {
  return chapters.map((c, i) => {
    const next = chapters[i + 1];
    if (next) return next.startSec;
    return c.durationSec !== null ? c.startSec + c.durationSec : Number.POSITIVE_INFINITY;
  });
}

/** The chapters that overlap a part, cut to it, in part-relative seconds. */
export function chaptersForPart(chapters: readonly VodChapter[], span: Pick<PartSpan, 'startSec' | 'durationSec'>): PartChapter[] {
  const sorted = [...chapters].sort((a, b) => a.startSec - b.startSec);
  const ends = chapterEnds(sorted);
  const from = span.startSec;
  const to = span.startSec + span.durationSec;
  const out: PartChapter[] = [];
  sorted.forEach((c, i) => {
    const start = Math.max(c.startSec, from);
    const end = Math.min(ends[i]!, to);
    if (end - start < MIN_PART_CHAPTER_SEC) return;
    out.push({ startSec: start - from, endSec: end - from, title: c.title });
  });
  // The first chapter of a part starts at its beginning: a gap before it would be a chapter-less lead-in.
  if (out.length > 0 && out[0]!.startSec < MIN_PART_CHAPTER_SEC) out[0] = { ...out[0]!, startSec: 0 };
  return out;
}

/** For the index: the part (and the time in it) where each chapter begins. */
export function locateChapters(chapters: readonly VodChapter[], parts: readonly PartSpan[]): Array<{ title: string; vodStartSec: number; part: number; offsetSec: number }> {
  const sorted = [...chapters].sort((a, b) => a.startSec - b.startSec);
  const ordered = [...parts].sort((a, b) => a.startSec - b.startSec);
  const out: Array<{ title: string; vodStartSec: number; part: number; offsetSec: number }> = [];
  for (const c of sorted) {
    const p = ordered.find((s) => c.startSec < s.startSec + s.durationSec) ?? undefined;
    if (!p) continue; // begins after the last part (a dropped short tail)
    out.push({ title: c.title, vodStartSec: c.startSec, part: p.part, offsetSec: Math.max(0, c.startSec - p.startSec) });
  }
  return out;
}

function escapeMetadata(value: string): string {
  return value.replace(/[\\=;#\n]/g, (ch) => `\\${ch}`).replace(/\r/g, '');
}

/** The FFMETADATA text for a part's chapters (millisecond time base). */
export function ffmetadataChapters(chapters: readonly PartChapter[]): string {
  const lines = [';FFMETADATA1'];
  for (const c of chapters) {
    if (!(c.endSec > c.startSec) || c.startSec < 0) throw new Error(`Chapter "${c.title}" has a bad span ${c.startSec}..${c.endSec} s`);
    lines.push('[CHAPTER]', 'TIMEBASE=1/1000', `START=${Math.round(c.startSec * 1000)}`, `END=${Math.round(c.endSec * 1000)}`, `title=${escapeMetadata(c.title)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** ffmpeg input arguments for a chapter file; its chapters are taken with `-map_chapters 1`. */
export function chapterInputArgs(file: string): string[] {
  return ['-f', 'ffmetadata', '-i', file];
}

/** Writes a part's chapter file; returns its path, or undefined when the part has no chapters. */
export async function writePartChapters(path: string, chapters: readonly PartChapter[]): Promise<string | undefined> {
  if (chapters.length === 0) return undefined;
  await writeFile(path, ffmetadataChapters(chapters), 'utf8');
  return path;
}
