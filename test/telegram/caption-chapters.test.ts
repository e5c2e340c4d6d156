import { describe, expect, it } from 'vitest';
import { captionLength, renderCaption } from '../../electron/engine/telegram/caption';

const base = { channel: 'c', createdAt: '2026-11-21T20:00:00Z', part: 2, parts: 3, durationSec: 3600, url: '' };
const chapters = [
  { startSec: 0, title: 'Just Chatting' },
  { startSec: 4350, title: 'Elden Ring' },
];

describe('{chapters} in captions', () => {
  it('renders part-relative times with names, which Telegram turns into seek links', () => {
    expect(renderCaption({ ...base, title: 'Night', chapters }, { template: '{title} {part}/{parts}\n{chapters}' })).toBe('Night 2/3\n0:00 Just Chatting · 1:12:30 Elden Ring');
    // No chapters: the placeholder renders empty.
    expect(renderCaption({ ...base, title: 'Night' }, { template: '{title} [{chapters}]' })).toBe('Night []');
  });

  it('is cut between entries at the limit, never inside a name, and keeps the part number', () => {
    const many = Array.from({ length: 60 }, (_, i) => ({ startSec: i * 60, title: `Game number ${i}` }));
    const out = renderCaption({ ...base, title: 'A title that is fairly long for a VOD', chapters: many }, { template: '{title} - Part {part}/{parts}\n{chapters}', limit: 300 });
    expect(captionLength(out)).toBeLessThanOrEqual(300);
    expect(out).toContain('- Part 2/3');
    const listed = out.split('\n')[1]!;
    expect(listed.endsWith(' · …')).toBe(true);
    for (const entry of listed.split(' · ').slice(0, -1)) expect(entry).toMatch(/^\d+:\d\d(:\d\d)? Game number \d+$/);
  });
});
