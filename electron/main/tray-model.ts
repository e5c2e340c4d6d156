import { join } from 'node:path';
import { statusWordKey, type AppStatus, type StatusKind } from '../contract/status';
import { shellText, type ShellLanguage } from '../contract/shell-text';

/**
 * What the tray shows, as pure functions of the one status model (contract/status.ts): the icon
 * per kind, the tooltip with progress, and the menu template, in the UI language. tray.ts
 * applies them to Electron's Tray.
 */
export type TrayIconState = StatusKind;
export const TRAY_ICON_STATES: TrayIconState[] = ['idle', 'working', 'paused', 'retrying', 'attention'];

export interface TrayView {
  status: AppStatus;
  lang: ShellLanguage;
  locale: string;
  /** When the last VOD finished backing up (ISO), if any. */
  lastBackupAt: string | null;
  now: number;
}

export interface TrayActions {
  open(): void;
  checkNow(): void;
  pause(): void;
  resume(): void;
  retryFailed(): void;
  openWorkFolder(): void;
  quit(): void;
}

export interface TrayMenuItem {
  id: string;
  label?: string;
  type?: 'normal' | 'separator';
  enabled?: boolean;
  click?: () => void;
}

/** macOS menu-bar icons are monochrome Template images (the OS tints them); others get colour. */
export function trayIconFile(trayDir: string, state: TrayIconState, platform: NodeJS.Platform): string {
  const base = `tray-${state}`;
  return join(trayDir, platform === 'darwin' ? `${base}Template.png` : platform === 'win32' ? `${base}.ico` : `${base}.png`);
}

function countdown(iso: string, now: number): string {
  const s = Math.max(0, Math.round((Date.parse(iso) - now) / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}` : `${m}:${String(s % 60).padStart(2, '0')}`;
}

/** The status in words, as the window's header says it. */
export function statusLine(v: TrayView): string {
  const s = v.status;
  const t = (k: Parameters<typeof shellText>[1], p?: Record<string, string | number>) => shellText(v.lang, k, p);
  if (s.kind === 'attention') return `${t('status.attention')}: ${t(`status.reason.${s.reason ?? 'held'}`, { count: s.facts.failed })}`;
  if (s.kind === 'retrying') return s.retryAt && Date.parse(s.retryAt) > v.now ? t('status.retrying', { time: countdown(s.retryAt, v.now) }) : t('status.retryingSoon');
  const base = t(statusWordKey(s));
  if (s.kind !== 'working' || s.progress == null) return base;
  const pct = new Intl.NumberFormat(v.locale, { style: 'percent', maximumFractionDigits: 0 }).format(Math.floor(s.progress * 100) / 100);
  return `${base} · ${t('status.progress', { percent: pct })}`;
}

export function trayTooltip(v: TrayView): string {
  // Windows truncates tray tooltips at 127 characters.
  const text = `Twitch VOD Backup: ${statusLine(v)}`;
  return text.length > 127 ? `${text.slice(0, 126)}…` : text;
}

export function trayMenuTemplate(v: TrayView, actions: TrayActions): TrayMenuItem[] {
  const t = (k: Parameters<typeof shellText>[1], p?: Record<string, string | number>) => shellText(v.lang, k, p);
  const paused = v.status.kind === 'paused';
  const busy = v.status.kind === 'working';
  const last = v.lastBackupAt
    ? t('tray.lastBackup', { time: new Date(v.lastBackupAt).toLocaleString(v.locale, { dateStyle: 'short', timeStyle: 'short' }) })
    : t('tray.noBackupYet');
  return [
    { id: 'status', label: statusLine(v), enabled: false },
    { id: 'lastBackup', label: last, enabled: false },
    { id: 'sep1', type: 'separator' },
    { id: 'open', label: t('tray.open'), click: actions.open },
    { id: 'checkNow', label: t('tray.checkNow'), enabled: !paused && !busy, click: actions.checkNow },
    paused ? { id: 'resume', label: t('tray.resume'), click: actions.resume } : { id: 'pause', label: t('tray.pause'), click: actions.pause },
    { id: 'retryFailed', label: t('tray.retryFailed'), enabled: v.status.facts.failed > 0, click: actions.retryFailed },
    { id: 'openWorkFolder', label: t('tray.openWorkFolder'), click: actions.openWorkFolder },
    { id: 'sep2', type: 'separator' },
    { id: 'quit', label: t('tray.quit'), click: actions.quit },
  ];
}

/** Taskbar/dock: a bar while working, paused/error modes, none when idle (Electron's setProgressBar). */
export function taskbarProgress(s: AppStatus): { value: number; mode: 'none' | 'normal' | 'paused' | 'error' | 'indeterminate' } {
  if (s.kind === 'attention') return { value: s.progress ?? 1, mode: 'error' };
  if (s.kind === 'paused') return s.progress != null ? { value: s.progress, mode: 'paused' } : { value: -1, mode: 'none' };
  if (s.kind === 'working') return s.progress != null ? { value: Math.max(0.01, s.progress), mode: 'normal' } : { value: 2, mode: 'indeterminate' };
  return { value: -1, mode: 'none' };
}
