import { z } from 'zod';
import { knownKeysAt, unknownKeyMessage } from './schema-keys';
import { SETTINGS_VERSION } from './settings-migrations';

/**
 * The one settings schema: the settings form, the engine and the legacy `config.json` importer all
 * use it. Every key of the legacy config has a home here (see LEGACY_KEYS); secrets do not: they
 * live apart (see `Secrets`) and never enter a settings file.
 *
 * Every field has a default so a half-filled form still parses; what a run needs on top of a valid
 * shape (a client id, a channel, a destination...) is checked by `readinessProblems`.
 *
 * Every object is strict, at every level: a misspelt key (`split.maxFileSizeMb`) is an error naming
 * its path, never silently dropped (a dropped key would run with the default instead).
 */

export const DEFAULT_TWITCH_ENDPOINTS = {
  authUrl: 'https://id.twitch.tv/oauth2',
  helixUrl: 'https://api.twitch.tv/helix',
  gqlUrl: 'https://gql.twitch.tv/gql',
  usherUrl: 'https://usher.ttvnw.net',
  vodPageUrl: 'https://www.twitch.tv/videos',
} as const;

/** Twitch login (4-25 chars of a-z, 0-9, _) or numeric user id. */
const twitchChannelRef = z
  .string()
  .trim()
  .regex(/^(?:\d{1,20}|[A-Za-z0-9_]{3,25})$/, 'must be a Twitch login name (letters, digits, _) or a numeric user id');

/** Bot-API style chat id (`-100…` channel/supergroup, `-…` group, user id) or a public @username. */
export const telegramChatRef = z
  .string()
  .trim()
  .regex(/^(?:-100\d{5,16}|-?\d{5,16}|@[A-Za-z][A-Za-z0-9_]{3,31})$/, 'must be a chat id like -1001234567890 or a public @username');

/** Placeholders a caption template may use (telegram/caption.ts fills them). */
export const CAPTION_PLACEHOLDERS = ['title', 'channel', 'date', 'time', 'part', 'parts', 'duration', 'url', 'chapters'] as const;
export type CaptionPlaceholder = (typeof CAPTION_PLACEHOLDERS)[number];

/** Names inside `{…}` in a template that are not placeholders, in order of appearance. */
function unknownPlaceholders(template: string): string[] {
  return [...template.matchAll(/\{([^{}]*)\}/g)].map((m) => m[1] ?? '').filter((name) => !(CAPTION_PLACEHOLDERS as readonly string[]).includes(name));
}

/** True when Intl accepts `zone` (IANA names and aliases such as "UTC"). */
function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const url = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });
const positiveInt = z.number().int().positive();

export const TelegramDestination = z.strictObject({
  kind: z.literal('telegram'),
  name: z.string().trim().min(1, 'needs a name').max(128),
  chatId: telegramChatRef,
  /** Forum topic (message thread) id, when posting into one topic of a forum group. */
  topicId: positiveInt.optional(),
});
export const FolderDestination = z.strictObject({
  kind: z.literal('folder'),
  name: z.string().trim().min(1, 'needs a name').max(128),
  path: z.string().trim().min(1, 'needs a folder path'),
});
export const Destination = z.discriminatedUnion('kind', [TelegramDestination, FolderDestination]);
export type Destination = z.infer<typeof Destination>;

/** Stable key of a destination: used in the database and in channel -> destination lists. */
export function destinationKey(d: Destination): string {
  return d.kind === 'telegram' ? `tg:${d.chatId}${d.topicId ? `/${d.topicId}` : ''}` : `dir:${d.path}`;
}

// ---- What to back up, per channel (issue 13 item 1; decided by engine/twitch/backup-scope.ts) ----
const filterWords = z.array(z.string().trim().min(1).max(100)).max(50).default([]);
export const BackupScope = z.strictObject({
  /**
   * `new`: broadcasts created after `since` (the wizard sets it to the moment of set-up);
   * `since`: broadcasts from the date `since`; `last`: the `last` newest; `all`: everything.
   * The default is `all` so settings written before this field, and the legacy import, keep
   * backing up everything; the wizard offers `new` first.
   */
  mode: z.enum(['new', 'since', 'last', 'all']).default('all'),
  /** ISO 8601 date or date-time; required by `new` and `since`. */
  since: z.string().default(''),
  last: z.number().int().min(1).max(1000).default(10),
  /** Skip broadcasts older than this many days (0 = no limit). */
  maxAgeDays: z.number().int().min(0).max(36_500).default(0),
  /** Case-insensitive words: a title must contain one of `titleInclude` (when any) and none of `titleExclude`. */
  titleInclude: filterWords,
  titleExclude: filterWords,
  categoryInclude: filterWords,
  categoryExclude: filterWords,
});
export type BackupScope = z.infer<typeof BackupScope>;

