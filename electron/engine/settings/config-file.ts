import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { SecretsSchema, parseSettings, problemsFromZod, type Problem, type Secrets, type Settings } from '../../contract/settings';
import { migrateSettings } from '../../contract/settings-migrations';
import { isGroupOrWorldReadable, readJsonFile, writeFileAtomic } from './files';
import { convertLegacyConfig, isLegacyConfig } from './legacy-config';

/**
 * Headless mode's settings: a JSON file in the product's format or the legacy `config.json` as is
 * (detected and converted), plus secrets from a 0600 `secrets.json` beside it and `TVB_*`
 * environment variables (which win). Twitch endpoints can be overridden from the environment so
 * the whole product can run against a stand-in.
 */
export interface LoadedConfig {
  path: string;
  format: 'settings' | 'legacy';
  settings: Settings;
  /** What the engine uses: the file's secrets with the environment's on top. */
  secrets: Secrets;
  /** Only what came from files (secrets.json, a legacy config.json): the base of every write. */
  fileSecrets: Secrets;
  /** Secrets given by TVB_* variables: used, never written anywhere. */
  envSecrets: Secrets;
  secretsFile: string;
  unmapped: Array<{ key: string; reason: string }>;
  notes: string[];
  /** Absolute path of the legacy vods.db named by DATABASE_NAME, when it exists. */
  legacyDatabase?: string;
}

export const SECRET_ENV: Record<keyof Secrets, string> = {
  twitchClientSecret: 'TVB_TWITCH_CLIENT_SECRET',
  twitchUserToken: 'TVB_TWITCH_USER_TOKEN',
  twitchRefreshToken: 'TVB_TWITCH_REFRESH_TOKEN',
  twitchPlaybackToken: 'TVB_TWITCH_PLAYBACK_TOKEN',
  telegramSession: 'TVB_TELEGRAM_SESSION',
  telegramBotToken: 'TVB_TELEGRAM_BOT_TOKEN',
  telegramPhone: 'TVB_TELEGRAM_PHONE',
};

const ENDPOINT_ENV = {
  authUrl: 'TVB_TWITCH_AUTH_URL',
  helixUrl: 'TVB_TWITCH_HELIX_URL',
  gqlUrl: 'TVB_TWITCH_GQL_URL',
  usherUrl: 'TVB_TWITCH_USHER_URL',
  vodPageUrl: 'TVB_TWITCH_VOD_PAGE_URL',
} as const;

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export function loadConfigFile(configPath: string, options: { secretsFile?: string; env?: NodeJS.ProcessEnv } = {}): LoadedConfig {
  const path = resolve(configPath);
  const env = options.env ?? process.env;
  if (!existsSync(path)) throw new ConfigError(`The config file ${path} does not exist.`);
  let raw: unknown;
  try {
    raw = readJsonFile(path);
  } catch (error) {
    throw new ConfigError(`The config file is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${path}: the top level must be a JSON object.`);

  const legacy = isLegacyConfig(raw);
  const conversion = isLegacyConfig(raw) ? convertLegacyConfig(raw) : undefined;
  if (conversion?.invalid.length) throw new ConfigError(`Invalid values in ${path} (legacy config.json):`, conversion.invalid);
  // Older settings files are migrated in memory only: a file the app only reads is never changed.
  const migrated = conversion ? { ok: true as const, settings: conversion.settings, applied: [] } : migrateSettings(raw);
  if (!migrated.ok) throw new ConfigError(`Invalid settings in ${path}:`, [{ path: 'version', message: migrated.message }]);
  const input = structuredClone(migrated.settings) as Record<string, unknown>;
  applyEndpointEnv(input, env);

  const parsed = parseSettings(input);
  if (!parsed.ok) {
    const where = legacy ? `${path} (legacy config.json, converted)` : path;
    throw new ConfigError(`Invalid settings in ${where}:`, parsed.problems);
  }
  const settings = resolvePaths(parsed.settings, dirname(path));

  const secretsFile = resolve(options.secretsFile ?? join(dirname(path), 'secrets.json'));
  const notes = [...(conversion?.notes ?? []), ...migrated.applied.map((m) => `${m} (in memory; ${path} is unchanged until settings are saved)`)];
  const fileSecrets: Secrets = { ...(conversion?.secrets ?? {}), ...readSecretsFile(secretsFile, notes) };
  const envSecrets: Secrets = {};
  for (const [name, variable] of Object.entries(SECRET_ENV) as Array<[keyof Secrets, string]>) {
    if (env[variable]) envSecrets[name] = env[variable];
  }
  const secrets: Secrets = { ...fileSecrets, ...envSecrets };
  let legacyDatabase: string | undefined;
  if (conversion?.legacyDatabase) {
    const candidate = isAbsolute(conversion.legacyDatabase) ? conversion.legacyDatabase : join(dirname(path), conversion.legacyDatabase);
    if (existsSync(candidate)) legacyDatabase = candidate;
    else notes.push(`DATABASE_NAME names ${candidate}, which does not exist: nothing to import.`);
  }
  return { path, format: legacy ? 'legacy' : 'settings', settings, secrets, fileSecrets, envSecrets, secretsFile, unmapped: conversion?.unmapped ?? [], notes, legacyDatabase };
}

function applyEndpointEnv(input: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [key, variable] of Object.entries(ENDPOINT_ENV)) {
    const value = env[variable];
    if (!value) continue;
    const advanced = (input.advanced ??= {}) as Record<string, unknown>;
    const twitch = (advanced.twitch ??= {}) as Record<string, unknown>;
    twitch[key] = value;
  }
  if (env.TVB_TELEGRAM_SERVER) {
    const advanced = (input.advanced ??= {}) as Record<string, unknown>;
    try {
      advanced.telegramServer = JSON.parse(env.TVB_TELEGRAM_SERVER);
    } catch {
      throw new ConfigError('TVB_TELEGRAM_SERVER must be JSON: {"host":…,"port":…,"dcId":…,"publicKeyPem":…}');
    }
  }
}

