import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { NO_FACTS, type AppStatus } from '../../electron/contract/status';
import { TRAY_ICON_STATES, taskbarProgress, trayIconFile, trayMenuTemplate, trayTooltip, type TrayActions, type TrayView } from '../../electron/main/tray-model';

vi.mock('electron', () => import('./electron-mock'));
const electron = await import('./electron-mock');
const { createTray } = await import('../../electron/main/tray');

const trayDir = join(process.cwd(), 'resources', 'tray');
const actions = (): TrayActions & Record<string, ReturnType<typeof vi.fn>> => ({
  open: vi.fn(),
  checkNow: vi.fn(),
  pause: vi.fn(),
  resume: vi.fn(),
  retryFailed: vi.fn(),
  openWorkFolder: vi.fn(),
  quit: vi.fn(),
});
const NOW = Date.parse('2026-12-01T12:00:00Z');
const status = (kind: AppStatus['kind'], patch: Partial<AppStatus> = {}): AppStatus => ({ kind, reason: null, retryAt: null, progress: null, facts: NO_FACTS, ...patch });
const view = (s: AppStatus, patch: Partial<TrayView> = {}): TrayView => ({ status: s, lang: 'en', locale: 'en-GB', lastBackupAt: null, now: NOW, ...patch });
const labels = (items: ReadonlyArray<{ type?: string; label?: string }>) => items.filter((i) => i.type !== 'separator').map((i) => i.label);

beforeEach(() => {
  electron.Tray.created.length = 0;
});

