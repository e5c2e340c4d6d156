/**
 * A part's chapters as caption text (pure): "0:00 Just Chatting · 1:12:30 Elden Ring". Telegram
 * turns `m:ss` / `h:mm:ss` times in a video's caption into seek links. The text is plain (the
 * caption renderer escapes it) and is only ever cut between entries, so a time never loses its
 * name and a name never points at the wrong time.
 */
import type { PartChapter } from '../media/chapters';
import { formatDuration } from './caption';

export const CHAPTER_SEPARATOR = ' · ';
const MORE = '…';

/** One entry: the part-relative start and the chapter's name. */
export function chapterEntry(chapter: Pick<PartChapter, 'startSec' | 'title'>): string {
  return `${formatDuration(Math.floor(chapter.startSec))} ${chapter.title.replace(/\s+/g, ' ').trim()}`;
}

/** All entries joined. */
export function chaptersCaptionText(chapters: readonly Pick<PartChapter, 'startSec' | 'title'>[], separator = CHAPTER_SEPARATOR): string {
  return chapters.map(chapterEntry).join(separator);
}

/**
 * The longest run of whole entries from the first that fits `budget` UTF-16 units (what Telegram
 * counts), with "…" after the last one kept when some were left out; '' when not even one fits.
 */
export function fitChaptersCaption(chapters: readonly Pick<PartChapter, 'startSec' | 'title'>[], budget: number, separator = CHAPTER_SEPARATOR): string {
  const entries = chapters.map(chapterEntry);
  const full = entries.join(separator);
  if (full.length <= budget) return full;
  let out = '';
  for (const entry of entries) {
    const next = out === '' ? entry : `${out}${separator}${entry}`;
    if (`${next}${separator}${MORE}`.length > budget) break;
    out = next;
  }
  return out === '' ? '' : `${out}${separator}${MORE}`;
}
