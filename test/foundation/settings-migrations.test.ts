import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseSettings } from '../../electron/contract/settings';
import { SETTINGS_VERSION, migrateSettings } from '../../electron/contract/settings-migrations';
import { loadConfigFile, ConfigError } from '../../electron/engine/settings/config-file';
import { convertLegacyConfig } from '../../electron/engine/settings/legacy-config';

const dir = mkdtempSync(join(tmpdir(), 'tvb-migrate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Settings as version 1 of the app saved them (split held the check interval and the post pause). */
const v1 = () => ({
  version: 1,
  twitch: { clientId: 'abc', channels: [{ channel: 'streamer' }] },
  destinations: [{ kind: 'folder', name: 'Archive', path: '/srv/archive' }],
  split: { maxFileSizeMB: 2000, minFileSizeMB: 100, processingIntervalSec: 900, uploadDelaySec: 7 },
  vod: { maxRetries: 3 },
});

describe('settings v1 -> v2: check interval and post pause leave "split"', () => {
  it('moves both keys, keeps every other value, and the result validates as the current version', () => {
    const input = v1();
    const result = migrateSettings(input);
    if (!result.ok) throw new Error(result.message);
    expect(result.from).toBe(1);
    expect(result.applied).toEqual(['settings v1 -> v2: split.processingIntervalSec -> vod.checkIntervalSec, split.uploadDelaySec -> telegram.postDelaySec']);
    const parsed = parseSettings(result.settings);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.settings.version).toBe(SETTINGS_VERSION);
    expect(parsed.settings.vod).toMatchObject({ checkIntervalSec: 900, maxRetries: 3 });
    expect(parsed.settings.telegram.postDelaySec).toBe(7);
    expect(parsed.settings.split).toMatchObject({ maxFileSizeMB: 2000, minFileSizeMB: 100 });
    expect(parsed.settings.split).not.toHaveProperty('processingIntervalSec');
    expect(input).toEqual(v1()); // the input is not changed
  });

  it('the v1 shape alone no longer validates (why the migration exists)', () => {
    const parsed = parseSettings(v1());
    expect(parsed.ok).toBe(false);
  });

  it('treats a file without version as v1, leaves current settings alone, and refuses a newer or bogus version', () => {
    const { version: _omit, ...unversioned } = v1();
    const r = migrateSettings(unversioned);
    expect(r.ok && (r.settings as { vod: { checkIntervalSec: number } }).vod.checkIntervalSec).toBe(900);
    // Without `version` but already in the new shape: nothing to report.
    expect(migrateSettings({ vod: { checkIntervalSec: 60 } })).toMatchObject({ ok: true, applied: [], settings: { version: SETTINGS_VERSION } });
    const current = { version: SETTINGS_VERSION, vod: { checkIntervalSec: 60 } };
    expect(migrateSettings(current)).toEqual({ ok: true, settings: current, from: SETTINGS_VERSION, applied: [] });
    expect(migrateSettings({ version: SETTINGS_VERSION + 1 })).toMatchObject({ ok: false, message: expect.stringMatching(/saved by a newer version of the app/) });
    expect(migrateSettings({ version: 'two' })).toMatchObject({ ok: false, message: expect.stringMatching(/whole number/) });
  });

  it('a headless settings file of v1 is read with the new keys, noted, and never rewritten', () => {
    const file = join(dir, 'settings.json');
    const text = JSON.stringify(v1(), null, 2);
    writeFileSync(file, text);
    const loaded = loadConfigFile(file, { env: {} });
    expect(loaded.settings.vod.checkIntervalSec).toBe(900);
    expect(loaded.settings.telegram.postDelaySec).toBe(7);
    expect(loaded.notes.join('\n')).toMatch(/settings v1 -> v2: .*\(in memory; .*settings\.json is unchanged until settings are saved\)/);
    expect(readFileSync(file, 'utf8')).toBe(text);
    writeFileSync(file, JSON.stringify({ version: 99 }));
    expect(() => loadConfigFile(file, { env: {} })).toThrow(ConfigError);
  });

  it('the legacy config.json importer maps UPLOAD_DELAY and PROCESSING_INTERVAL to the new keys', () => {
    const { settings } = convertLegacyConfig({ TWITCH_CLIENT_ID: 'abc', SPLIT_SETTINGS: { UPLOAD_DELAY: 5, PROCESSING_INTERVAL: 600 } });
    const parsed = parseSettings(settings);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.settings.telegram.postDelaySec).toBe(5);
    expect(parsed.settings.vod.checkIntervalSec).toBe(600);
  });
});