describe('tray model', () => {
  it('has Open, Check now, Pause, Retry failed, Open work folder, Quit, the status and the last backup; Resume when paused', () => {
    const idle = trayMenuTemplate(view(status('idle'), { lastBackupAt: '2026-11-30T20:15:00Z' }), actions());
    expect(labels(idle)).toEqual(['Idle', 'Last backup: 30/11/2026, 20:15', 'Open', 'Check now', 'Pause', 'Retry failed VODs', 'Open work folder', 'Quit']);
    const paused = trayMenuTemplate(view(status('paused')), actions());
    expect(labels(paused).slice(1)).toEqual(['No backup yet', 'Open', 'Check now', 'Resume', 'Retry failed VODs', 'Open work folder', 'Quit']);
    // A check cannot be started while paused or already working; Retry failed only with failed VODs.
    expect(paused.find((i) => i.id === 'checkNow')?.enabled).toBe(false);
    expect(trayMenuTemplate(view(status('working')), actions()).find((i) => i.id === 'checkNow')?.enabled).toBe(false);
    expect(idle.find((i) => i.id === 'checkNow')?.enabled).toBe(true);
    expect(idle.find((i) => i.id === 'retryFailed')?.enabled).toBe(false);
    const failed = status('attention', { reason: 'vodFailed', facts: { ...NO_FACTS, failed: 2 } });
    expect(trayMenuTemplate(view(failed), actions()).find((i) => i.id === 'retryFailed')?.enabled).toBe(true);
  });

  it('speaks the UI language, from the shared table', () => {
    const it = trayMenuTemplate(view(status('paused'), { lang: 'it', locale: 'it-IT' }), actions());
    expect(labels(it)).toEqual(['In pausa', 'Ancora nessun backup', 'Apri', 'Controlla ora', 'Riprendi', 'Riprova i VOD non riusciti', 'Apri la cartella di lavoro', 'Esci']);
  });

  it('says the same as the header: retrying with when, attention with why, working with progress; capped for Windows', () => {
    expect(trayTooltip(view(status('retrying', { retryAt: '2026-12-01T12:04:59Z' })))).toBe('Twitch VOD Backup: Retrying 4:59');
    expect(trayTooltip(view(status('attention', { reason: 'vodFailed', facts: { ...NO_FACTS, failed: 3 } })))).toBe('Twitch VOD Backup: Needs attention: 3 VOD(s) failed');
    expect(trayTooltip(view(status('working', { progress: 0.456 })))).toBe('Twitch VOD Backup: Working · 45% done');
    expect(trayTooltip(view(status('working', { progress: 0.456 }), { lang: 'it', locale: 'it-IT' }))).toBe('Twitch VOD Backup: Al lavoro · 45% fatto');
    expect(trayTooltip(view(status('attention', { reason: 'diskLow' }))).length).toBeLessThanOrEqual(127);
  });

  it('drives the taskbar bar: progress while working, error on attention, paused, none when idle', () => {
    expect(taskbarProgress(status('working', { progress: 0.5 }))).toEqual({ value: 0.5, mode: 'normal' });
    expect(taskbarProgress(status('working'))).toEqual({ value: 2, mode: 'indeterminate' });
    expect(taskbarProgress(status('attention', { reason: 'vodFailed' }))).toEqual({ value: 1, mode: 'error' });
    expect(taskbarProgress(status('paused', { progress: 0.3 }))).toEqual({ value: 0.3, mode: 'paused' });
    expect(taskbarProgress(status('idle'))).toEqual({ value: -1, mode: 'none' });
    expect(taskbarProgress(status('retrying'))).toEqual({ value: -1, mode: 'none' });
  });

  it('uses Template images on macOS, .ico on Windows, PNG on Linux, and every file exists', () => {
    for (const state of TRAY_ICON_STATES) {
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
  it('sets icon, tooltip and a fresh menu on every update, one icon per status kind, and menu clicks reach the actions', () => {
    const a = actions();
    const tray = createTray({ trayDir, platform: 'linux', actions: a, initial: view(status('idle')) });
    const fake = electron.Tray.created[0]!;
    expect((fake.image as { path: string }).path).toBe(join(trayDir, 'tray-idle.png'));
    expect(fake.menus).toHaveLength(1);

    tray.update(view(status('working', { progress: 0.4 })));
    expect((fake.image as { path: string }).path).toBe(join(trayDir, 'tray-working.png'));
    expect(fake.tooltip).toContain('40% done');
    tray.update(view(status('paused')));
    expect((fake.image as { path: string }).path).toBe(join(trayDir, 'tray-paused.png'));
    tray.update(view(status('retrying', { retryAt: '2026-12-01T12:01:00Z' })));
    expect((fake.image as { path: string }).path).toBe(join(trayDir, 'tray-retrying.png'));
    tray.update(view(status('attention', { reason: 'loginNeeded' })));
    expect((fake.image as { path: string }).path).toBe(join(trayDir, 'tray-attention.png'));
    // The same kind again does not reload the image, but the menu is still re-set.
    const setImageCalls = fake.setImage.mock.calls.length;
    tray.update(view(status('attention', { reason: 'diskLow' })));
    expect(fake.setImage.mock.calls.length).toBe(setImageCalls);
    expect(fake.menus).toHaveLength(6);

    tray.update(view(status('paused')));
    const menu = fake.menus.at(-1)!.items;
    const click = (id: string) => (menu.find((i) => i.id === id)?.click as () => void)();
    for (const id of ['open', 'resume', 'retryFailed', 'openWorkFolder', 'quit']) click(id);
    for (const name of ['open', 'resume', 'retryFailed', 'openWorkFolder', 'quit']) expect(a[name], name).toHaveBeenCalledTimes(1);
    expect(menu.some((i) => i.id === 'pause')).toBe(false);

    // Left click opens the window on Linux / Windows.
    fake.emit('click');
    expect(a.open).toHaveBeenCalledTimes(2);
  });

  it('marks macOS images as templates', () => {
    createTray({ trayDir, platform: 'darwin', actions: actions(), initial: view(status('idle')) });
    const img = electron.Tray.created[0]!.image as { path: string; template: boolean };
    expect(img.path).toBe(join(trayDir, 'tray-idleTemplate.png'));
    expect(img.template).toBe(true);
  });
});
