import { describe, expect, it } from 'vitest';
import { SettingsSchema, defaultSettings } from '../../electron/contract/settings';
import { getAt, parseChannelNames, problemUnder, problemsByPath, problemsFromIssues, setAt, splitList } from '../src/lib/paths';

describe('settings form paths', () => {
  it('reads and writes by dotted path, creating objects on the way', () => {
    const o: Record<string, unknown> = { a: { b: [{ c: 1 }] } };
    expect(getAt(o, 'a.b.0.c')).toBe(1);
    expect(getAt(o, 'a.x.y')).toBeUndefined();
    setAt(o, 'a.b.0.c', 2);
    setAt(o, 'n.m', 'v');
    expect(o).toEqual({ a: { b: [{ c: 2 }] }, n: { m: 'v' } });
  });

  it('maps schema problems to the fields the form shows', () => {
    const s = defaultSettings() as unknown as Record<string, unknown>;
    setAt(s, 'vod.maxRetries', 'lots');
    setAt(s, 'destinations', [{ kind: 'telegram', name: 'x', chatId: 'nope' }]);
    const r = SettingsSchema.safeParse(s);
    expect(r.success).toBe(false);
    const byPath = problemsByPath(problemsFromIssues(r.error!));
    expect(byPath['vod.maxRetries']).toMatch(/number/);
    expect(problemUnder(byPath, 'destinations.0')).toMatch(/^chatId: must be a chat id/);
    expect(problemUnder(byPath, 'destinations.1')).toBeUndefined();
  });

  it('parses lists and channel names as people type them', () => {
    expect(splitList(' best, 720p30 ,,')).toEqual(['best', '720p30']);
    expect(parseChannelNames('Alice, bob\nhttps://www.twitch.tv/Carol/videos @dave alice')).toEqual(['alice', 'bob', 'carol', 'dave']);
  });
});
