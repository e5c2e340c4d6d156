import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { captionLength, captionLimit, renderCaption, tokenizeHtml } from '../../electron/engine/telegram/caption';

/**
 * The audit saw two parts of one VOD get identical captions: cutting a long title to the limit
 * also cut "(date) - Part k/N". The title must give way first, at a grapheme boundary, and the
 * limit is Telegram's: UTF-16 units of the text after entity parsing (tags not counted).
 */
const base = { channel: 'somestreamer', createdAt: '2026-03-05T23:30:00Z', durationSec: 3725, url: 'https://www.twitch.tv/videos/123' };
const visible = (html: string) =>
  tokenizeHtml(html)
    .filter((t) => t.kind === 'text')
    .map((t) => (t.text.startsWith('&') ? (({ '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"' } as Record<string, string>)[t.text] ?? t.text) : t.text))
    .join('');
const graphemes = (s: string) => [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(s)].map((g) => g.segment);

const titleUnit = fc.oneof(
  fc.constantFrom('<', '>', '&', '"', '&amp;', '<b>', '😀', '👩‍👩‍👧', '🇮🇹', 'é', 'e\u0301', '字', ' ', '\u200d'),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }),
);
const longTitle = fc.string({ unit: titleUnit, minLength: 200, maxLength: 1800 });

describe('captions cut the title first', () => {
  it('the audit case: a 1,100-character title keeps date and part on every part', () => {
    const title = 'Very long stream title '.repeat(48);
    const captions = [1, 2, 3].map((part) => renderCaption({ ...base, title, part, parts: 3 }));
    expect(new Set(captions).size).toBe(3);
    captions.forEach((c, i) => {
      expect(captionLength(c)).toBeLessThanOrEqual(1024);
      expect(c.endsWith(`… (05/03/2026) - Part ${i + 1}/3`)).toBe(true);
    });
  });

  it('property: within the limit, suffix kept, parts distinct, title cut at a grapheme boundary', () => {
    fc.assert(
      fc.property(
        longTitle,
        fc.integer({ min: 2, max: 250 }),
        fc.boolean(),
        fc.constantFrom('{title} ({date}) - Part {part}/{parts}', '<b>{title}</b>\n{date} · <i>Part {part}/{parts}</i> {url}', '{title} | {title} | {part}/{parts}'),
        (title, parts, premium, template) => {
          const limit = captionLimit(premium);
          const render = (part: number) => renderCaption({ ...base, title, part, parts }, { template, limit });
          const first = render(1);
          const last = render(parts);
          for (const html of [first, last]) expect(captionLength(html)).toBeLessThanOrEqual(limit);
          expect(first).not.toBe(last);
          const tail = visible(renderCaption({ ...base, title: '\uE000', part: parts, parts }, { template, limit: 100000 }))
            .split('\uE000')
            .pop()!;
          const text = visible(last);
          expect(text.endsWith(tail)).toBe(true);
          if (captionLength(renderCaption({ ...base, title, part: parts, parts }, { template, limit: 100000 })) > limit) {
            // The title shown is whole graphemes of the real title, then "…".
            const head = visible(renderCaption({ ...base, title: '\uE000', part: parts, parts }, { template, limit: 100000 })).split('\uE000')[0]!;
            const shown = text.slice(head.length, text.indexOf('…', head.length));
            const g = graphemes(title.trimEnd());
            const prefix = graphemes(shown);
            expect(prefix.every((seg, i) => seg === g[i])).toBe(true);
          }
        },
      ),
      { numRuns: 250 },
    );
  });
});
