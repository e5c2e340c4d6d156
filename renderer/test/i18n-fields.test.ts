import { describe, expect, it } from 'vitest';
import { SettingsSchema, defaultSettings } from '../../electron/contract/settings';
import { MESSAGE_KEYS, pickLanguage, translate } from '../src/lib/i18n';
import { getAt } from '../src/lib/paths';
import { FIELDS, fromControl, toControl } from '../src/lib/settings-fields';

describe('dictionaries', () => {
  it('Italian has the same placeholders as English for every message, and no empty text', () => {
    const placeholders = (text: string) => (text.match(/\{\w+\}/g) ?? []).sort().join(',');
    expect(MESSAGE_KEYS.length).toBeGreaterThan(100);
    for (const key of MESSAGE_KEYS) {
      expect(placeholders(translate('it', key)), key).toBe(placeholders(translate('en', key)));
      expect(translate('it', key).trim(), key).not.toBe('');
    }
  });

  it('fills placeholders and picks the language from the setting or the browser', () => {
    expect(translate('en', 'vod.segments', { done: 3, total: 9 })).toBe('3/9 segments');
    expect(translate('it', 'vod.segments', { done: 3, total: 9 })).toBe('3/9 segmenti');
    expect(pickLanguage('auto', 'it-IT')).toBe('it');
    expect(pickLanguage('auto', 'de-DE')).toBe('en');
    expect(pickLanguage('en', 'it-IT')).toBe('en');
  });
});

describe('settings form covers the schema', () => {
  const custom = ['version', 'twitch.channels', 'destinations', 'advanced.telegramServer'];
  const leaves = (o: unknown, prefix = ''): string[] =>
    o && typeof o === 'object' && !Array.isArray(o) ? Object.entries(o).flatMap(([k, v]) => leaves(v, prefix ? `${prefix}.${k}` : k)) : [prefix];

  it('has a control for every setting, and every control names a real setting', () => {
    const defaults = defaultSettings();
    const paths = Object.values(FIELDS).flatMap((f) => f.map((d) => d.path));
    const missing = leaves(defaults).filter((p) => !custom.some((c) => p === c || p.startsWith(`${c}.`)) && !paths.includes(p));
    expect(missing).toEqual([]);
    for (const p of paths) expect(getAt(defaults, p), p).not.toBeUndefined();
  });

  it('round-trips every default through its control without changing it', () => {
    const defaults = defaultSettings();
    for (const def of Object.values(FIELDS).flat()) {
      const value = getAt(defaults, def.path);
      expect(fromControl(def.kind, toControl(def.kind, value)), def.path).toEqual(value);
    }
    // Unparseable numbers reach the schema as text so it can say what is wrong.
    expect(fromControl('int', '12x')).toBe('12x');
    expect(fromControl('nullableInt', '')).toBeNull();
    expect(SettingsSchema.safeParse({ vod: { maxRetries: fromControl('int', '12x') } }).success).toBe(false);
  });
});
