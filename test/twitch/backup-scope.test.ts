import { describe, expect, it } from 'vitest';
import { BackupScope, SettingsSchema } from '../../electron/contract/settings';
import { ESTIMATE_BYTES_PER_SEC, inScope, scopePreview, scopeVerdicts, type ScopeVideo } from '../../electron/engine/twitch/backup-scope';

const NOW = Date.parse('2026-06-30T12:00:00Z');
const v = (id: string, day: string, title = `Stream ${id}`, hours = 2, category?: string): ScopeVideo => ({
  id,
  createdAt: `2026-06-${day}T18:00:00Z`,
  title,
  durationSec: hours * 3600,
  category,
});
// Helix lists newest first.
const videos = [v('5', '29', 'Speedrun any%', 3, 'Celeste'), v('4', '20', 'Just chatting', 1, 'Just Chatting'), v('3', '10'), v('2', '05'), v('1', '01', 'Old speedrun')];
const scope = (patch: Partial<BackupScope>) => BackupScope.parse(patch);

describe('what to back up of a channel', () => {
  it('keeps everything by default, so older settings and the legacy import lose nothing', () => {
    expect([...inScope(scope({}), videos, NOW)].sort()).toEqual(['1', '2', '3', '4', '5']);
    const parsed = SettingsSchema.parse({ twitch: { channels: [{ channel: 'alice' }] } });
    expect(parsed.twitch.channels[0].backup).toBeUndefined();
    expect([...inScope(parsed.twitch.channels[0].backup, videos, NOW)]).toHaveLength(5);
  });

  it('"new from now on" and "since a date" drop what was broadcast before the date', () => {
    expect([...inScope(scope({ mode: 'new', since: '2026-06-25T00:00:00Z' }), videos, NOW)]).toEqual(['5']);
    const verdicts = scopeVerdicts(scope({ mode: 'since', since: '2026-06-10' }), videos, NOW);
    expect(verdicts.map((x) => x.keep)).toEqual([true, true, true, false, false]);
    expect(verdicts[3].reason).toBe('beforeSince');
  });

  it('"the last N" keeps the newest N whatever order the list came in', () => {
    const shuffled = [videos[3], videos[0], videos[4], videos[2], videos[1]];
    expect([...inScope(scope({ mode: 'last', last: 2 }), shuffled, NOW)].sort()).toEqual(['4', '5']);
    expect(scopeVerdicts(scope({ mode: 'last', last: 2 }), shuffled, NOW)[0]).toEqual({ id: '2', keep: false, reason: 'notInLast' });
  });

  it('applies the maximum age and the title and category words on top of the mode', () => {
    expect([...inScope(scope({ maxAgeDays: 15 }), videos, NOW)].sort()).toEqual(['4', '5']);
    expect([...inScope(scope({ titleInclude: ['SPEEDRUN'] }), videos, NOW)].sort()).toEqual(['1', '5']);
    expect([...inScope(scope({ titleExclude: ['chatting'] }), videos, NOW)]).not.toContain('4');
    // Category words judge only videos whose category is known.
    expect([...inScope(scope({ categoryInclude: ['celeste'] }), videos, NOW)].sort()).toEqual(['1', '2', '3', '5']);
    expect(scopeVerdicts(scope({ categoryExclude: ['just chatting'] }), videos, NOW)[1].reason).toBe('categoryExcluded');
  });

  it('says what a choice means before the first check', () => {
    const p = scopePreview(scope({ mode: 'last', last: 3 }), videos, NOW);
    expect(p).toEqual({ vods: 3, durationSec: 6 * 3600, estimatedBytes: Math.round(6 * 3600 * ESTIMATE_BYTES_PER_SEC), skipped: 2 });
  });

  it('refuses "since" without a readable date, naming the field', () => {
    const r = SettingsSchema.safeParse({ twitch: { channels: [{ channel: 'alice', backup: { mode: 'since', since: 'soon' } }] } });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0].path.join('.')).toBe('twitch.channels.0.backup.since');
  });
});
