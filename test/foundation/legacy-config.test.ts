import { describe, expect, it } from 'vitest';
import { parseSettings } from '../../electron/contract/settings';
import { convertLegacyConfig, isLegacyConfig } from '../../electron/engine/settings/legacy-config';

/** The sample from the legacy tool's README, with real-looking values. */
export const legacySample = {
  TWITCH_CLIENT_ID: 'abcdefghijklmnopqrstuvwxyz0123',
  TWITCH_CLIENT_SECRET: 'supersecretclientsecret123456',
  TWITCH_CHANNEL_ID: '123456789',
  USER_AUTH_TOKEN: '<OPTIONAL_USER_OAUTH_TOKEN>',
  USER_REFRESH_TOKEN: '<OPTIONAL_REFRESH_TOKEN>',
  TELEGRAM_API_ID: '1234567',
  TELEGRAM_API_HASH: '0123456789abcdef0123456789abcdef',
  TELEGRAM_PHONE_NUMBER: '+393331234567',
  DATABASE_NAME: 'vods.db',
  TELEGRAM_CHANNELS: [
    { id: '-1001111111111', name: 'NomeCanale' },
    { id: '-1002222222222', name: 'NomeCanaleBackup' },
  ],
  VOD_SETTINGS: {
    MIN_RETRY_DELAY: 300,
    MAX_RETRY_DELAY: 86400,
    AUTO_CHECK_VODS: true,
    PHRASE_IN_THUMBNAIL_URL: ['404_processing'],
    VIDEO_QUALITY_VOD: ['best', '1080p60', '720p30'],
  },
  SPLIT_SETTINGS: {
    MAX_FILE_SIZE_MB: 2024,
    MIN_FILE_SIZE_MB: 1800,
    MAX_RETRIES_SPLIT: 10,
    MERGE_THRESHOLD_MB: 100,
    MID_TARGET_RATIO: 0.5,
    UPLOAD_DELAY: 3,
    PROCESSING_INTERVAL: 1800,
    DROP_SEGMENT_THRESHOLD_SEC: 30.0,
  },
  VOD_ORDERING: { field: 'created_at', order: 'asc' },
};

describe('legacy config.json conversion', () => {
  it('detects the legacy format', () => {
    expect(isLegacyConfig(legacySample)).toBe(true);
    expect(isLegacyConfig({ twitch: {} })).toBe(false);
  });

  it('maps every key of the sample, secrets apart from settings', () => {
    const c = convertLegacyConfig(legacySample);
    expect(c.unmapped).toEqual([]);
    expect(c.legacyDatabase).toBe('vods.db');
    expect(c.secrets).toEqual({ twitchClientSecret: 'supersecretclientsecret123456', telegramPhone: '+393331234567' });
    const parsed = parseSettings(c.settings);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    const s = parsed.settings;
    // The legacy tool waited for a broadcast to end: an imported config keeps that live mode.
    expect(s.twitch).toEqual({ clientId: 'abcdefghijklmnopqrstuvwxyz0123', channels: [{ channel: '123456789', destinations: [], liveMode: 'waitForEnd' }] });
    expect(s.telegram.apiId).toBe(1234567);
    expect(s.destinations.map((d) => d.kind === 'telegram' && d.chatId)).toEqual(['-1001111111111', '-1002222222222']);
    expect(s.split).toMatchObject({ maxFileSizeMB: 2024, minFileSizeMB: 1800, dropSegmentThresholdSec: 30 });
    expect(s.telegram.postDelaySec).toBe(3);
    expect(s.vod.qualities).toEqual(['best', '1080p60', '720p30']);
    expect(JSON.stringify(s)).not.toContain('supersecret');
    expect(JSON.stringify(s)).not.toContain('393331234567');
  });

  it('lists keys it cannot map and keeps bad values for the schema to name', () => {
    const c = convertLegacyConfig({ ...legacySample, SOMETHING_ELSE: 1, VOD_ORDERING: { field: 'title; DROP TABLE vods', order: 'asc' } });
    expect(c.unmapped).toEqual([{ key: 'SOMETHING_ELSE', reason: expect.stringContaining('not a setting') }]);
    const parsed = parseSettings(c.settings);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problems[0].path).toBe('ordering.field');
  });

  it('reads the phrase list from the level the legacy script looked at, and splits a joined quality string', () => {
    const { VOD_SETTINGS, ...rest } = legacySample;
    const c = convertLegacyConfig({
      ...rest,
      PHRASE_IN_THUMBNAIL_URL: ['processing'],
      VOD_SETTINGS: { ...VOD_SETTINGS, PHRASE_IN_THUMBNAIL_URL: undefined, VIDEO_QUALITY_VOD: 'best/1080p60/720p30' },
    });
    const parsed = parseSettings(c.settings);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
    expect(parsed.settings.vod.liveThumbnailPhrases).toEqual(['processing']);
    expect(parsed.settings.vod.qualities).toEqual(['best', '1080p60', '720p30']);
  });
});
