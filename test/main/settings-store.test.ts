import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-mock'));
// electron-store is `conf` plus Electron defaults (name -> configName, cwd = userData, an ipcMain
// listener for renderers: node_modules/electron-store/index.js); it loads the real Electron, which
// cannot run here, so the test uses conf with the same mapping. The storage logic is conf's.
vi.mock('electron-store', async () => {
  const { default: Conf } = await import('conf');
  return {
    default: class extends Conf {
      constructor(options: Record<string, unknown>) {
        super({ ...options, configName: options.name as string, projectVersion: '0.1.0' });
      }
    },
  };
});
const electron = (await import('electron')) as unknown as { app: { paths: Record<string, string> } };
const { createSettingsStore } = await import('../../electron/main/settings-store');

const root = mkdtempSync(join(tmpdir(), 'tvb-store-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const folderWith = (content: string | null) => {
  const dir = join(root, `case-${++n}`);
  electron.app.paths.userData = dir;
  if (content !== null) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'settings.json'), content);
  }
  return dir;
};

describe("the app's settings store", () => {
  it('migrates v1 settings, saves them as v2 and keeps the v1 file beside', () => {
    const v1 = { settings: { version: 1, split: { processingIntervalSec: 600, uploadDelaySec: 1 }, twitch: { clientId: 'abc' } } };
    const dir = folderWith(JSON.stringify(v1));
    const store = createSettingsStore(dir);
    expect(store.problems()).toEqual([]);
    expect(store.get().vod.checkIntervalSec).toBe(600);
    expect(store.get().telegram.postDelaySec).toBe(1);
    const saved = JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'));
    expect(saved.settings.version).toBe(2);
    expect(saved.settings.vod.checkIntervalSec).toBe(600);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json.v1.bak'), 'utf8'))).toEqual(v1);
  });

  it('an invalid stored file is backed up beside itself and reported, not silently reset', () => {
    const bad = JSON.stringify({ settings: { version: 2, vod: { checkIntervalSec: 1 } } });
    const dir = folderWith(bad);
    const store = createSettingsStore(dir);
    expect(store.get().vod.checkIntervalSec).toBe(1800); // defaults in memory
    const problems = store.problems();
    expect(problems[0]).toMatchObject({ path: 'vod.checkIntervalSec' });
    const kept = readdirSync(dir).find((f) => f.startsWith('settings.json.invalid-'));
    expect(kept).toBeDefined();
    expect(problems.at(-1)!.message).toContain(kept!);
    expect(readFileSync(join(dir, kept!), 'utf8')).toBe(bad);
    // The stored file itself is untouched until the user saves.
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe(bad);
    store.set({ vod: { checkIntervalSec: 120 } });
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).settings.vod.checkIntervalSec).toBe(120);
    expect(store.problems()).toEqual([]);
  });

  it('a file that is not JSON at all is moved aside and reported; a newer version is refused, not guessed', () => {
    const dir = folderWith('{ "settings": ');
    const store = createSettingsStore(dir);
    expect(store.problems()[0]!.message).toMatch(/is not readable as JSON .*kept as .*settings\.json\.invalid-/);
    const kept = readdirSync(dir).find((f) => f.startsWith('settings.json.invalid-'))!;
    expect(readFileSync(join(dir, kept), 'utf8')).toBe('{ "settings": ');

    const newer = folderWith(JSON.stringify({ settings: { version: 3 } }));
    expect(createSettingsStore(newer).problems()[0]).toMatchObject({ path: 'version', message: expect.stringMatching(/newer version of the app/) });
  });

  it('a first start has no file and no problems', () => {
    const dir = folderWith(null);
    const store = createSettingsStore(dir);
    expect(store.problems()).toEqual([]);
    expect(existsSync(join(dir, 'settings.json.v1.bak'))).toBe(false);
  });
});
