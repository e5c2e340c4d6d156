import type { Problem, Secrets, SettingsInput } from '../../contract/settings';

/**
 * Converts the legacy Python tool's `config.json` into product settings plus secrets. Pure: no
 * files. Values of the wrong JSON type are refused in `invalid` (named by their legacy key), never
 * coerced: an object is not a client id and `true` is not an API id. Numbers written as strings
 * ("1234567") are read, as the legacy tool did. The settings schema validates the rest. Every
 * legacy key either maps somewhere or is listed in `unmapped` with the reason.
 */
export interface LegacyConversion {
  settings: SettingsInput;
  secrets: Secrets;
  unmapped: Array<{ key: string; reason: string }>;
  notes: string[];
  /** Values of the wrong type, by legacy key (`SPLIT_SETTINGS.MAX_FILE_SIZE_MB`): the config cannot be used until fixed. */
  invalid: Problem[];
  /** DATABASE_NAME: the legacy `vods.db` to import (relative to the config file). */
  legacyDatabase?: string;
}

const LEGACY_TOP_KEYS = [
  'TWITCH_CLIENT_ID',
  'TWITCH_CLIENT_SECRET',
  'TWITCH_CHANNEL_ID',
  'USER_AUTH_TOKEN',
  'USER_REFRESH_TOKEN',
  'TELEGRAM_API_ID',
  'TELEGRAM_API_HASH',
  'TELEGRAM_PHONE_NUMBER',
  'DATABASE_NAME',
  'TELEGRAM_CHANNELS',
  'VOD_SETTINGS',
  'SPLIT_SETTINGS',
  'VOD_ORDERING',
];

export function isLegacyConfig(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && LEGACY_TOP_KEYS.some((k) => k in value);
}

/** The sample config's `<YOUR_…>` placeholders mean "not set". */
const isPlaceholder = (v: unknown) => typeof v === 'string' && /^<[^>]*>$/.test(v.trim());
const unset = (v: unknown) => v === undefined || v === null || v === '' || isPlaceholder(v);
const typeName = (v: unknown) => (Array.isArray(v) ? 'a list' : v === null ? 'null' : typeof v === 'object' ? 'an object' : `${typeof v} ${JSON.stringify(v)}`);

/** Readers that record a wrong type in `invalid` (and return undefined) instead of coercing it. */
function readers(invalid: Problem[]) {
  const refuse = (key: string, v: unknown, want: string) => {
    invalid.push({ path: key, message: `must be ${want}, got ${typeName(v)}` });
    return undefined;
  };
  const text = (key: string, v: unknown): string | undefined => {
    if (unset(v)) return undefined;
    // Ids were sometimes written as JSON numbers (TWITCH_CHANNEL_ID: 123456): their digits are the text.
    if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
    return typeof v === 'string' ? v.trim() || undefined : refuse(key, v, 'a string');
  };
  const num = (key: string, v: unknown): number | undefined => {
    if (unset(v)) return undefined;
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && /^\s*-?\d+(?:\.\d+)?\s*$/.test(v)) return Number(v);
    return refuse(key, v, 'a number');
  };
  const bool = (key: string, v: unknown): boolean | undefined => (unset(v) ? undefined : typeof v === 'boolean' ? v : refuse(key, v, 'true or false'));
  const list = (key: string, v: unknown, split?: string): string[] | undefined => {
    if (unset(v)) return undefined;
    if (typeof v === 'string')
      return split
        ? v
            .split(split)
            .map((q) => q.trim())
            .filter(Boolean)
        : [v];
    if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v;
    return refuse(key, v, 'a list of strings');
  };
  return { text, num, bool, list, refuse };
}

/** What one conversion builds up, key by key. */
interface Conversion {
  s: Record<string, unknown>;
  twitch: Record<string, unknown>;
  telegram: Record<string, unknown>;
  vod: Record<string, unknown>;
  split: Record<string, unknown>;
  ordering: Record<string, unknown>;
  secrets: Secrets;
  unmapped: LegacyConversion['unmapped'];
  notes: string[];
  read: ReturnType<typeof readers>;
  legacyDatabase?: string;
}

/** Keys that map one to one onto a setting or a secret. */
const SIMPLE_KEYS: Record<string, [target: 'twitch' | 'telegram' | 'secrets', field: string, reader: 'text' | 'num']> = {
  TWITCH_CLIENT_ID: ['twitch', 'clientId', 'text'],
  TWITCH_CLIENT_SECRET: ['secrets', 'twitchClientSecret', 'text'],
  USER_AUTH_TOKEN: ['secrets', 'twitchUserToken', 'text'],
  USER_REFRESH_TOKEN: ['secrets', 'twitchRefreshToken', 'text'],
  TELEGRAM_API_ID: ['telegram', 'apiId', 'num'],
  TELEGRAM_API_HASH: ['telegram', 'apiHash', 'text'],
  TELEGRAM_PHONE_NUMBER: ['secrets', 'telegramPhone', 'text'],
};

