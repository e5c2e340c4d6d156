import { app } from 'electron';
import Store from 'electron-store';
import { copyFileSync, existsSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { defaultSettings, formatProblems, parseSettings, type Problem, type Settings } from '../contract/settings';
import { migrateSettings } from '../contract/settings-migrations';
import { createLogger } from '../engine/util/log';

const log = createLogger('main.settings');

/**
 * Settings persisted with electron-store (atomic writes, in the app's data folder). Stored settings
 * of an older version are migrated (contract/settings-migrations.ts) and saved back, the old file
 * kept beside as `settings.json.v<N>.bak`. A file that does not parse (bad JSON, invalid values, or
 * written by a newer app) is copied beside itself as `settings.json.invalid-<time>` and reported by
 * `problems()`; the app runs on defaults in memory and does not write the file until the user
 * saves, so nothing stored is lost. Shell-only state lives in a second small store.
 */
export interface SettingsStore {
  get(): Settings;
  /** Validates and saves; throws with every problem named when invalid. */
  set(next: unknown): Settings;
  /** Called when the file changes from outside (another process, a hand edit). */
  onExternalChange(listener: (settings: Settings) => void): () => void;
  /** What was wrong with the stored file at start, and where it was kept (empty = nothing). */
  problems(): Problem[];
}

export interface LoadedSettings {
  settings: Settings;
  /** Problems with the stored settings; empty when they were used. */
  problems: Problem[];
  /** Migration steps applied (empty when the stored settings were current). */
  migrated: string[];
  from: number;
}

/** Pure: stored value -> settings to use. */
export function loadSettings(raw: unknown): LoadedSettings {
  if (raw === undefined || raw === null) return { settings: defaultSettings(), problems: [], migrated: [], from: 0 };
  const migration = migrateSettings(raw);
  if (!migration.ok) return { settings: defaultSettings(), problems: [{ path: 'version', message: migration.message }], migrated: [], from: migration.from };
  const parsed = parseSettings(migration.settings);
  if (!parsed.ok) return { settings: defaultSettings(), problems: parsed.problems, migrated: [], from: migration.from };
  return { settings: parsed.settings, problems: [], migrated: migration.applied, from: migration.from };
}

const stamp = () => new Date().toISOString().replace(/[:.]/g, '-');

type SettingsFile = { settings?: unknown };

/** Opens the store; a file that is not even JSON is moved aside (kept) and a fresh one started. */
function openStore(cwd: string): { store: Store<SettingsFile>; unreadable: Problem[] } {
  const options = { name: 'settings', cwd, clearInvalidConfig: false, watch: true } as const;
  try {
    return { store: new Store<SettingsFile>(options), unreadable: [] };
  } catch (err) {
    const file = join(cwd, 'settings.json');
    if (!existsSync(file)) throw err;
    const kept = `${file}.invalid-${stamp()}`;
    renameSync(file, kept);
    return { store: new Store<SettingsFile>(options), unreadable: [{ path: '(settings file)', message: `is not readable as JSON (${(err as Error).message}); kept as ${kept}` }] };
  }
}

export function createSettingsStore(cwd: string = app.getPath('userData')): SettingsStore {
  const { store, unreadable } = openStore(cwd);
  const loaded = loadSettings(store.get('settings'));
  let problems = unreadable;
  if (loaded.problems.length) {
    const kept = `${store.path}.invalid-${stamp()}`;
    copyFileSync(store.path, kept);
    problems = [...loaded.problems, { path: '(settings file)', message: `kept as ${kept}; the defaults are used and the file is replaced only when settings are saved` }];
  } else if (loaded.migrated.length) {
    copyFileSync(store.path, `${store.path}.v${loaded.from}.bak`);
    store.set('settings', loaded.settings);
    for (const step of loaded.migrated) log.info(`Migrated saved settings: ${step}`);
  }
  if (problems.length) log.warn(`Saved settings are invalid; running on defaults until they are saved:\n${formatProblems(problems)}`);
  let current = loaded.settings;
  let writing = false;
  return {
    get: () => current,
    problems: () => problems,
    set(next) {
      const parsed = parseSettings(next);
      if (!parsed.ok) throw new Error(`Invalid settings:\n${formatProblems(parsed.problems)}`);
      current = parsed.settings;
      writing = true;
      try {
        store.set('settings', current);
      } finally {
        writing = false;
      }
      problems = [];
      return current;
    },
    onExternalChange(listener) {
      return store.onDidChange('settings', (value) => {
        if (writing) return;
        const next = loadSettings(value);
        if (next.problems.length) {
          log.warn(`Ignored an invalid edit of the settings file:\n${formatProblems(next.problems)}`);
          return;
        }
        current = next.settings;
        listener(current);
      });
    },
  };
}

export interface ShellState {
  closeToTrayNotified: boolean;
}

export function createShellStateStore(cwd?: string) {
  const store = new Store<ShellState>({ name: 'shell', cwd, defaults: { closeToTrayNotified: false } });
  return {
    get: <K extends keyof ShellState>(key: K): ShellState[K] => store.get(key),
    set: <K extends keyof ShellState>(key: K, value: ShellState[K]) => store.set(key, value),
  };
}
