/**
 * Captions while the part count is unknown (a live VOD, pure): the template's `{parts}` renders as
 * configured until the broadcast ends, then every caption is edited to its final text.
 * - 'ellipsis': "Part 3/…"
 * - 'omit': "Part 3" (the `{parts}` placeholder goes, with a separator right before it: "/", "of",
 *   "-", "|", "·")
 */
import type { PartsUnknownStyle } from '../../contract/settings';

export type { PartsUnknownStyle };

export const PARTS_UNKNOWN_MARK = '…';

/** The template to render while the total is unknown; unchanged when it has no `{parts}`. */
export function templateWhileTotalUnknown(template: string, style: PartsUnknownStyle): string {
  if (style === 'ellipsis') return template.replaceAll('{parts}', PARTS_UNKNOWN_MARK);
  return template.replace(/[ \t]*(?:\/|\bof\b|-|\||·)[ \t]*\{parts\}/g, '').replace(/[ \t]*\{parts\}/g, '');
}

/** Whether a caption rendered from `template` changes once the total is known (so it needs an edit). */
export function captionDependsOnTotal(template: string): boolean {
  return template.includes('{parts}');
}
