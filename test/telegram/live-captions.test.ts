import { describe, expect, it } from 'vitest';
import { captionLength, renderCaption, DEFAULT_CAPTION_TEMPLATE } from '../../electron/engine/telegram/caption';
import { chaptersCaptionText, fitChaptersCaption } from '../../electron/engine/telegram/chapters-caption';
import { indexHtmlLines, indexMetadataFields, renderIndexMessages, renderIndexText, type IndexInput } from '../../electron/engine/telegram/index-message';
import { captionDependsOnTotal, templateWhileTotalUnknown } from '../../electron/engine/telegram/parts-unknown';

describe('chapters in a caption', () => {
  const chapters = [
    { startSec: 0, title: 'Just Chatting' },
    { startSec: 4350.7, title: 'Elden Ring' },
    { startSec: 600, title: '  Music \n Break ' },
  ];

  it('renders part-relative times Telegram links, with the names', () => {
    expect(chaptersCaptionText(chapters.slice(0, 2))).toBe('0:00 Just Chatting · 1:12:30 Elden Ring');
    expect(chaptersCaptionText([chapters[2]!])).toBe('10:00 Music Break');
  });

  it('cuts only between entries, marking the cut, and gives nothing when not one fits', () => {
    const two = chapters.slice(0, 2);
    expect(fitChaptersCaption(two, 100)).toBe('0:00 Just Chatting · 1:12:30 Elden Ring');
    expect(fitChaptersCaption(two, 30)).toBe('0:00 Just Chatting · …');
    expect(fitChaptersCaption(two, 10)).toBe('');
    for (let budget = 0; budget < 60; budget++) expect(fitChaptersCaption(two, budget).length).toBeLessThanOrEqual(budget);
  });
});

describe('the part count while live', () => {
  const values = { title: 'Stream', channel: 'dave', createdAt: '2026-01-02T10:00:00Z', part: 3, parts: 0, durationSec: 60, url: 'https://twitch.tv/videos/1' };

  it('renders "Part 3/…" or "Part 3" as configured, and the final text once the total is known', () => {
    expect(renderCaption(values, { template: templateWhileTotalUnknown(DEFAULT_CAPTION_TEMPLATE, 'ellipsis') })).toBe('Stream (02/01/2026) - Part 3/…');
    expect(renderCaption(values, { template: templateWhileTotalUnknown(DEFAULT_CAPTION_TEMPLATE, 'omit') })).toBe('Stream (02/01/2026) - Part 3');
    expect(renderCaption({ ...values, parts: 7 })).toBe('Stream (02/01/2026) - Part 3/7');
  });

  it('removes the separator before {parts} when omitting, and leaves templates without it alone', () => {
    expect(templateWhileTotalUnknown('Part {part} of {parts}: {title}', 'omit')).toBe('Part {part}: {title}');
    expect(templateWhileTotalUnknown('{title} [{part} / {parts}]', 'omit')).toBe('{title} [{part}]');
    expect(templateWhileTotalUnknown('{title} #{part}', 'omit')).toBe('{title} #{part}');
    expect(captionDependsOnTotal('{title} #{part}')).toBe(false);
    expect(captionDependsOnTotal(DEFAULT_CAPTION_TEMPLATE)).toBe(true);
  });
});

describe('the index', () => {
  const input: IndexInput = {
    title: 'Big <stream> & more',
    channel: 'dave',
    createdAt: '2026-01-02T10:00:00Z',
    vodUrl: 'https://www.twitch.tv/videos/700',
    durationSec: 7800,
    parts: [
      { part: 2, durationSec: 3600, link: 'https://t.me/c/123/11', file: 'part2.mp4' },
      { part: 1, durationSec: 3600, link: 'https://t.me/c/123/10', file: 'part1.mp4' },
      { part: 3, durationSec: 600, link: null, file: 'part3.mp4' },
    ],
    chapters: [
      { title: 'Elden Ring', vodStartSec: 4350, part: 2, offsetSec: 750 },
      { title: 'Just Chatting', vodStartSec: 0, part: 1, offsetSec: 0 },
    ],
  };

  it('lists the parts with their links and the chapters with part and time, escaped', () => {
    const [message, ...rest] = renderIndexMessages(input);
    expect(rest).toEqual([]);
    expect(message).toBe(
      [
        '<b><a href="https://www.twitch.tv/videos/700">Big &lt;stream&gt; &amp; more</a></b>',
        'dave · 02/01/2026 · 2:10:00 · 3 parts',
        '',
        '<a href="https://t.me/c/123/10">Part 1</a> (1:00:00)',
        '<a href="https://t.me/c/123/11">Part 2</a> (1:00:00)',
        'Part 3 (10:00)',
        '',
        '<b>Chapters</b>',
        '0:00 Just Chatting: <a href="https://t.me/c/123/10">Part 1</a> at 0:00',
        '1:12:30 Elden Ring: <a href="https://t.me/c/123/11">Part 2</a> at 12:30',
      ].join('\n'),
    );
  });

  it('splits a long index between lines, every message within the limit, nothing lost', () => {
    const many: IndexInput = {
      ...input,
      parts: Array.from({ length: 300 }, (_, i) => ({ part: i + 1, durationSec: 60, link: `https://t.me/c/123/${i + 10}` })),
      chapters: [],
    };
    const messages = renderIndexMessages(many, 1000);
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(captionLength(m)).toBeLessThanOrEqual(1000);
    const lines = messages
      .join('\n')
      .split('\n')
      .filter((l) => l !== '');
    expect(lines).toEqual(indexHtmlLines(many).filter((l) => l !== ''));
  });

  it('gives the folder destination the same index as text and metadata fields', () => {
    const text = renderIndexText(input);
    expect(text).toContain('Part 1  1:00:00  part1.mp4\n');
    expect(text).toContain('1:12:30  Elden Ring  (part 2 at 12:30)\n');
    expect(indexMetadataFields(input)).toEqual({
      complete: true,
      chapters: [
        { title: 'Just Chatting', startSec: 0, part: 1, offsetSec: 0 },
        { title: 'Elden Ring', startSec: 4350, part: 2, offsetSec: 750 },
      ],
    });
  });

  it('refuses a part list with a hole', () => {
    expect(() => renderIndexMessages({ ...input, parts: input.parts.filter((p) => p.part !== 2) })).toThrow(/numbered 1\.\.2, found part 3/);
  });
});
