import type { PartChapter } from '../media/chapters';
import { fitChaptersCaption } from './chapters-caption';
import { CAPTION_PLACEHOLDERS, type CaptionPlaceholder } from '../../contract/settings';

/**
 * Captions (pure): a template with placeholders -> Telegram HTML, cut to the account's caption
 * limit the way Telegram counts it (UTF-16 code units of the visible text, tags excluded, an HTML
 * entity counting as the one character it stands for: the Bot API gives the caption limit as
 * "0-1024 characters after entities parsing", core.telegram.org/bots/api#sendvideo, and measures
 * entities in UTF-16 code units, core.telegram.org/api/entities). The title is cut first, at a
 * grapheme boundary; the rest never splits a tag, an entity or a surrogate pair, and closes any tag
 * left open by the cut.
 */

export const CAPTION_LIMIT = 1024;
export const CAPTION_LIMIT_PREMIUM = 2048;

/** Marks a cut. */
const ELLIPSIS = '…';

export const captionLimit = (premium: boolean): number => (premium ? CAPTION_LIMIT_PREMIUM : CAPTION_LIMIT);

/** Reproduces the legacy "{title} ({dd/mm/YYYY}) - Part {n}/{total}". */
export const DEFAULT_CAPTION_TEMPLATE = '{title} ({date}) - Part {part}/{parts}';
export const DEFAULT_DATE_FORMAT = 'dd/MM/yyyy';
export const DEFAULT_TIME_FORMAT = 'HH:mm';

export interface CaptionValues {
  title: string;
  channel: string;
  /** When the broadcast started (ISO string or Date). */
  createdAt: string | Date;
  part: number;
  parts: number;
  /** Duration of this part, seconds. */
  durationSec: number;
  url: string;
  /** The part's chapters, part-relative (`{chapters}`); cut between entries to fit. */
  chapters?: readonly Pick<PartChapter, 'startSec' | 'title'>[];
}