/** Per channel, what the engine does with a VOD still being broadcast (see engine/pipeline/live-mode.ts). */
export const LIVE_MODES = ['postWhileLive', 'postAfterEnd', 'waitForEnd'] as const;
export type LiveMode = (typeof LIVE_MODES)[number];
export const DEFAULT_LIVE_MODE: LiveMode = 'postWhileLive';
/** How `{parts}` renders while the total is unknown: "Part 3/…" or "Part 3". */
export const PARTS_UNKNOWN_STYLES = ['ellipsis', 'omit'] as const;
export type PartsUnknownStyle = (typeof PARTS_UNKNOWN_STYLES)[number];

export const ChannelSettings = z
  .strictObject({
    /** Login name or numeric id. */
    channel: twitchChannelRef,
    /** Destination keys; empty means every destination. */
    destinations: z.array(z.string()).default([]),
    /** Absent = everything (settings written before this field, the legacy import). */
    backup: BackupScope.optional(),
    /** What happens while the channel is live (engine/pipeline/live-mode.ts); the legacy import keeps 'waitForEnd'. */
    liveMode: z.enum(LIVE_MODES).default(DEFAULT_LIVE_MODE),
  })
  .superRefine((c, ctx) => {
    if (c.backup && (c.backup.mode === 'new' || c.backup.mode === 'since') && Number.isNaN(Date.parse(c.backup.since))) {
      ctx.addIssue({ code: 'custom', path: ['backup', 'since'], message: 'needs a date (YYYY-MM-DD)' });
    }
  });

export const TelegramServerOverride = z.strictObject({
  host: z.string().trim().min(1),
  port: z.number().int().min(1).max(65535),
  dcId: z.number().int().min(1).max(5).default(2),
  publicKeyPem: z.string().trim().startsWith('-----BEGIN', 'must be a PEM public key'),
});

const TwitchSection = z.strictObject({
  clientId: z.string().trim().default(''),
  channels: z.array(ChannelSettings).default([]),
});

const TelegramSection = z.strictObject({
  apiId: z.number().int().positive().nullable().default(null),
  apiHash: z
    .string()
    .trim()
    .regex(/^(?:[0-9a-f]{32})?$/i, 'must be the 32-character hex api_hash from my.telegram.org')
    .default(''),
  /** Premium doubles the upload limit and caption length; 'auto' asks Telegram. */
  premium: z.enum(['auto', 'yes', 'no']).default('auto'),
  captionTemplate: z
    .string()
    .min(1)
    .max(4096)
    .superRefine((template, ctx) => {
      for (const name of unknownPlaceholders(template)) {
        ctx.addIssue({ code: 'custom', message: `{${name}} is not a placeholder; known: ${CAPTION_PLACEHOLDERS.map((p) => `{${p}}`).join(' ')}` });
      }
    })
    .default('{title} ({date}) - Part {part}/{parts}'),
  dateFormat: z.string().min(1).max(64).default('dd/MM/yyyy'),
  /** IANA zone for dates in captions; empty = the computer's zone. */
  timeZone: z
    .string()
    .trim()
    .refine((zone) => zone === '' || isTimeZone(zone), {
      error: (issue) => `"${String(issue.input)}" is not a time zone Intl knows: use an IANA name such as "Europe/Madrid", or leave it empty for the computer's zone`,
    })
    .default(''),
  uploadConcurrency: z.number().int().min(1).max(32).default(8),
  /** Destination key for critical alerts; empty = the first Telegram destination. */
  alertDestination: z.string().default(''),
  alerts: z.boolean().default(true),
  /** Pause after each post (seconds); was split.uploadDelaySec before settings v2. */
  postDelaySec: z.number().min(0).max(3600).default(3),
  /** `{parts}` in captions posted while the broadcast runs (edited to the total at the end). */
  partsWhileLive: z.enum(PARTS_UNKNOWN_STYLES).default('ellipsis'),
  /** When a VOD is complete, one message per Telegram destination lists its parts and chapters. */
  indexMessage: z.boolean().default(true),
  /** Pin that index message. */
  pinIndex: z.boolean().default(false),
});

const VodSection = z.strictObject({
  autoCheck: z.boolean().default(true),
  /** How often Twitch is checked (seconds); was split.processingIntervalSec before settings v2. */
  checkIntervalSec: z
    .number()
    .int()
    .min(30)
    .max(7 * 86_400)
    .default(1800),
  minRetryDelaySec: positiveInt.default(300),
  maxRetryDelaySec: positiveInt.default(86_400),
  maxRetries: z.number().int().min(0).max(100).default(5),
  /** A thumbnail URL containing one of these means the broadcast is still live/processing. */
  liveThumbnailPhrases: z.array(z.string().trim().min(1)).default(['404_processing']),
  /** Preference order; `best` is the source quality. */
  qualities: z.array(z.string().trim().min(1)).min(1, 'needs at least one quality').default(['best', '1080p60', '720p30']),
  downloadConcurrency: z.number().int().min(1).max(32).default(8),
  /** 0 = no cap. */
  bandwidthCapMBps: z.number().min(0).default(0),
});