/** Relative paths in the settings file are relative to the file, not to the current directory. */
function resolvePaths(settings: Settings, base: string): Settings {
  const abs = (p: string) => (p && !isAbsolute(p) ? join(base, p) : p);
  return {
    ...settings,
    paths: { workDir: abs(settings.paths.workDir), database: abs(settings.paths.database) },
    destinations: settings.destinations.map((d) => (d.kind === 'folder' ? { ...d, path: abs(d.path) } : d)),
  };
}

function readSecretsFile(path: string, notes: string[]): Secrets {
  if (!existsSync(path)) return {};
  let raw: unknown;
  try {
    raw = readJsonFile(path);
  } catch (error) {
    throw new ConfigError(`The secrets file is not valid JSON: ${(error as Error).message}`);
  }
  const parsed = SecretsSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(`Invalid secrets file ${path}:`, problemsFromZod(parsed.error));
  if (isGroupOrWorldReadable(path)) notes.push(`${path} can be read by other users; run: chmod 600 "${path}"`);
  return parsed.data;
}

/**
 * Merges a patch (a login, a token refresh, the UI) into the secrets file (0600, atomic) and
 * returns the file's new content. `current` must be what came from files, never the environment's
 * values; a patch value equal to the one a TVB_* variable gives (the engine re-saving what it was
 * started with) keeps the file's previous value, so an environment secret is never written.
 * A value the engine obtained itself (a refreshed token differs from the variable's) is written.
 */
export function writeSecretsFile(path: string, current: Secrets, patch: Partial<Secrets>, remove: string[] = [], fromEnv: Secrets = {}): Secrets {
  const next: Secrets = { ...current };
  for (const [name, value] of Object.entries(patch) as Array<[keyof Secrets, string | undefined]>) {
    if (value === undefined || value === fromEnv[name]) continue;
    next[name] = value;
  }
  for (const key of remove) delete next[key as keyof Secrets];
  writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
  return next;
}

/** Headless mode's secrets sink: every write starts from the file's secrets and skips the environment's. */
export function createSecretsStore(config: LoadedConfig): {
  persist(patch: Partial<Secrets>, remove: string[]): void;
  reloaded(next: LoadedConfig): void;
} {
  let { fileSecrets, envSecrets } = config;
  return {
    persist: (patch, remove) => {
      fileSecrets = writeSecretsFile(config.secretsFile, fileSecrets, patch, remove, envSecrets);
    },
    reloaded: (next) => {
      ({ fileSecrets, envSecrets } = next);
    },
  };
}
