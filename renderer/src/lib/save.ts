import type { EngineApi } from '../../../electron/contract/client';
import type { SettingsView } from '../../../electron/contract/protocol';
import { defaultSettings, type Settings } from '../../../electron/contract/settings';

/**
 * Applies a change to the engine's current settings (not to a possibly stale copy) and saves it:
 * used by the wizard and the Accounts page, which edit a few fields at a time.
 */
export async function patchSettings(api: EngineApi, change: (s: Settings) => void): Promise<SettingsView> {
  const current = (await api['settings.get']()).settings ?? defaultSettings();
  const next = structuredClone(current);
  change(next);
  return api['settings.update']({ settings: next });
}
