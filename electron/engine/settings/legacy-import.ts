import type { ImportSummary, ParsedParams } from '../../contract/protocol';
import { parseSettings, type Secrets } from '../../contract/settings';
import type { Db } from '../store/database';
import { importLegacyDatabase } from '../store/legacy-db';
import { EngineError } from '../util/errors';
import { createLogger } from '../util/log';
import { convertLegacyConfig, isLegacyConfig } from './legacy-config';

const log = createLogger('import');

/**
 * The "Import from the legacy tool" action: summarises (apply=false) or applies the conversion of
 * a legacy config.json and, optionally, the import of its vods.db.
 */
/** What the import needs of the engine (the engine itself in the app). */
export interface ImportTarget {
  readonly db: Db;
  updateSettings(raw: unknown, options: { persist: boolean }): unknown;
  updateSecrets(patch: Partial<Secrets>): void;
}

export function importLegacy(engine: ImportTarget, params: ParsedParams<'settings.importLegacy'>): ImportSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(params.configJson);
  } catch (error) {
    throw new EngineError('permanent', 'invalid_json', `config.json is not valid JSON: ${(error as Error).message}`);
  }
  if (!isLegacyConfig(raw)) {
    throw new EngineError('permanent', 'not_legacy', 'This file is not a legacy config.json: none of its keys (TWITCH_CLIENT_ID, VOD_SETTINGS, …) were found.');
  }
  const conversion = convertLegacyConfig(raw);
  if (conversion.invalid.length) {
    const detail = conversion.invalid.map((p) => `${p.path} ${p.message}`).join('; ');
    throw Object.assign(new EngineError('permanent', 'invalid_settings', `The legacy config.json has values of the wrong type: ${detail}`), {
      field: conversion.invalid[0]?.path,
    });
  }
  const parsed = parseSettings(conversion.settings);
  if (!parsed.ok) {
    const detail = parsed.problems.map((p) => `${p.path} ${p.message}`).join('; ');
    throw Object.assign(new EngineError('permanent', 'invalid_settings', `The legacy config.json has invalid values: ${detail}`), {
      field: parsed.problems[0]?.path,
    });
  }
  const channel = parsed.settings.twitch.channels[0]?.channel;
  const database = params.vodsDbPath
    ? importLegacyDatabase(engine.db, params.vodsDbPath, { apply: params.apply, channelId: channel && /^\d+$/.test(channel) ? channel : undefined })
    : null;
  if (params.apply) {
    engine.updateSettings(parsed.settings, { persist: true });
    const secrets = Object.fromEntries(Object.entries(conversion.secrets).filter(([, v]) => v)) as Partial<Secrets>;
    if (Object.keys(secrets).length) engine.updateSecrets(secrets);
    log.info('legacy import applied', { vods: database?.vods ?? 0, unmapped: conversion.unmapped.length });
  }
  return {
    applied: params.apply,
    settings: parsed.settings,
    secretsFound: Object.keys(conversion.secrets),
    unmapped: conversion.unmapped,
    notes: conversion.notes,
    database: database && { path: database.path, vods: database.vods, byStatus: database.byStatus, alreadyKnown: database.alreadyKnown },
  };
}
