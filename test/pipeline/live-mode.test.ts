import { describe, expect, it } from 'vitest';
import { LIVE_MODES, liveStages, pendingCaptionEdits } from '../../electron/engine/pipeline/live-mode';

describe('liveStages', () => {
  it('posts while live only in the default mode, follows in both live modes, waits in the legacy one', () => {
    expect(liveStages('postWhileLive', true)).toEqual({ fetch: true, cut: true, deliver: true, totalUnknown: true });
    expect(liveStages('postAfterEnd', true)).toEqual({ fetch: true, cut: true, deliver: false, totalUnknown: false });
    expect(liveStages('waitForEnd', true)).toEqual({ fetch: false, cut: false, deliver: false, totalUnknown: false });
    for (const mode of LIVE_MODES) expect(liveStages(mode, false)).toEqual({ fetch: true, cut: true, deliver: true, totalUnknown: false });
  });
});

describe('pendingCaptionEdits', () => {
  const final = (part: number) => `Part ${part}/3`;
  it('lists the posts whose caption is not final yet, skips refused ones, in part order', () => {
    const posts = [
      { part: 2, destination: 'b', messageId: 5, caption: 'Part 2/…' },
      { part: 1, destination: 'a', messageId: 1, caption: 'Part 1/…' },
      { part: 1, destination: 'b', messageId: 4, caption: 'Part 1/3' },
      { part: 3, destination: 'a', messageId: 3, caption: 'Part 3/…', refused: true },
    ];
    expect(pendingCaptionEdits(posts, final).map((p) => [p.part, p.destination, p.finalCaption])).toEqual([
      [1, 'a', 'Part 1/3'],
      [2, 'b', 'Part 2/3'],
    ]);
    // Once each edit is recorded, nothing is left.
    const recorded = posts.map((p) => (p.refused ? p : { ...p, caption: final(p.part) }));
    expect(pendingCaptionEdits(recorded, final)).toEqual([]);
  });
});
