import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('./electron-mock'));
const electron = await import('./electron-mock');
const li = await import('../../electron/main/login-items');

const tmp = mkdtempSync(join(tmpdir(), 'tvb-login-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
beforeEach(() => {
  electron.app.resetLoginItems();
  electron.app.wasOpenedAtLogin = false;
});

describe('start at login', () => {
  it('Linux: writes an XDG autostart entry (with --hidden when asked) and removes it when disabled', () => {
    const env = { platform: 'linux' as const, execPath: '/opt/Twitch VOD Backup/twitch-vod-backup', configHome: join(tmp, 'cfg') };
    const file = join(tmp, 'cfg', 'autostart', 'twitch-vod-backup.desktop');
    expect(li.getStartAtLogin(env, true)).toEqual({ enabled: false, startHidden: true, supported: true });
    li.setStartAtLogin(env, true, true);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('[Desktop Entry]');
    expect(text).toContain('Exec="/opt/Twitch VOD Backup/twitch-vod-backup" --hidden');
    expect(li.getStartAtLogin(env, false)).toEqual({ enabled: true, startHidden: true, supported: true });
    li.setStartAtLogin(env, true, false);
    expect(readFileSync(file, 'utf8')).toMatch(/^Exec="\/opt\/Twitch VOD Backup\/twitch-vod-backup"$/m);
    li.setStartAtLogin(env, false, false);
    expect(existsSync(file)).toBe(false);
    expect(electron.app.setLoginItemSettings).not.toHaveBeenCalled();
  });

  it('Linux: an AppImage path with shell characters is quoted', () => {
    expect(li.desktopEntry('/home/me/$apps/Tw"itch.AppImage', false)).toContain('Exec="/home/me/\\$apps/Tw\\"itch.AppImage"');
    expect(li.desktopEntry('/usr/bin/tvb', true)).toContain('Exec=/usr/bin/tvb --hidden');
  });

  it('Windows: one login item for the executable, with --hidden when starting hidden', () => {
    const env = { platform: 'win32' as const, execPath: 'C:\\Apps\\TVB.exe', configHome: tmp };
    li.setStartAtLogin(env, true, true);
    const enabling = electron.app.loginItemCalls.filter((c) => c.openAtLogin);
    expect(enabling).toEqual([{ openAtLogin: true, path: 'C:\\Apps\\TVB.exe', args: ['--hidden'] }]);
    expect(li.getStartAtLogin(env, false)).toEqual({ enabled: true, startHidden: true, supported: true });
    // Switching to "start visible" replaces the entry instead of adding a second one.
    li.setStartAtLogin(env, true, false);
    expect(li.getStartAtLogin(env, true)).toEqual({ enabled: true, startHidden: false, supported: true });
    expect(electron.app.getLoginItemSettings({ path: 'C:\\Apps\\TVB.exe', args: ['--hidden'] }).openAtLogin).toBe(false);
    li.setStartAtLogin(env, false, false);
    expect(li.getStartAtLogin(env, true).enabled).toBe(false);
  });

  it('macOS: setLoginItemSettings(openAtLogin); hidden start comes from the saved preference', () => {
    const env = { platform: 'darwin' as const, execPath: '/Applications/TVB.app/Contents/MacOS/TVB', configHome: tmp };
    li.setStartAtLogin(env, true, true);
    expect(electron.app.loginItemCalls).toEqual([{ openAtLogin: true }]);
    expect(li.getStartAtLogin(env, true)).toEqual({ enabled: true, startHidden: true, supported: true });
    electron.app.wasOpenedAtLogin = true;
    expect(li.shouldStartHidden([], 'darwin', true)).toBe(true);
    expect(li.shouldStartHidden([], 'darwin', false)).toBe(false);
    electron.app.wasOpenedAtLogin = false;
    expect(li.shouldStartHidden([], 'darwin', true)).toBe(false);
  });

  it('--hidden on the command line starts hidden anywhere', () => {
    expect(li.shouldStartHidden(['/usr/bin/tvb', '--hidden'], 'linux', false)).toBe(true);
    expect(li.shouldStartHidden(['/usr/bin/tvb'], 'linux', true)).toBe(false);
    expect(li.shouldStartHidden(['C:\\TVB.exe', '--hidden'], 'win32', false)).toBe(true);
  });

  it('unsupported platforms report it', () => {
    expect(li.setStartAtLogin({ platform: 'freebsd', execPath: '/x', configHome: tmp }, true, false).supported).toBe(false);
  });
});
