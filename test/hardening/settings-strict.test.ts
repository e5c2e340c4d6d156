import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatProblems, parseSettings, SettingsSchema, type Problem } from '../../electron/contract/settings';
import { convertLegacyConfig } from '../../electron/engine/settings/legacy-config';

/**
 * Settings are strict at every level and every refusal names its field. The audit's cases first,
 * then fast-check: random unknown keys anywhere, random wrong-typed values at every leaf, bad time
 * zones and placeholders; the parser must answer (never throw) with a problem at that path.
 */
const problemsOf = (input: unknown): Problem[] => {
  const result = parseSettings(input);
  return result.ok ? [] : result.problems;
};

/** A valid settings object with every kind of nesting (arrays of objects, a union, a nullable object). */
const rich = SettingsSchema.parse({
  twitch: { clientId: 'abc', channels: [{ channel: 'somebody', destinations: ['tg:-1001234567890/3'] }] },
  telegram: { apiId: 12345, apiHash: '0123456789abcdef0123456789abcdef', timeZone: 'Europe/Madrid' },
  destinations: [
    { kind: 'telegram', name: 'Main', chatId: '-1001234567890', topicId: 3 },
    { kind: 'folder', name: 'NAS', path: '/srv/vods' },
  ],
  advanced: { telegramServer: { host: '127.0.0.1', port: 443, dcId: 2, publicKeyPem: '-----BEGIN RSA PUBLIC KEY-----' } },
});

