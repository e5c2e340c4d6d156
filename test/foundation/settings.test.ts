import { describe, expect, it } from 'vitest';
import { defaultSettings, destinationsFor, parseSettings, readinessProblems, secretsPresence } from '../../electron/contract/settings';

const problemsOf = (input: unknown) => {
  const r = parseSettings(input);
  if (r.ok) throw new Error('expected problems');
  return r.problems;
};

describe('settings schema', () => {
  it('fills every default from an empty object', () => {
    const s = defaultSettings();
    expect(s.vod.minRetryDelaySec).toBe(300);
    expect(s.vod.maxRetries).toBe(5);
    expect(s.vod.liveThumbnailPhrases).toEqual(['404_processing']);
    expect(s.ordering).toEqual({ field: 'created_at', order: 'asc' });
    expect(s.advanced.twitch.helixUrl).toBe('https://api.twitch.tv/helix');
  });

  it('names the field and the rule for each problem', () => {
    const problems = problemsOf({
      ordering: { field: 'title', order: 'up' },
      destinations: [{ kind: 'telegram', name: 'Main', chatId: 'abc' }],
      vod: { minRetryDelaySec: -1 },
    });
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p.message]));
    expect(byPath['ordering.field']).toMatch(/created_at.*duration/);
    expect(byPath['ordering.order']).toMatch(/asc.*desc/);
    expect(byPath['destinations.0.chatId']).toMatch(/-100/);
    expect(byPath['vod.minRetryDelaySec']).toMatch(/>0|positive|greater/i);
  });

  it('requires MIN_FILE_SIZE_MB below MAX_FILE_SIZE_MB', () => {
    const problems = problemsOf({ split: { minFileSizeMB: 2000, maxFileSizeMB: 1500 } });
    expect(problems).toEqual([{ path: 'split.minFileSizeMB', message: 'must be below split.maxFileSizeMB (1500)' }]);
  });

  it('rejects unknown keys instead of silently ignoring them', () => {
    expect(problemsOf({ twitch: { clientId: 'x' }, tpyo: 1 })[0].message).toMatch(/tpyo/);
  });

  it('rejects channel destinations that name no configured destination', () => {
    const problems = problemsOf({
      twitch: { channels: [{ channel: 'somestreamer', destinations: ['tg:-1009999999999'] }] },
      destinations: [{ kind: 'telegram', name: 'Main', chatId: '-1001234567890' }],
    });
    expect(problems[0].path).toBe('twitch.channels.0.destinations.0');
  });

  it('lists what a run still needs', () => {
    const missing = readinessProblems(defaultSettings(), secretsPresence({})).map((p) => p.path);
    expect(missing).toEqual(['twitch.clientId', 'secrets.twitchClientSecret', 'twitch.channels', 'destinations']);
    const tg = parseSettings({
      twitch: { clientId: 'abc', channels: [{ channel: 'somestreamer' }] },
      destinations: [{ kind: 'telegram', name: 'Main', chatId: '-1001234567890' }],
    });
    if (!tg.ok) throw new Error('valid');
    expect(readinessProblems(tg.settings, secretsPresence({ twitchClientSecret: 's' })).map((p) => p.path)).toEqual(['telegram.apiId', 'telegram.apiHash']);
  });

  it('routes a channel to its own destinations, or to all when it names none', () => {
    const r = parseSettings({
      twitch: { channels: [{ channel: 'a_streamer', destinations: ['dir:/backup'] }, { channel: '12345' }] },
      destinations: [
        { kind: 'telegram', name: 'Main', chatId: '-1001234567890' },
        { kind: 'folder', name: 'NAS', path: '/backup' },
      ],
    });
    if (!r.ok) throw new Error(JSON.stringify(r.problems));
    expect(destinationsFor(r.settings, 'A_Streamer').map((d) => d.name)).toEqual(['NAS']);
    expect(destinationsFor(r.settings, '12345').map((d) => d.name)).toEqual(['Main', 'NAS']);
  });
});
