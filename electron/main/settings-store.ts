import Store from 'electron-store';
import { defaultSettings, formatProblems, parseSettings, type Settings } from '../contract/settings';
import { createLogger } from '../engine/util/log';

const log = createLogger('main.settings');

/**
 * Settings persisted with electron-store (atomic writes, in the app's data folder). The schema is
 * the contract's; a file that no longer parses is kept aside as `settings.invalid` (not lost) and
 * the defaults are used, so the app still starts and the UI can show what to fix.
 * Shell-only state (close-to-tray hint shown) is kept in a second small store.
 */
export interface SettingsStore {
  get(): Settings;
  /** Validates and saves; throws with every problem named when invalid. */
  set(next: unknown): Settings;
  /** Called when the file changes from outside (another process, a hand edit). */
  onExternalChange(listener: (settings: Settings) => void): () => void;
}

export function loadSettings(raw: unknown): { settings: Settings; problems: string | null } {
  if (raw === undefined || raw === null) return { settings: defaultSettings(), problems: null };
  const parsed = parseSettings(raw);
  return parsed.ok ? { settings: parsed.settings, problems: null } : { settings: defaultSettings(), problems: formatProblems(parsed.problems) };
}

export function createSettingsStore(cwd?: string): SettingsStore {
  const store = new Store<{ settings?: unknown; 'settings.invalid'?: unknown }>({ name: 'settings', cwd, clearInvalidConfig: false, watch: true });
  const loaded = loadSettings(store.get('settings'));
  if (loaded.problems) {
    log.warn(`Saved settings are invalid; using defaults (the old ones are kept as settings.invalid):\n${loaded.problems}`);
    store.set('settings.invalid', store.get('settings'));
  }
  let current = loaded.settings;
  let writing = false;
  return {
    get: () => current,
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
      return current;
    },
    onExternalChange(listener) {
      return store.onDidChange('settings', (value) => {
        if (writing) return;
        const parsed = parseSettings(value);
        if (!parsed.ok) {
          log.warn(`Ignored an invalid edit of the settings file:\n${formatProblems(parsed.problems)}`);
          return;
        }
        current = parsed.settings;
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