/** The legacy tool's README sample (shortened). */
const legacySample = {
  TWITCH_CLIENT_ID: 'abcdefghijklmnopqrstuvwxyz0123',
  TWITCH_CLIENT_SECRET: 'supersecretclientsecret123456',
  TWITCH_CHANNEL_ID: '123456789',
  TELEGRAM_API_ID: '1234567',
  TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
  TELEGRAM_PHONE_NUMBER: '+393331234567',
  TELEGRAM_CHANNELS: [{ id: '-1001111111111', name: 'NomeCanale' }],
  VOD_SETTINGS: { MIN_RETRY_DELAY: 300, AUTO_CHECK_VODS: true, VIDEO_QUALITY_VOD: 'best/1080p60' },
  SPLIT_SETTINGS: { MAX_FILE_SIZE_MB: 2024, MIN_FILE_SIZE_MB: 1800 },
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
/** Every path to an object (where an unknown key can go) and to a leaf (whose type can be wrong). */
function walk(value: Json, path: string[] = [], out = { objects: [] as string[][], leaves: [] as Array<{ path: string[]; value: Json }> }) {
  if (Array.isArray(value)) value.forEach((v, i) => walk(v, [...path, String(i)], out));
  else if (value !== null && typeof value === 'object') {
    out.objects.push(path);
    for (const [k, v] of Object.entries(value)) walk(v, [...path, k], out);
  } else out.leaves.push({ path, value });
  return out;
}
const { objects, leaves } = walk(rich as unknown as Json);

function withValue(path: string[], value: unknown): Json {
  const copy = structuredClone(rich) as unknown as Json;
  let node = copy as Record<string, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string, unknown>;
  node[path[path.length - 1]!] = value;
  return copy;
}

/** A value of a JSON type other than the leaf's own (the schema never coerces). */
const wrongType = (leaf: Json): fc.Arbitrary<unknown> => {
  const options: Array<fc.Arbitrary<unknown>> = [fc.constant([]), fc.constant({ nested: 1 })];
  if (typeof leaf !== 'string') options.push(fc.string({ maxLength: 8 }));
  if (typeof leaf !== 'number') options.push(fc.double({ noNaN: true }));
  if (typeof leaf !== 'boolean') options.push(fc.boolean());
  return fc.oneof(...options);
};

describe('strict settings: the audit cases', () => {
  it('names a misspelt nested key by its full path and suggests the right one', () => {
    expect(problemsOf({ split: { maxFileSizeMb: 1000 } })).toEqual([{ path: 'split.maxFileSizeMb', message: expect.stringContaining('did you mean maxFileSizeMB?') }]);
    expect(problemsOf({ vod: { maxRetrys: 0 } })[0]).toMatchObject({ path: 'vod.maxRetrys', message: expect.stringContaining('maxRetries') });
    expect(problemsOf({ destinations: [{ kind: 'folder', name: 'a', path: '/x', pth: 1 }] })[0]?.path).toBe('destinations.0.pth');
    expect(problemsOf({ advanced: { tools: { ffmpg: '/x' } } })[0]?.path).toBe('advanced.tools.ffmpg');
  });

  it('checks the time zone with Intl', () => {
    expect(problemsOf({ telegram: { timeZone: 'Europe/Madird' } })[0]).toMatchObject({ path: 'telegram.timeZone', message: expect.stringContaining('Europe/Madird') });
    for (const zone of ['', 'UTC', 'Europe/Madrid', 'America/Argentina/Buenos_Aires']) expect(problemsOf({ telegram: { timeZone: zone } })).toEqual([]);
  });

  it('names an unknown caption placeholder', () => {
    expect(problemsOf({ telegram: { captionTemplate: '{title} {titel} Part {part}/{parts}' } })[0]).toMatchObject({
      path: 'telegram.captionTemplate',
      message: expect.stringContaining('{titel} is not a placeholder'),
    });
    expect(problemsOf({ telegram: { captionTemplate: '<b>{title}</b> {date} {time} {channel} {duration} {url} {part}/{parts}' } })).toEqual([]);
  });

  it('refuses wrong types in a legacy config.json instead of coercing them', () => {
    const object = convertLegacyConfig({ ...legacySample, TWITCH_CLIENT_ID: { id: 'x' } });
    expect(object.invalid).toEqual([{ path: 'TWITCH_CLIENT_ID', message: 'must be a string, got an object' }]);
    expect(object.settings.twitch?.clientId).toBeUndefined();
    const bool = convertLegacyConfig({ ...legacySample, TELEGRAM_API_ID: true });
    expect(bool.invalid).toEqual([{ path: 'TELEGRAM_API_ID', message: 'must be a number, got boolean true' }]);
    const nested = convertLegacyConfig({ ...legacySample, SPLIT_SETTINGS: { MAX_FILE_SIZE_MB: '2000', UPLOAD_DELAY: [1] } });
    expect(nested.invalid.map((p) => p.path)).toEqual(['SPLIT_SETTINGS.UPLOAD_DELAY']);
    expect(nested.settings.split?.maxFileSizeMB).toBe(2000);
    expect(convertLegacyConfig(legacySample).invalid).toEqual([]);
  });
});

describe('strict settings: properties', () => {
  it('the rich sample itself is valid', () => {
    expect(problemsOf(rich)).toEqual([]);
    expect(objects.length).toBeGreaterThan(10);
    expect(leaves.length).toBeGreaterThan(40);
  });

  it('an unknown key at any level is an error at its own path', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/);
    fc.assert(
      fc.property(fc.constantFrom(...objects), key, fc.jsonValue(), (at, name, value) => {
        const known = Object.keys(at.reduce<Record<string, unknown>>((n, k) => n[k] as Record<string, unknown>, rich as never));
        fc.pre(!known.includes(name));
        const problems = problemsOf(withValue([...at, name], value));
        const path = [...at, name].join('.');
        expect(problems).toContainEqual({ path, message: expect.stringContaining('is not a setting') });
        expect(formatProblems(problems)).toContain(`- ${path}: `);
      }),
      { numRuns: 400 },
    );
  });

  it('a value of the wrong type at any leaf is an error naming that leaf', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...leaves).chain((leaf) => fc.tuple(fc.constant(leaf), wrongType(leaf.value))),
        ([leaf, value]) => {
          const problems = problemsOf(withValue(leaf.path, value));
          expect(problems.length).toBeGreaterThan(0);
          const path = leaf.path.join('.');
          // A union (destination kind) reports at the object; everything else at the leaf itself.
          expect(problems.some((p) => p.path === path || path.startsWith(`${p.path}.`))).toBe(true);
          for (const p of problems) expect(p.message.length).toBeGreaterThan(3);
        },
      ),
      { numRuns: 600 },
    );
  });

  it('any string that Intl refuses as a zone is refused by name; any {word} not a placeholder names itself', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 30 }), (zone) => {
        let intl = true;
        try {
          new Intl.DateTimeFormat('en', { timeZone: zone.trim() });
        } catch {
          intl = false;
        }
        const problems = problemsOf({ telegram: { timeZone: zone } });
        expect(problems.length === 0).toBe(zone.trim() === '' || intl);
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[^{}]{1,12}$/), (word) => {
        fc.pre(!['title', 'channel', 'date', 'time', 'part', 'parts', 'duration', 'url'].includes(word));
        expect(problemsOf({ telegram: { captionTemplate: `{title} {${word}}` } })).toContainEqual({
          path: 'telegram.captionTemplate',
          message: expect.stringContaining(`{${word}} is not a placeholder`),
        });
      }),
      { numRuns: 300 },
    );
  });

  it('a legacy config with any wrong-typed value names the legacy key and never throws', () => {
    const typed: Record<string, 'text' | 'number'> = {
      TWITCH_CLIENT_ID: 'text',
      TWITCH_CLIENT_SECRET: 'text',
      TELEGRAM_API_ID: 'number',
      TELEGRAM_API_HASH: 'text',
      TELEGRAM_PHONE_NUMBER: 'text',
    };
    const bad = fc.oneof(fc.boolean(), fc.constant({ a: 1 }), fc.array(fc.integer(), { minLength: 1, maxLength: 3 }));
    fc.assert(
      fc.property(fc.constantFrom(...Object.keys(typed)), bad, (key, value) => {
        const conversion = convertLegacyConfig({ ...legacySample, [key]: value });
        expect(conversion.invalid).toContainEqual({ path: key, message: expect.stringMatching(/^must be a (string|number), got /) });
      }),
      { numRuns: 200 },
    );
  });
});
