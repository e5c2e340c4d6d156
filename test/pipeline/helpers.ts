import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Notice } from '../../electron/contract/protocol';
import { parseSettings, type Secrets, type Settings, type SettingsInput } from '../../electron/contract/settings';
import { startEngine, type RunningEngine } from '../../electron/engine/core/start-engine';
import { getVod } from '../../electron/engine/store/vods';
import type { TwitchStandIn } from '../fakes/twitch/server';

/** Settings for a run against the Twitch stand-in, small parts so a short VOD makes several. */
export function standInSettings(twitch: TwitchStandIn, extra: Partial<SettingsInput> & { destinations: SettingsInput['destinations'] }): Settings {
  const parsed = parseSettings({
    twitch: { clientId: twitch.clientId, channels: [{ channel: 'streamer' }] },
    split: { maxFileSizeMB: 2, minFileSizeMB: 0, mergeThresholdMB: 0 },
    advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0 },
    vod: { minRetryDelaySec: 1, maxRetryDelaySec: 2, checkIntervalSec: 3600 },
    ...extra,
    telegram: { postDelaySec: 0, ...extra.telegram },
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.settings;
}

export interface TestEngine extends RunningEngine {
  dir: string;
  /** A protocol request through the engine's edge; rejects with the engine's message. */
  request(method: string, params?: unknown): Promise<unknown>;
  notices: Notice[];
  persistedSecrets: Array<Partial<Secrets>>;
  waitForStatus(vodId: string, status: string, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startTestEngine(settings: Settings, secrets: Secrets, options: { resourcesDir?: string; dir?: string } = {}): Promise<TestEngine> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'tvb-pipe-'));
  const notices: Notice[] = [];
  const persistedSecrets: Array<Partial<Secrets>> = [];
  const running = await startEngine({
    paths: { dataDir: dir, logFile: '', resourcesDir: options.resourcesDir ?? '' },
    settings,
    secrets,
    host: {
      persistSecrets: (patch) => persistedSecrets.push(patch),
      persistSettings: () => {},
      notice: (n) => notices.push(n),
      status: () => {},
    },
  });
  return {
    ...running,
    dir,
    async request(method, params = {}) {
      const response = await running.dispatch({ kind: 'request', id: 1, method, params });
      if (!response.ok) throw new Error(`${method}: ${response.error.message}`);
      return response.result;
    },
    notices,
    persistedSecrets,
    async waitForStatus(vodId, status, timeoutMs = 90_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const vod = getVod(running.engine.db, vodId);
        if (vod?.status === status) return;
        if (Date.now() > deadline) throw new Error(`VOD ${vodId} is ${vod?.status}/${vod?.stage} (${vod?.last_error ?? 'no error'}), expected ${status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async close() {
      await running.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Logs in to the Telegram stand-in with an engine of its own and returns the session string. */
export async function standInSession(settings: Settings, phone = '+15550000001', code = '12345'): Promise<string> {
  const login = await startTestEngine({ ...settings, twitch: { ...settings.twitch, channels: [] } }, {});
  try {
    await login.request('telegram.login.start', { method: 'phone', phone });
    await login.request('telegram.login.code', { code });
    const session = login.persistedSecrets.map((s) => s.telegramSession).find(Boolean);
    if (!session) throw new Error(`the stand-in login as ${phone} gave no session`);
    return session;
  } finally {
    await login.close();
  }
}