export function convertLegacyConfig(legacy: Record<string, unknown>): LegacyConversion {
  const invalid: Problem[] = [];
  const twitch = {};
  const telegram = {};
  const vod = {};
  const split = {};
  const ordering = {};
  const c: Conversion = {
    s: { twitch, telegram, vod, split, ordering },
    twitch,
    telegram,
    vod,
    split,
    ordering,
    secrets: {},
    unmapped: [],
    notes: [],
    read: readers(invalid),
  };
  for (const [key, value] of Object.entries(legacy)) {
    const simple = SIMPLE_KEYS[key];
    if (simple) {
      const [target, field, reader] = simple;
      const v = c.read[reader](key, value);
      if (v !== undefined) (c[target] as Record<string, unknown>)[field] = v;
    } else mapKey(c, key, value);
  }
  const { secrets, notes } = c;
  if (secrets.twitchClientSecret || secrets.twitchUserToken || secrets.telegramPhone) {
    notes.push('Secrets from config.json are kept apart from settings (encrypted in the app; in a 0600 secrets file or environment variables in headless mode).');
  }
  return { settings: c.s as SettingsInput, secrets, unmapped: c.unmapped, notes, invalid, legacyDatabase: c.legacyDatabase };
}

function mapKey(c: Conversion, key: string, value: unknown): void {
  const { text, num, bool, list, refuse } = c.read;
  const { vod, split, telegram, ordering, unmapped } = c;
  switch (key) {
    case 'TWITCH_CHANNEL_ID': {
      const channel = text(key, value);
      // The legacy tool waited for a broadcast to end before backing it up.
      if (channel) c.twitch.channels = [{ channel, liveMode: 'waitForEnd' }];
      break;
    }
    case 'DATABASE_NAME':
      // The legacy database is imported, never opened in place: it names the import source.
      c.legacyDatabase = text(key, value);
      break;
    case 'TELEGRAM_CHANNELS':
      if (Array.isArray(value)) {
        c.s.destinations = value.map((d: unknown, i) => {
          const entry = typeof d === 'object' && d !== null && !Array.isArray(d) ? (d as Record<string, unknown>) : (refuse(`${key}.${i}`, d, 'an {"id", "name"} object') ?? {});
          return { kind: 'telegram', name: text(`${key}.${i}.name`, entry.name) ?? `Channel ${i + 1}`, chatId: text(`${key}.${i}.id`, entry.id) ?? '' };
        });
      } else refuse(key, value, 'a list of {"id", "name"} objects');
      break;
    case 'VOD_SETTINGS':
      mapSection(key, value, unmapped, refuse, {
        MIN_RETRY_DELAY: [vod, 'minRetryDelaySec', num],
        MAX_RETRY_DELAY: [vod, 'maxRetryDelaySec', num],
        MAX_RETRIES: [vod, 'maxRetries', num],
        AUTO_CHECK_VODS: [vod, 'autoCheck', bool],
        PHRASE_IN_THUMBNAIL_URL: [vod, 'liveThumbnailPhrases', (k, v) => list(k, v)],
        // The legacy tool joined these with "/": a list of qualities in order is what it meant.
        VIDEO_QUALITY_VOD: [vod, 'qualities', (k, v) => list(k, v, '/')],
      });
      break;
    case 'SPLIT_SETTINGS':
      mapSection(key, value, unmapped, refuse, {
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
      mapSection(key, value, unmapped, refuse, { field: [ordering, 'field', text], order: [ordering, 'order', (k, v) => text(k, v)?.toLowerCase()] });
      break;
    // The legacy script read these from the top level by mistake; accept them there too.
    case 'PHRASE_IN_THUMBNAIL_URL':
      vod.liveThumbnailPhrases ??= list(key, value);
      c.notes.push('PHRASE_IN_THUMBNAIL_URL was found at the top level (where the legacy script looked for it); it is used.');
      break;
    case 'MAX_RETRIES':
      vod.maxRetries ??= num(key, value);
      break;
    default:
      unmapped.push({ key, reason: 'not a setting of the legacy tool that this app knows' });
  }
}

type Reader = (key: string, v: unknown) => unknown;
type Mapping = Record<string, [Record<string, unknown>, string, Reader]>;

function mapSection(section: string, value: unknown, unmapped: LegacyConversion['unmapped'], refuse: (key: string, v: unknown, want: string) => undefined, mapping: Mapping): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    refuse(section, value, 'an object');
    return;
  }
  for (const [key, v] of Object.entries(value)) {
    const target = mapping[key];
    if (!target) {
      unmapped.push({ key: `${section}.${key}`, reason: 'not a setting of the legacy tool that this app knows' });
      continue;
    }
    const converted = target[2](`${section}.${key}`, v);
    if (converted !== undefined) target[0][target[1]] = converted;
  }
}
