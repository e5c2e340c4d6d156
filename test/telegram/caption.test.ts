import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { captionLength, escapeHtml, renderCaption, tokenizeHtml, truncateCaptionHtml, validateTemplate, formatDate, captionLimit } from '../../electron/engine/telegram/caption';

const base = {
  title: 'Speedrun night',
  channel: 'somestreamer',
  createdAt: '2026-03-05T23:30:00Z',
  part: 2,
  parts: 5,
  durationSec: 3725,
  url: 'https://www.twitch.tv/videos/123',
};

/** Well-formedness: every tag closed in order, no broken entity, no lone surrogate. */
function wellFormed(html: string): boolean {
  const stack: string[] = [];
  for (const t of tokenizeHtml(html)) {
    if (t.kind === 'tag') {
      if (t.closing) {
        if (stack.pop() !== t.name) return false;
      } else stack.push(t.name);
    } else if (t.text === '<' || t.text === '>') return false;
  }
  if (/&(?![a-zA-Z]+;|#\d+;|#x[0-9a-fA-F]+;)/.test(html)) return false;
  // A lone surrogate would be a broken character.
  if (/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(html)) return false;
  return stack.length === 0;
}

describe('caption', () => {
  it('default template reproduces the legacy caption', () => {
    expect(renderCaption(base)).toBe('Speedrun night (05/03/2026) - Part 2/5');
  });

  it('formats date and time in the chosen IANA time zone', () => {
    const html = renderCaption(base, { template: '{date} {time} {duration} {channel} {url}', timeZone: 'Asia/Tokyo', dateFormat: 'YYYY-MM-DD' });
    expect(html).toBe('2026-03-06 08:30 1:02:05 somestreamer https://www.twitch.tv/videos/123');
    expect(formatDate(new Date('2026-07-01T12:00:00Z'), 'DD.MM.YY HH:mm:ss', 'America/New_York')).toBe('01.07.26 08:00:00');
    expect(formatDate(new Date('2026-07-01T12:00:00Z'), 'yyyy-MM-dd', 'UTC')).toBe('2026-07-01');
    expect(formatDate(new Date('2026-07-01T12:00:00Z'), 'yyyy', '')).toBe('2026');
  });

  it('rejects unknown placeholders and zones with a clear message', () => {
    expect(() => validateTemplate('{title} {oops}')).toThrow(/unknown placeholder \{oops\} at character 8/);
    expect(() => renderCaption(base, { timeZone: 'Mars/Olympus' })).toThrow(/unknown time zone "Mars\/Olympus"/);
    expect(() => renderCaption({ ...base, createdAt: 'nope' })).toThrow(/createdAt is not a valid date/);
  });

  it('escapes hostile titles', () => {
    const html = renderCaption({ ...base, title: '<b>x</b> & "y" ../../etc/passwd <a href="javascript:1">' });
    expect(html).toBe('&lt;b&gt;x&lt;/b&gt; &amp; &quot;y&quot; ../../etc/passwd &lt;a href=&quot;javascript:1&quot;&gt; (05/03/2026) - Part 2/5');
    expect(wellFormed(html)).toBe(true);
  });

  it('counts like Telegram: text without tags, entities as one, emoji as two', () => {
    expect(captionLength('<b>a&amp;b</b>😀')).toBe(5);
    expect(captionLength(escapeHtml('<>'))).toBe(2);
  });

  it('cuts a 2000-char emoji title to the limit without breaking anything', () => {
    const title = '😀<&>'.repeat(500);
    const html = renderCaption({ ...base, title }, { template: '<b>{title}</b> <i>{channel}</i>', limit: 1024 });
    expect(captionLength(html)).toBeLessThanOrEqual(1024);
    expect(captionLength(html)).toBeGreaterThan(1018);
    expect(wellFormed(html)).toBe(true);
    // The title gives way; the rest of the template stays.
    expect(html.endsWith('…</b> <i>somestreamer</i>')).toBe(true);
    const premium = renderCaption({ ...base, title }, { limit: 2048 });
    expect(captionLength(premium)).toBeLessThanOrEqual(2048);
    expect(captionLength(premium)).toBeGreaterThan(1024);
  });

  it('property: any title and template tags -> within limit, well formed, the title cut before anything else', () => {
    const titleArb = fc.string({
      unit: fc.oneof(fc.constantFrom('<', '>', '&', '"', '😀', '👩‍👩‍👧', '/', '\\', 'é'), fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })),
      maxLength: 2500,
    });
    fc.assert(
      fc.property(
        titleArb,
        fc.integer({ min: 1, max: 2048 }),
        fc.constantFrom('{title}', '<b>{title}</b> {part}/{parts}', '<a href="{url}"><i>{title}</i></a> ({date})'),
        (title, limit, template) => {
          const full = renderCaption({ ...base, title }, { template, limit: 100000 });
          const cut = renderCaption({ ...base, title }, { template, limit });
          expect(captionLength(cut)).toBeLessThanOrEqual(limit);
          expect(wellFormed(cut)).toBe(true);
          if (captionLength(full) <= limit) expect(cut).toBe(full);
          else {
            // Either the title alone was shortened (everything after it kept), or, when even the rest
            // does not fit, the visible text of the cut is a prefix of the full visible text.
            const text = (h: string) =>
              tokenizeHtml(h)
                .filter((t) => t.kind === 'text')
                .map((t) => t.text)
                .join('');
            const rest = renderCaption({ ...base, title: '' }, { template, limit: 100000 });
            const afterTitle = text(renderCaption({ ...base, title: '\uE000' }, { template, limit: 100000 }))
              .split('\uE000')
              .pop()!;
            if (captionLength(rest) + 1 <= limit) expect(text(cut).endsWith(`…${afterTitle}`)).toBe(true);
            else expect(text(full).startsWith(text(cut).slice(0, -1))).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('caption limit follows Premium', () => {
    expect(captionLimit(false)).toBe(1024);
    expect(captionLimit(true)).toBe(2048);
  });

  it('rejects a nonsense limit', () => {
    expect(() => truncateCaptionHtml('abc', 0)).toThrow(/positive integer/);
  });
});
