import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import {
  SecretsSchema,
  parseSettings,
  problemsFromZod,
  type Problem,
  type Secrets,
  type Settings,
} from '../../contract/settings';
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
  secrets: Secrets;
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
  telegramSession: 'TVB_TELEGRAM_SESSION',
  telegramBotToken: 'TVB_TELEGRAM_BOT_TOKEN',
  telegramPhone: 'TVB_TELEGRAM_PHONE',
  twitchPlaybackToken: 'TVB_TWITCH_PLAYBACK_TOKEN',
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
  const input = structuredClone(conversion ? conversion.settings : raw) as Record<string, unknown>;
  applyEndpointEnv(input, env);

  const parsed = parseSettings(input);
  if (!parsed.ok) {
    const where = legacy ? `${path} (legacy config.json, converted)` : path;
    throw new ConfigError(`Invalid settings in ${where}:`, parsed.problems);
  }
  const settings = resolvePaths(parsed.settings, dirname(path));

  const secretsFile = resolve(options.secretsFile ?? join(dirname(path), 'secrets.json'));
  const notes = [...(conversion?.notes ?? [])];
  const secrets: Secrets = { ...(conversion?.secrets ?? {}), ...readSecretsFile(secretsFile, notes) };
  for (const [name, variable] of Object.entries(SECRET_ENV) as Array<[keyof Secrets, string]>) {
    if (env[variable]) secrets[name] = env[variable];
  }
  let legacyDatabase: string | undefined;
  if (conversion?.legacyDatabase) {
    const candidate = isAbsolute(conversion.legacyDatabase) ? conversion.legacyDatabase : join(dirname(path), conversion.legacyDatabase);
    if (existsSync(candidate)) legacyDatabase = candidate;
    else notes.push(`DATABASE_NAME names ${candidate}, which does not exist: nothing to import.`);
  }
  return { path, format: legacy ? 'legacy' : 'settings', settings, secrets, secretsFile, unmapped: conversion?.unmapped ?? [], notes, legacyDatabase };
}

function applyEndpointEnv(input: Record<string, unknown>, env: NodeJS.ProcessEnv): void {
  for (const [key, variable] of Object.entries(ENDPOINT_ENV)) {
    const value = env[variable];
    if (!value) continue;
    const advanced = ((input.advanced ??= {}) as Record<string, unknown>);
    const twitch = ((advanced.twitch ??= {}) as Record<string, unknown>);
    twitch[key] = value;
  }
  if (env.TVB_TELEGRAM_SERVER) {
    const advanced = ((input.advanced ??= {}) as Record<string, unknown>);
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

/** Merges a patch into the secrets file (0600, atomic). Values are never logged. */
export function writeSecretsFile(path: string, current: Secrets, patch: Partial<Secrets>, remove: string[] = []): Secrets {
  const next: Secrets = { ...current, ...patch };
  for (const key of remove) delete next[key as keyof Secrets];
  writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`, 0o600);
  return next;
}
