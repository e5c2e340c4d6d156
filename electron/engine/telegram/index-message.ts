/**
 * The index of a finished VOD (pure): one message per Telegram destination listing the parts with
 * links to their posts and the chapters with the part and time where each begins; the same index
 * as plain text for the folder destination's `index.txt` and as fields for its `metadata.json`.
 *
 * A text message holds at most 4096 characters (core.telegram.org/method/messages.sendMessage,
 * MESSAGE_TOO_LONG; counted like captions, tags excluded), so a long index is split into several
 * messages between lines, never inside one.
 */
import { locateChapters } from '../media/chapters';
import type { VodChapter } from '../twitch/chapters';
import { DEFAULT_DATE_FORMAT, captionLength, escapeHtml, formatDate, formatDuration, truncateCaptionHtml } from './caption';

export const MESSAGE_LIMIT = 4096;

export interface IndexPart {
  /** 1-based. */
  part: number;
  durationSec: number;
  /** t.me link of the post in this destination (null: private chat without links, or not posted). */
  link?: string | null;
  /** The folder destination's file name. */
  file?: string;
}

export interface IndexChapter {
  title: string;
  /** Seconds from the VOD's start. */
  vodStartSec: number;
  /** The part it begins in and the time in that part (see media/chapters.ts `locateChapters`). */
  part: number;
  offsetSec: number;
}

export interface IndexInput {
  title: string;
  channel: string;
  /** When the broadcast started. */
  createdAt: string | Date;
  vodUrl?: string;
  durationSec: number;
  parts: IndexPart[];
  chapters: IndexChapter[];
  dateFormat?: string;
  timeZone?: string;
}

/** What every index of a VOD (Telegram message, folder `index.txt`) says before its parts. */
export function vodIndexHead(
  vod: { title: string; channel_name: string; created_at: string; url: string },
  parts: ReadonlyArray<{ idx: number; start_sec: number; duration: number }>,
  chapters: readonly VodChapter[],
): Omit<IndexInput, 'parts' | 'dateFormat' | 'timeZone'> {
  return {
    title: vod.title,
    channel: vod.channel_name,
    createdAt: vod.created_at,
    vodUrl: vod.url || undefined,
    durationSec: parts.reduce((n, p) => n + p.duration, 0),
    chapters: locateChapters(
      chapters,
      parts.map((p) => ({ part: p.idx, startSec: p.start_sec, durationSec: p.duration })),
    ),
  };
}

function dateOf(input: IndexInput): string {
  const d = input.createdAt instanceof Date ? input.createdAt : new Date(input.createdAt);
  if (Number.isNaN(d.getTime())) throw new Error(`Index: createdAt is not a valid date: ${String(input.createdAt)}`);
  return formatDate(d, input.dateFormat ?? DEFAULT_DATE_FORMAT, input.timeZone ?? 'UTC');
}

function checkParts(input: IndexInput): IndexPart[] {
  const parts = [...input.parts].sort((a, b) => a.part - b.part);
  parts.forEach((p, i) => {
    if (p.part !== i + 1) throw new Error(`Index: parts must be numbered 1..${parts.length}, found part ${p.part} at position ${i + 1}`);
  });
  return parts;
}

/** The index as HTML lines (one entry per line). */
export function indexHtmlLines(input: IndexInput): string[] {
  const parts = checkParts(input);
  const linkOf = new Map(parts.map((p) => [p.part, p.link ?? null]));
  const partRef = (n: number) => {
    const link = linkOf.get(n);
    return link ? `<a href="${escapeHtml(link)}">Part ${n}</a>` : `Part ${n}`;
  };
  const head = input.vodUrl ? `<a href="${escapeHtml(input.vodUrl)}">${escapeHtml(input.title)}</a>` : escapeHtml(input.title);
  const lines = [
    `<b>${head}</b>`,
    `${escapeHtml(input.channel)} · ${escapeHtml(dateOf(input))} · ${formatDuration(input.durationSec)} · ${parts.length} ${parts.length === 1 ? 'part' : 'parts'}`,
    '',
    ...parts.map((p) => `${partRef(p.part)} (${formatDuration(p.durationSec)})`),
  ];
  if (input.chapters.length > 0) {
    lines.push('', '<b>Chapters</b>');
    for (const c of [...input.chapters].sort((a, b) => a.vodStartSec - b.vodStartSec)) {
      lines.push(`${formatDuration(c.vodStartSec)} ${escapeHtml(c.title)}: ${partRef(c.part)} at ${formatDuration(c.offsetSec)}`);
    }
  }
  return lines;
}

/** The index as Telegram messages (HTML), each within `limit`; usually one. */
export function renderIndexMessages(input: IndexInput, limit = MESSAGE_LIMIT): string[] {
  const messages: string[] = [];
  let current: string[] = [];
  let used = 0;
  for (const raw of indexHtmlLines(input)) {
    // A single line over the limit (a huge title) is cut like a caption.
    const line = captionLength(raw) > limit ? truncateCaptionHtml(raw, limit) : raw;
    const units = captionLength(line) + (current.length > 0 ? 1 : 0);
    if (used + units > limit && current.length > 0) {
      messages.push(current.join('\n').trim());
      current = [];
      used = 0;
    }
    if (current.length === 0 && line === '') continue;
    used += captionLength(line) + (current.length > 0 ? 1 : 0);
    current.push(line);
  }
  if (current.length > 0) messages.push(current.join('\n').trim());
  return messages;
}

/** The folder destination's `index.txt`. */
export function renderIndexText(input: IndexInput): string {
  const parts = checkParts(input);
  const lines = [input.title, `${input.channel} · ${dateOf(input)} · ${formatDuration(input.durationSec)} · ${parts.length} ${parts.length === 1 ? 'part' : 'parts'}`];
  if (input.vodUrl) lines.push(input.vodUrl);
  lines.push('', ...parts.map((p) => `Part ${p.part}  ${formatDuration(p.durationSec)}  ${p.file ?? ''}`.trimEnd()));
  if (input.chapters.length > 0) {
    lines.push('', 'Chapters');
    for (const c of [...input.chapters].sort((a, b) => a.vodStartSec - b.vodStartSec)) {
      lines.push(`${formatDuration(c.vodStartSec)}  ${c.title}  (part ${c.part} at ${formatDuration(c.offsetSec)})`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Fields the folder destination adds to `metadata.json` once the VOD is complete. */
export interface IndexMetadataFields {
  complete: true;
  chapters: Array<{ title: string; startSec: number; part: number; offsetSec: number }>;
}

export function indexMetadataFields(input: IndexInput): IndexMetadataFields {
  checkParts(input);
  return {
    complete: true,
    chapters: [...input.chapters].sort((a, b) => a.vodStartSec - b.vodStartSec).map((c) => ({ title: c.title, startSec: c.vodStartSec, part: c.part, offsetSec: c.offsetSec })),
  };
}
