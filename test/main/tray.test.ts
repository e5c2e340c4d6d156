import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { iconStateFor, trayIconFile, trayMenuTemplate, trayTooltip, type TrayActions, type TrayIconState } from '../../electron/main/tray-model';

vi.mock('electron', () => import('./electron-mock'));
const electron = await import('./electron-mock');
const { createTray } = await import('../../electron/main/tray');

const trayDir = join(process.cwd(), 'resources', 'tray');
const actions = (): TrayActions & Record<string, ReturnType<typeof vi.fn>> => ({
  open: vi.fn(),
  checkNow: vi.fn(),
  pause: vi.fn(),
  resume: vi.fn(),
  openWorkFolder: vi.fn(),
  quit: vi.fn(),
});
const labels = (items: ReadonlyArray<{ type?: string; label?: string }>) => items.filter((i) => i.type !== 'separator').map((i) => i.label);

beforeEach(() => {
  electron.Tray.created.length = 0;
});

describe('tray model', () => {
  it('maps every engine state to one of four icons', () => {
    expect(iconStateFor('idle')).toBe('idle');
    expect(iconStateFor('paused')).toBe('idle');
    expect(iconStateFor('working')).toBe('working');
    expect(iconStateFor('error')).toBe('error');
    expect(iconStateFor('loginNeeded')).toBe('loginNeeded');
    expect(iconStateFor('setupNeeded')).toBe('loginNeeded');
    expect(iconStateFor('something-new')).toBe('idle');
  });

  it('has Open, Check now, Pause, Open work folder, Quit; Resume instead of Pause when paused', () => {
    const running = trayMenuTemplate({ state: 'idle', message: null, summary: '' }, actions());
    expect(labels(running).slice(1)).toEqual(['Open', 'Check now', 'Pause', 'Open work folder', 'Quit']);
    const paused = trayMenuTemplate({ state: 'paused', message: null, summary: '' }, actions());
    expect(labels(paused).slice(1)).toEqual(['Open', 'Check now', 'Resume', 'Open work folder', 'Quit']);
    // A check cannot be started while paused or already working.
    expect(paused.find((i) => i.id === 'checkNow')?.enabled).toBe(false);
    const working = trayMenuTemplate({ state: 'working', message: null, summary: 'x' }, actions());
    expect(working.find((i) => i.id === 'checkNow')?.enabled).toBe(false);
    expect(running.find((i) => i.id === 'checkNow')?.enabled).toBe(true);
  });

  it('puts the progress summary in the tooltip, capped for Windows', () => {
    expect(trayTooltip({ state: 'working', message: 'busy', summary: "Downloading 'Stream' 45%" })).toBe(
      "Twitch VOD Backup: Working - Downloading 'Stream' 45%",
    );
    expect(trayTooltip({ state: 'error', message: 'Telegram refused the upload', summary: '' })).toContain('Telegram refused the upload');
    expect(trayTooltip({ state: 'working', message: null, summary: 'y'.repeat(500) }).length).toBeLessThanOrEqual(127);
  });

  it('uses Template images on macOS, .ico on Windows, PNG on Linux, and every file exists', () => {
    const states: TrayIconState[] = ['idle', 'working', 'error', 'loginNeeded'];
    for (const state of states) {
      expect(basename(trayIconFile(trayDir, state, 'darwin'))).toBe(`tray-${state}Template.png`);
      expect(basename(trayIconFile(trayDir, state, 'win32'))).toBe(`tray-${state}.ico`);
      expect(basename(trayIconFile(trayDir, state, 'linux'))).toBe(`tray-${state}.png`);
      for (const platform of ['darwin', 'win32', 'linux'] as const) {
        expect(existsSync(trayIconFile(trayDir, state, platform)), trayIconFile(trayDir, state, platform)).toBe(true);
      }
      // macOS picks the @2x file for Retina menu bars by name.
      expect(existsSync(join(trayDir, `tray-${state}Template@2x.png`))).toBe(true);
    }
  });
});

describe('createTray', () => {
  it('sets icon, tooltip and a fresh menu on every update, and menu clicks reach the actions', () => {
    const a = actions();
    const tray = createTray({ trayDir, platform: 'linux', actions: a });
    const fake = electron.Tray.created[0]!;
    expect((fake.image as { path: string }).path).toBe(join(trayDir, 'tray-idle.png'));
    expect(fake.menus).toHaveLength(1);

    tray.update({ state: 'working', message: null, summary: 'Uploading part 2/5' });
    expect((fake.image as { path: string }).path).toBe(join(trayDir, 'tray-working.png'));
    expect(fake.tooltip).toContain('Uploading part 2/5');
    expect(fake.menus).toHaveLength(2);

    tray.update({ state: 'loginNeeded', message: null, summary: '' });
    expect((fake.image as { path: string }).path).toBe(join(trayDir, 'tray-loginNeeded.png'));
    tray.update({ state: 'error', message: 'failed', summary: '' });
    expect((fake.image as { path: string }).path).toBe(join(trayDir, 'tray-error.png'));
    // The same icon state again does not reload the image, but the menu is still re-set.
    const setImageCalls = fake.setImage.mock.calls.length;
    tray.update({ state: 'error', message: 'failed again', summary: '' });
    expect(fake.setImage.mock.calls.length).toBe(setImageCalls);
    expect(fake.menus).toHaveLength(5);

    tray.update({ state: 'paused', message: null, summary: '' });
    const menu = fake.menus.at(-1)!.items;
    const click = (id: string) => (menu.find((i) => i.id === id)?.click as () => void)();
    click('open');
    click('resume');
    click('openWorkFolder');
    click('quit');
    expect(a.open).toHaveBeenCalledTimes(1);
    expect(a.resume).toHaveBeenCalledTimes(1);
    expect(a.openWorkFolder).toHaveBeenCalledTimes(1);
    expect(a.quit).toHaveBeenCalledTimes(1);
    expect(menu.some((i) => i.id === 'pause')).toBe(false);

    // Left click opens the window on Linux / Windows.
    fake.emit('click');
    expect(a.open).toHaveBeenCalledTimes(2);
  });

  it('marks macOS images as templates', () => {
    createTray({ trayDir, platform: 'darwin', actions: actions() });
    const img = electron.Tray.created[0]!.image as { path: string; template: boolean };
    expect(img.path).toBe(join(trayDir, 'tray-idleTemplate.png'));
    expect(img.template).toBe(true);
  });
});