const SplitSection = z.strictObject({
  /** Upper bound per part in 1,000,000-byte MB; Telegram's own limit applies if lower. */
  maxFileSizeMB: positiveInt.default(4194),
  /**
   * A last part smaller than this (other than a lone part) is balanced with its neighbour. Off (0)
   * by default: every part but the last fills the limit; the legacy tool's 1800 comes with its import.
   */
  minFileSizeMB: z.number().int().min(0).default(0),
  maxRetriesSplit: z.number().int().min(1).max(100).default(10),
  /** A last part below this joins the previous one when both fit under the ceiling. */
  mergeThresholdMB: z.number().int().min(0).default(100),
  /** Balancing target for the last two parts, as a fraction of their sum given to the last. */
  midTargetRatio: z.number().gt(0).lt(1).default(0.5),
  /** A trailing remainder shorter than this that cannot join the previous part is dropped (logged). */
  dropSegmentThresholdSec: z.number().min(0).max(600).default(0),
});

const OrderingSection = z.strictObject({
  field: z.enum(['created_at', 'duration'], { error: 'must be "created_at" or "duration"' }).default('created_at'),
  order: z.enum(['asc', 'desc'], { error: 'must be "asc" or "desc"' }).default('asc'),
});

const PathsSection = z.strictObject({
  /** Where VODs are downloaded and parts built; empty = the app's data folder. */
  workDir: z.string().default(''),
  /** SQLite database file; empty = `vods.db` in the data folder. */
  database: z.string().default(''),
});

const AdvancedSection = z.strictObject({
  twitch: z
    .strictObject({
      authUrl: url.default(DEFAULT_TWITCH_ENDPOINTS.authUrl),
      helixUrl: url.default(DEFAULT_TWITCH_ENDPOINTS.helixUrl),
      gqlUrl: url.default(DEFAULT_TWITCH_ENDPOINTS.gqlUrl),
      usherUrl: url.default(DEFAULT_TWITCH_ENDPOINTS.usherUrl),
      vodPageUrl: url.default(DEFAULT_TWITCH_ENDPOINTS.vodPageUrl),
    })
    .prefault({}),
  /** "Telegram server (testing)": Telegram's test DCs or the project's stand-in. */
  telegramServer: TelegramServerOverride.nullable().default(null),
  tools: z.strictObject({ ffmpeg: z.string().default(''), ffprobe: z.string().default(''), ytDlp: z.string().default('') }).prefault({}),
  /** Below this much free space in the work folder the queue pauses instead of failing mid-write. */
  lowDiskGuardMB: z.number().int().min(0).default(2048),
  logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
  /**
   * How often a live VOD's playlist is polled (ms); 0 = about once per target duration (RFC 8216
   * §6.3.4). A stand-in broadcast replayed faster than real time needs a shorter interval.
   */
  livePollMs: z.number().int().min(0).max(60_000).default(0),
});

const AppSection = z.strictObject({
  language: z.enum(['auto', 'en', 'it']).default('auto'),
  startAtLogin: z.boolean().default(false),
  startHidden: z.boolean().default(true),
  notifications: z.boolean().default(true),
  /** Check for app updates at start and daily, download them in the background. */
  autoUpdate: z.boolean().default(true),
  /** Window theme; `system` follows the OS. */
  theme: z.enum(['system', 'light', 'dark']).default('system'),
});

export const SettingsSchema = z
  .strictObject({
    /** Stored settings of older versions are migrated first (settings-migrations.ts). */
    version: z.literal(SETTINGS_VERSION).default(SETTINGS_VERSION),
    twitch: TwitchSection.prefault({}),
    telegram: TelegramSection.prefault({}),
    destinations: z.array(Destination).default([]),
    vod: VodSection.prefault({}),
    split: SplitSection.prefault({}),
    ordering: OrderingSection.prefault({}),
    paths: PathsSection.prefault({}),
    advanced: AdvancedSection.prefault({}),
    app: AppSection.prefault({}),
  })
  .superRefine((s, ctx) => {
    if (s.split.minFileSizeMB >= s.split.maxFileSizeMB) {
      ctx.addIssue({
        code: 'custom',
        path: ['split', 'minFileSizeMB'],
        message: `must be below split.maxFileSizeMB (${s.split.maxFileSizeMB})`,
      });
    }
    if (s.vod.minRetryDelaySec > s.vod.maxRetryDelaySec) {
      ctx.addIssue({
        code: 'custom',
        path: ['vod', 'minRetryDelaySec'],
        message: `must not exceed vod.maxRetryDelaySec (${s.vod.maxRetryDelaySec})`,
      });
    }
    const keys = s.destinations.map(destinationKey);
    keys.forEach((k, i) => {
      if (keys.indexOf(k) !== i) ctx.addIssue({ code: 'custom', path: ['destinations', i], message: `duplicates destination ${k}` });
    });
    s.twitch.channels.forEach((c, i) =>
      c.destinations.forEach((d, j) => {
        if (!keys.includes(d)) {
          ctx.addIssue({ code: 'custom', path: ['twitch', 'channels', i, 'destinations', j], message: `names no configured destination (${d})` });
        }
      }),
    );
    if (s.telegram.alertDestination && !keys.includes(s.telegram.alertDestination)) {
      ctx.addIssue({ code: 'custom', path: ['telegram', 'alertDestination'], message: 'names no configured destination' });
    }
  });

