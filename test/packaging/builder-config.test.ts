import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../main/electron-mock'));
const { APP_USER_MODEL_ID } = await import('../../electron/main/notifications');

const repo = process.cwd();
const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
type Target = { target: string; arch: string[] };
const config = yaml.load(readFileSync(join(repo, 'electron-builder.yml'), 'utf8')) as {
  appId: string;
  asarUnpack: string[];
  extraResources: Array<{ from: string; to: string }>;
  win: { icon: string; target: Target[] };
  mac: { icon: string; target: Target[] };
  linux: { icon: string; target: Target[] };
  npmRebuild: boolean;
};

describe('electron-builder.yml', () => {
  it('targets NSIS, dmg for x64 and arm64, AppImage and deb', () => {
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.mac.target).toEqual([{ target: 'dmg', arch: ['x64', 'arm64'] }]);
    expect(config.linux.target.map((t) => t.target)).toEqual(['AppImage', 'deb']);
  });

  it('uses the same app id as the Windows AppUserModelID (else notifications do not show)', () => {
    expect(config.appId).toBe(APP_USER_MODEL_ID);
  });

  it('unpacks native code and ships the tools per platform-arch outside the asar', () => {
    expect(config.asarUnpack).toContain('**/node_modules/better-sqlite3/**');
    expect(config.asarUnpack).toContain('**/node_modules/ffmpeg-static/**');
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'resources/bin/${platform}-${arch}', to: 'bin/${platform}-${arch}' }));
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'resources/tray', to: 'tray' }));
    expect(config.npmRebuild).toBe(true);
  });

  it('points at icon files that exist', () => {
    for (const icon of [config.win.icon, config.mac.icon, config.linux.icon]) expect(existsSync(join(repo, icon)), icon).toBe(true);
  });
});
