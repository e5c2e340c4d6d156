import type { Secrets, SettingsInput } from '../../contract/settings';

/**
 * Converts the legacy Python tool's `config.json` into product settings plus secrets. Pure: no
 * files, no validation beyond shape (the settings schema validates the result). Every legacy key
 * either maps somewhere or is listed in `unmapped` with the reason.
 */
export interface LegacyConversion {
  settings: SettingsInput;
  secrets: Secrets;
  unmapped: Array<{ key: string; reason: string }>;
  notes: string[];
  /** DATABASE_NAME: the legacy `vods.db` to import (relative to the config file). */
  legacyDatabase?: string;
}

const LEGACY_TOP_KEYS = [
  'TWITCH_CLIENT_ID', 'TWITCH_CLIENT_SECRET', 'TWITCH_CHANNEL_ID', 'USER_AUTH_TOKEN', 'USER_REFRESH_TOKEN', 'TELEGRAM_API_ID',
  'TELEGRAM_API_HASH', 'TELEGRAM_PHONE_NUMBER', 'DATABASE_NAME', 'TELEGRAM_CHANNELS', 'VOD_SETTINGS', 'SPLIT_SETTINGS', 'VOD_ORDERING',
];

export function isLegacyConfig(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && LEGACY_TOP_KEYS.some((k) => k in value);
}

/** The sample config's `<YOUR_…>` placeholders mean "not set". */
const isPlaceholder = (v: unknown) => typeof v === 'string' && /^<[^>]*>$/.test(v.trim());
const text = (v: unknown): string | undefined => (v === undefined || v === null || isPlaceholder(v) ? undefined : String(v).trim() || undefined);
const num = (v: unknown): number | undefined => {
  if (v === undefined || v === null || v === '' || isPlaceholder(v)) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : (v as number); // keep the bad value so the schema names it
};

export function convertLegacyConfig(legacy: Record<string, unknown>): LegacyConversion {
  const unmapped: LegacyConversion['unmapped'] = [];
  const notes: string[] = [];
  const secrets: Secrets = {};
  const s: Record<string, Record<string, unknown> | unknown[]> = { twitch: {}, telegram: {}, vod: {}, split: {}, ordering: {} };
  const twitch = s.twitch as Record<string, unknown>;
  const telegram = s.telegram as Record<string, unknown>;
  const vod = s.vod as Record<string, unknown>;
  const split = s.split as Record<string, unknown>;
  const ordering = s.ordering as Record<string, unknown>;
  let legacyDatabase: string | undefined;

  for (const [key, value] of Object.entries(legacy)) {
    switch (key) {
      case 'TWITCH_CLIENT_ID':
        if (text(value)) twitch.clientId = text(value);
        break;
      case 'TWITCH_CLIENT_SECRET':
        if (text(value)) secrets.twitchClientSecret = text(value);
        break;
      case 'TWITCH_CHANNEL_ID':
        if (text(value)) twitch.channels = [{ channel: text(value) }];
        break;
      case 'USER_AUTH_TOKEN':
        if (text(value)) secrets.twitchUserToken = text(value);
        break;
      case 'USER_REFRESH_TOKEN':
        if (text(value)) secrets.twitchRefreshToken = text(value);
        break;
      case 'TELEGRAM_API_ID':
        if (num(value) !== undefined) telegram.apiId = num(value);
        break;
      case 'TELEGRAM_API_HASH':
        if (text(value)) telegram.apiHash = text(value);
        break;
      case 'TELEGRAM_PHONE_NUMBER':
        if (text(value)) secrets.telegramPhone = text(value);
        break;
      case 'DATABASE_NAME':
        // The legacy database is imported, never opened in place: it names the import source.
        if (text(value)) legacyDatabase = text(value);
        break;
      case 'TELEGRAM_CHANNELS':
        if (Array.isArray(value)) {
          s.destinations = value.map((c: Record<string, unknown> | null, i) => ({
            kind: 'telegram',
            name: text(c?.name) ?? `Channel ${i + 1}`,
            chatId: text(c?.id) ?? '',
          }));
        } else unmapped.push({ key, reason: 'must be a list of {"id", "name"} objects' });
        break;
      case 'VOD_SETTINGS':
        mapSection(key, value, unmapped, {
          MIN_RETRY_DELAY: [vod, 'minRetryDelaySec', num],
          MAX_RETRY_DELAY: [vod, 'maxRetryDelaySec', num],
          MAX_RETRIES: [vod, 'maxRetries', num],
          AUTO_CHECK_VODS: [vod, 'autoCheck', (v) => v],
          PHRASE_IN_THUMBNAIL_URL: [vod, 'liveThumbnailPhrases', phraseList],
          VIDEO_QUALITY_VOD: [vod, 'qualities', qualityList],
        });
        break;
      case 'SPLIT_SETTINGS':
        mapSection(key, value, unmapped, {
          MAX_FILE_SIZE_MB: [split, 'maxFileSizeMB', num],
          MIN_FILE_SIZE_MB: [split, 'minFileSizeMB', num],
          MAX_RETRIES_SPLIT: [split, 'maxRetriesSplit', num],
          MERGE_THRESHOLD_MB: [split, 'mergeThresholdMB', num],
          MID_TARGET_RATIO: [split, 'midTargetRatio', num],
          // Settings v2 keys (settings-migrations.ts): checking and posting, not splitting.
          UPLOAD_DELAY: [telegram, 'postDelaySec', num],
          PROCESSING_INTERVAL: [vod, 'checkIntervalSec', num],
          DROP_SEGMENT_THRESHOLD_SEC: [split, 'dropSegmentThresholdSec', num],
        });
        break;
      case 'VOD_ORDERING':
        mapSection(key, value, unmapped, { field: [ordering, 'field', (v) => v], order: [ordering, 'order', (v) => String(v).toLowerCase()] });
        break;
      // The legacy script read these from the top level by mistake; accept them there too.
      case 'PHRASE_IN_THUMBNAIL_URL':
        vod.liveThumbnailPhrases ??= phraseList(value);
        notes.push('PHRASE_IN_THUMBNAIL_URL was found at the top level (where the legacy script looked for it); it is used.');
        break;
      case 'MAX_RETRIES':
        vod.maxRetries ??= num(value);
        break;
      default:
        unmapped.push({ key, reason: 'not a setting of the legacy tool that this app knows' });
    }
  }
  if (secrets.twitchClientSecret || secrets.twitchUserToken || secrets.telegramPhone) {
    notes.push('Secrets from config.json are kept apart from settings (encrypted in the app; in a 0600 secrets file or environment variables in headless mode).');
  }
  return { settings: s as SettingsInput, secrets, unmapped, notes, legacyDatabase };
}

type Mapping = Record<string, [Record<string, unknown>, string, (v: unknown) => unknown]>;

function mapSection(section: string, value: unknown, unmapped: LegacyConversion['unmapped'], mapping: Mapping): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    unmapped.push({ key: section, reason: 'must be an object' });
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const target = mapping[key];
    if (!target) {
      unmapped.push({ key: `${section}.${key}`, reason: 'not a setting of the legacy tool that this app knows' });
      continue;
    }
    const converted = target[2](v);
    if (converted !== undefined) target[0][target[1]] = converted;
  }
}

const phraseList = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? [v] : v);
/** The legacy tool joined these with "/"; a list of qualities in order is what it meant. */
const qualityList = (v: unknown) => (Array.isArray(v) ? v.map(String) : typeof v === 'string' ? v.split('/').map((q) => q.trim()).filter(Boolean) : v);