export type Settings = z.infer<typeof SettingsSchema>;
export type SettingsInput = z.input<typeof SettingsSchema>;

export function defaultSettings(): Settings {
  return SettingsSchema.parse({});
}

/** Secrets: kept apart from settings, encrypted by the app (safeStorage) or in a 0600 file headless. */
export const SecretsSchema = z.strictObject({
  twitchClientSecret: z.string().min(1).optional(),
  twitchUserToken: z.string().min(1).optional(),
  twitchRefreshToken: z.string().min(1).optional(),
  /** The browser's `auth-token` cookie: GQL playback tokens for sub-only VODs (never sent to Helix). */
  twitchPlaybackToken: z.string().min(1).optional(),
  telegramSession: z.string().min(1).optional(),
  telegramBotToken: z.string().min(1).optional(),
  telegramPhone: z.string().min(1).optional(),
});
export type Secrets = z.infer<typeof SecretsSchema>;
export type SecretName = keyof Secrets;
export const SECRET_NAMES = Object.keys(SecretsSchema.shape) as SecretName[];
/** What the UI may know about secrets: only whether each one is set. */
export type SecretsPresence = Record<SecretName, boolean>;

export function secretsPresence(secrets: Secrets): SecretsPresence {
  return Object.fromEntries(SECRET_NAMES.map((n) => [n, Boolean(secrets[n])])) as SecretsPresence;
}

/** A problem with a setting: `path` is the dotted field, `message` says the rule. */
export interface Problem {
  path: string;
  message: string;
}

export function problemsFromZod(error: z.ZodError): Problem[] {
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ path: [...path, key].join('.'), message: unknownKeyMessage(key, knownKeysAt(SettingsSchema, path)) }));
    }
    return [{ path: path.join('.') || '(root)', message: issue.message }];
  });
}

export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `- ${p.path}: ${p.message}`).join('\n');
}

/** Parses settings; on failure, every problem names its field and rule. */
export function parseSettings(input: unknown): { ok: true; settings: Settings } | { ok: false; problems: Problem[] } {
  const result = SettingsSchema.safeParse(input);
  return result.success ? { ok: true, settings: result.data } : { ok: false, problems: problemsFromZod(result.error) };
}

/** What a run needs beyond a valid shape. The same list drives the first-run wizard. */
export function readinessProblems(settings: Settings, secrets: SecretsPresence): Problem[] {
  const out: Problem[] = [];
  if (!settings.twitch.clientId) out.push({ path: 'twitch.clientId', message: 'is required (the Twitch application Client ID)' });
  if (!secrets.twitchClientSecret) out.push({ path: 'secrets.twitchClientSecret', message: 'is required (the Twitch application Client Secret)' });
  if (settings.twitch.channels.length === 0) out.push({ path: 'twitch.channels', message: 'needs at least one Twitch channel' });
  if (settings.destinations.length === 0) out.push({ path: 'destinations', message: 'needs at least one destination (a Telegram chat or a folder)' });
  if (settings.destinations.some((d) => d.kind === 'telegram')) {
    if (!settings.telegram.apiId) out.push({ path: 'telegram.apiId', message: 'is required to post to Telegram (from my.telegram.org)' });
    if (!settings.telegram.apiHash) out.push({ path: 'telegram.apiHash', message: 'is required to post to Telegram (from my.telegram.org)' });
  }
  return out;
}

/** Destinations of one channel (an empty list means all of them). */
export function destinationsFor(settings: Settings, channelRef: string): Destination[] {
  const channel = settings.twitch.channels.find((c) => c.channel.toLowerCase() === channelRef.toLowerCase());
  if (!channel || channel.destinations.length === 0) return settings.destinations;
  return settings.destinations.filter((d) => channel.destinations.includes(destinationKey(d)));
}
