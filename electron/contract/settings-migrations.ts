/**
 * Settings migrations: each change to the shape of saved settings ships one step here, from the
 * previous version to the next, with a test from the previous shape (test/foundation/
 * settings-migrations.test.ts). Both the app's store (electron/main/settings-store.ts) and headless
 * settings files (engine/settings/config-file.ts) run stored settings through `migrateSettings`
 * before validating them, so a renamed key never makes saved settings invalid.
 *
 * Pure: no I/O, the input is never changed.
 */

/** The version `SettingsSchema` describes (its `version` field). */
export const SETTINGS_VERSION = 2;

interface Migration {
  from: number;
  /** One line for the log / headless notes. */
  describe: string;
  up(settings: Record<string, unknown>): Record<string, unknown>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Moves `from[fromKey]` to `section[toKey]` of `s` when present (creating the section). */
function moveKey(s: Obj, from: string, fromKey: string, to: string, toKey: string): void {
  const source = s[from];
  if (!isObj(source) || !(fromKey in source)) return;
  const target = isObj(s[to]) ? (s[to] as Obj) : (s[to] = {});
  if (!(toKey in target)) target[toKey] = source[fromKey];
  delete source[fromKey];
}

const MIGRATIONS: Migration[] = [
  {
    from: 1,
    describe: 'split.processingIntervalSec -> vod.checkIntervalSec, split.uploadDelaySec -> telegram.postDelaySec',
    up(s) {
      // How often Twitch is checked is about checking VODs; the pause after each post is about
      // posting to Telegram. Neither ever had to do with splitting.
      moveKey(s, 'split', 'processingIntervalSec', 'vod', 'checkIntervalSec');
      moveKey(s, 'split', 'uploadDelaySec', 'telegram', 'postDelaySec');
      return s;
    },
  },
];

export type MigrationResult =
  | { ok: true; settings: unknown; from: number; applied: string[] }
  /** `message` is about the `version` field. */
  | { ok: false; from: number; message: string };

/**
 * Brings stored settings to SETTINGS_VERSION. A missing `version` is 1 (files from before
 * versioning; version 1's schema defaulted it). Non-objects pass through for the schema to
 * reject with its own message. Settings from a newer app are refused, not guessed at.
 */
export function migrateSettings(stored: unknown): MigrationResult {
  if (!isObj(stored)) return { ok: true, settings: stored, from: SETTINGS_VERSION, applied: [] };
  const from = stored.version === undefined ? 1 : stored.version;
  if (typeof from !== 'number' || !Number.isInteger(from) || from < 1) return { ok: false, from: NaN, message: `must be a whole number from 1 to ${SETTINGS_VERSION}` };
  if (from > SETTINGS_VERSION) {
    return {
      ok: false,
      from,
      message: `these settings were saved by a newer version of the app (settings version ${from}; this one reads up to ${SETTINGS_VERSION}). Update the app.`,
    };
  }
  let current = structuredClone(stored);
  const applied: string[] = [];
  for (const step of MIGRATIONS) {
    if ((current.version ?? 1) !== step.from) continue;
    const before = JSON.stringify({ ...current, version: undefined });
    current = step.up(current);
    // Reported only when it moved something (a file without `version` may already be current).
    if (JSON.stringify({ ...current, version: undefined }) !== before) applied.push(`settings v${step.from} -> v${step.from + 1}: ${step.describe}`);
    current.version = step.from + 1;
  }
  return { ok: true, settings: current, from, applied };
}
