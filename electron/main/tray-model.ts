import { join } from 'node:path';

/**
 * What the tray shows, as pure functions of the engine's status: the icon for the state, the
 * tooltip with progress, and the menu template. tray.ts applies them to Electron's Tray.
 */
export type TrayIconState = 'idle' | 'working' | 'error' | 'loginNeeded';

export interface TrayStatus {
  /** Engine state: idle, working, paused, error, loginNeeded, setupNeeded (unknown ones count as idle). */
  state: string;
  message: string | null;
  /** One-line progress summary from the engine (e.g. "Downloading 'Title' 45%"); may be empty. */
  summary: string;
}

export interface TrayActions {
  open(): void;
  checkNow(): void;
  pause(): void;
  resume(): void;
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

export function iconStateFor(state: string): TrayIconState {
  switch (state) {
    case 'working':
      return 'working';
    case 'error':
      return 'error';
    case 'loginNeeded':
    case 'setupNeeded':
      return 'loginNeeded';
    default:
      return 'idle';
  }
}

/** macOS menu-bar icons are monochrome Template images (the OS tints them); others get colour. */
export function trayIconFile(trayDir: string, state: TrayIconState, platform: NodeJS.Platform): string {
  const base = `tray-${state}`;
  return join(trayDir, platform === 'darwin' ? `${base}Template.png` : platform === 'win32' ? `${base}.ico` : `${base}.png`);
}

const STATE_TEXT: Record<string, string> = {
  idle: 'Idle',
  working: 'Working',
  paused: 'Paused',
  error: 'Error',
  loginNeeded: 'Login needed',
  setupNeeded: 'Setup needed',
};

export function trayTooltip(status: TrayStatus): string {
  const parts = [`Twitch VOD Backup: ${STATE_TEXT[status.state] ?? status.state}`];
  if (status.summary) parts.push(status.summary);
  else if (status.message) parts.push(status.message);
  // Windows truncates tray tooltips at 127 characters.
  const text = parts.join(' - ');
  return text.length > 127 ? `${text.slice(0, 126)}…` : text;
}

export function trayMenuTemplate(status: TrayStatus, actions: TrayActions): TrayMenuItem[] {
  const paused = status.state === 'paused';
  const busy = status.state === 'working';
  return [
    { id: 'status', label: trayTooltip(status).replace(/^Twitch VOD Backup: /, ''), enabled: false },
    { id: 'sep1', type: 'separator' },
    { id: 'open', label: 'Open', click: actions.open },
    { id: 'checkNow', label: 'Check now', enabled: !paused && !busy, click: actions.checkNow },
    paused ? { id: 'resume', label: 'Resume', click: actions.resume } : { id: 'pause', label: 'Pause', click: actions.pause },
    { id: 'openWorkFolder', label: 'Open work folder', click: actions.openWorkFolder },
    { id: 'sep2', type: 'separator' },
    { id: 'quit', label: 'Quit', click: actions.quit },
  ];
}