export interface CaptionOptions {
  /** Template; may contain Telegram HTML tags (<b>, <i>, <a href>...). Values are escaped. */
  template?: string;
  /** Tokens: yyyy yy MM dd HH mm ss (YYYY/YY/DD also accepted; anything else is kept literally). */
  dateFormat?: string;
  timeFormat?: string;
  /** IANA zone, e.g. "Europe/Madrid"; '' = the computer's zone. Default UTC. */
  timeZone?: string;
  /** Caption limit in UTF-16 units; default 1024 (use 2048 for Premium). */
  limit?: number;
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Throws a clear error when the template names an unknown placeholder. */
export function validateTemplate(template: string): void {
  for (const m of template.matchAll(/\{([^{}]*)\}/g)) {
    if (!(CAPTION_PLACEHOLDERS as readonly string[]).includes(m[1] ?? '')) {
      throw new Error(`Caption template: unknown placeholder {${m[1]}} at character ${m.index}; known: ${CAPTION_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}`);
    }
  }
}

interface ZonedParts {
  YYYY: string;
  MM: string;
  DD: string;
  HH: string;
  mm: string;
  ss: string;
}

function zonedParts(date: Date, timeZone: string): ZonedParts {
  let fmt: Intl.DateTimeFormat;
  try {
    fmt = new Intl.DateTimeFormat('en-GB', {
      timeZone: timeZone === '' ? undefined : timeZone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    });
  } catch {
    throw new Error(`Caption: unknown time zone "${timeZone}" (use an IANA name such as "Europe/Madrid")`);
  }
  const get = (type: Intl.DateTimeFormatPartTypes) => fmt.formatToParts(date).find((p) => p.type === type)?.value ?? '00';
  return { YYYY: get('year'), MM: get('month'), DD: get('day'), HH: get('hour'), mm: get('minute'), ss: get('second') };
}

export function formatDate(date: Date, format: string, timeZone = 'UTC'): string {
  const p = zonedParts(date, timeZone);
  const map: Record<string, string> = { yyyy: p.YYYY, YYYY: p.YYYY, yy: p.YYYY.slice(-2), YY: p.YYYY.slice(-2), MM: p.MM, dd: p.DD, DD: p.DD, HH: p.HH, mm: p.mm, ss: p.ss };
  return format.replace(/yyyy|YYYY|yy|YY|MM|dd|DD|HH|mm|ss/g, (token) => map[token]!);
}

export function formatDuration(totalSec: number): string {
  const s = Math.max(0, Math.round(totalSec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${two(m)}:${two(sec)}` : `${m}:${two(sec)}`;
}

/** Renders the template to HTML and cuts it to the limit. */
export function renderCaption(values: CaptionValues, options: CaptionOptions = {}): string {
  const template = options.template ?? DEFAULT_CAPTION_TEMPLATE;
  validateTemplate(template);
  const created = values.createdAt instanceof Date ? values.createdAt : new Date(values.createdAt);
  if (Number.isNaN(created.getTime())) throw new Error(`Caption: createdAt is not a valid date: ${String(values.createdAt)}`);
  const tz = options.timeZone ?? 'UTC';
  const raw: Record<CaptionPlaceholder, string> = {
    title: values.title,
    channel: values.channel,
    date: formatDate(created, options.dateFormat ?? DEFAULT_DATE_FORMAT, tz),
    time: formatDate(created, options.timeFormat ?? DEFAULT_TIME_FORMAT, tz),
    part: String(values.part),
    parts: String(values.parts),
    duration: formatDuration(values.durationSec),
    url: values.url,
    chapters: '',
  };
  const limit = options.limit ?? CAPTION_LIMIT;
  const fillWith = (chapters: string) => (title: string) =>
    template.replace(/\{([a-z]+)\}/g, (_, name: CaptionPlaceholder) => escapeHtml(name === 'title' ? title : name === 'chapters' ? chapters : raw[name]));
  const chapters = fitChapters(template, values, limit, fillWith);
  return fitCaption(fillWith(chapters), values.title, limit, (template.match(/\{title\}/g) ?? []).length);
}

/**
 * `{chapters}`, cut between entries (never mid-name): all of them when they fit beside the whole
 * title, else they share what the rest of the template leaves with the title, half each.
 */
function fitChapters(template: string, values: CaptionValues, limit: number, fillWith: (chapters: string) => (title: string) => string): string {
  const uses = (template.match(/\{chapters\}/g) ?? []).length;
  if (uses === 0 || !values.chapters?.length) return '';
  const room = (title: string) => Math.floor((limit - captionLength(fillWith('')(title))) / uses);
  const full = fitChaptersCaption(values.chapters, room(values.title));
  if (full.length > 0 && !full.endsWith('…')) return full;
  const share = template.includes('{title}') ? Math.floor(room('') / 2) : room('');
  return fitChaptersCaption(values.chapters, Math.max(0, share));
}

/**
 * The title gives way first: the date, the part number and the rest of the template always stay,
 * so two parts of one VOD never get the same caption. Only when the template without any title is
 * already over the limit is the whole caption cut at its end.
 */
function fitCaption(fill: (title: string) => string, title: string, limit: number, titleUses: number): string {
  const html = fill(title);
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`Caption limit must be a positive integer, got ${limit}`);
  if (captionLength(html) <= limit) return html;
  // Escaping keeps lengths: "&lt;" counts as the one "<" it stands for.
  const budget = titleUses > 0 ? Math.floor((limit - captionLength(fill(''))) / titleUses) : 0;
  if (budget >= ELLIPSIS.length) {
    const cut = fill(`${cutText(title, budget - ELLIPSIS.length).trimEnd()}${ELLIPSIS}`);
    if (captionLength(cut) <= limit) return cut;
  }
  return truncateCaptionHtml(html, limit);
}

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** The longest run of whole graphemes (an emoji with its modifiers, a letter with its accents) within `units` UTF-16 units. */
function cutText(text: string, units: number): string {
  let out = '';
  for (const { segment } of graphemes.segment(text)) {
    if (out.length + segment.length > units) break;
    out += segment;
  }
  return out;
}

type Token = { kind: 'tag'; text: string; name: string; closing: boolean } | { kind: 'text'; text: string; units: number };

/** Splits HTML into tags and visible characters (an entity or a whole code point each). */
export function tokenizeHtml(html: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < html.length) {
    const ch = html[i]!;
    if (ch === '<') {
      const end = html.indexOf('>', i);
      const tag = /^<\s*(\/?)\s*([a-zA-Z][a-zA-Z0-9-]*)/.exec(html.slice(i, end === -1 ? undefined : end + 1));
      if (end !== -1 && tag) {
        tokens.push({ kind: 'tag', text: html.slice(i, end + 1), name: tag[2]!.toLowerCase(), closing: tag[1] === '/' });
        i = end + 1;
        continue;
      }
    }
    if (ch === '&') {
      const ent = /^&(#\d{1,7}|#x[0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});/.exec(html.slice(i, i + 40));
      if (ent) {
        const cp = ent[1]!.startsWith('#x') ? parseInt(ent[1]!.slice(2), 16) : ent[1]!.startsWith('#') ? parseInt(ent[1]!.slice(1), 10) : 0;
        tokens.push({ kind: 'text', text: ent[0], units: cp > 0xffff ? 2 : 1 });
        i += ent[0].length;
        continue;
      }
    }
    const cp = html.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    tokens.push({ kind: 'text', text: html.slice(i, i + width), units: width });
    i += width;
  }
  return tokens;
}

/** Caption length as Telegram counts it. */
export function captionLength(html: string): number {
  let n = 0;
  for (const t of tokenizeHtml(html)) if (t.kind === 'text') n += t.units;
  return n;
}

/** Cuts `html` so its visible text is at most `limit` UTF-16 units, marking the cut with "…". */
export function truncateCaptionHtml(html: string, limit: number): string {
  if (!Number.isInteger(limit) || limit < 1) throw new Error(`Caption limit must be a positive integer, got ${limit}`);
  if (captionLength(html) <= limit) return html;
  const budget = limit - ELLIPSIS.length;
  const open: string[] = [];
  let out = '';
  let used = 0;
  for (const t of tokenizeHtml(html)) {
    if (t.kind === 'tag') {
      // Skip opening tags once the text is full: they would wrap nothing.
      if (!t.closing && used >= budget) continue;
      if (t.closing) {
        const at = open.lastIndexOf(t.name);
        if (at === -1) continue;
        open.splice(at, 1);
      } else {
        open.push(t.name);
      }
      out += t.text;
      continue;
    }
    if (used + t.units > budget) break;
    out += t.text;
    used += t.units;
  }
  out += ELLIPSIS;
  for (let k = open.length - 1; k >= 0; k--) out += `</${open[k]}>`;
  return out;
}
