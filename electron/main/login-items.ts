import { app } from 'electron';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * "Start at login": macOS and Windows through `app.setLoginItemSettings`, Linux through an XDG
 * autostart `.desktop` file. Launching hidden is signalled with the `--hidden` argument (macOS
 * ignores login-item args, so there the saved preference plus `wasOpenedAtLogin` decides).
 */
export const HIDDEN_ARG = '--hidden';
export const DESKTOP_FILE_NAME = 'twitch-vod-backup.desktop';

export interface LoginItemEnv {
  platform: NodeJS.Platform;
  /** The program to start: the AppImage file when running from one, else the executable. */
  execPath: string;
  /** $XDG_CONFIG_HOME or ~/.config */
  configHome: string;
}

export function defaultLoginItemEnv(): LoginItemEnv {
  return {
    platform: process.platform,
    execPath: process.env.APPIMAGE || process.execPath,
    configHome: process.env.XDG_CONFIG_HOME || join(homedir(), '.config'),
  };
}

export function autostartFile(env: LoginItemEnv): string {
  return join(env.configHome, 'autostart', DESKTOP_FILE_NAME);
}

/** Quotes a path for a desktop entry's Exec key (spec: double quotes, escape " ` $ \\). */
function quoteExec(arg: string): string {
  return /[\s"`$\\]/.test(arg) ? `"${arg.replace(/(["`$\\])/g, '\\$1')}"` : arg;
}

export function desktopEntry(execPath: string, startHidden: boolean): string {
  const exec = [quoteExec(execPath), ...(startHidden ? [HIDDEN_ARG] : [])].join(' ');
  return [
    '[Desktop Entry]',
    'Type=Application',
    'Name=Twitch VOD Backup',
    'Comment=Backs up Twitch broadcasts to Telegram',
    `Exec=${exec}`,
    'Terminal=false',
    'X-GNOME-Autostart-enabled=true',
    '',
  ].join('\n');
}

export interface StartAtLoginState {
  enabled: boolean;
  startHidden: boolean;
  supported: boolean;
}

export function getStartAtLogin(env: LoginItemEnv, savedStartHidden: boolean): StartAtLoginState {
  if (env.platform === 'linux') {
    const file = autostartFile(env);
    if (!existsSync(file)) return { enabled: false, startHidden: savedStartHidden, supported: true };
    const text = readFileSync(file, 'utf8');
    return { enabled: true, startHidden: text.includes(` ${HIDDEN_ARG}`), supported: true };
  }
  if (env.platform === 'win32') {
    // Windows keys a login item by path and args: with and without --hidden are two entries.
    if (app.getLoginItemSettings({ path: env.execPath, args: [HIDDEN_ARG] }).openAtLogin) {
      return { enabled: true, startHidden: true, supported: true };
    }
    const plain = app.getLoginItemSettings({ path: env.execPath, args: [] });
    return { enabled: plain.openAtLogin, startHidden: plain.openAtLogin ? false : savedStartHidden, supported: true };
  }
  if (env.platform === 'darwin') {
    return { enabled: app.getLoginItemSettings().openAtLogin, startHidden: savedStartHidden, supported: true };
  }
  return { enabled: false, startHidden: savedStartHidden, supported: false };
}

export function setStartAtLogin(env: LoginItemEnv, enabled: boolean, startHidden: boolean): StartAtLoginState {
  if (env.platform === 'linux') {
    const file = autostartFile(env);
    if (enabled) {
      mkdirSync(join(env.configHome, 'autostart'), { recursive: true });
      writeFileSync(file, desktopEntry(env.execPath, startHidden), { mode: 0o644 });
    } else {
      rmSync(file, { force: true });
    }
    return { enabled, startHidden, supported: true };
  }
  if (env.platform === 'win32') {
    // Clear both variants first so toggling "start hidden" does not leave a second entry behind.
    app.setLoginItemSettings({ openAtLogin: false, path: env.execPath, args: [HIDDEN_ARG] });
    app.setLoginItemSettings({ openAtLogin: false, path: env.execPath, args: [] });
    if (enabled) app.setLoginItemSettings({ openAtLogin: true, path: env.execPath, args: startHidden ? [HIDDEN_ARG] : [] });
    return { enabled, startHidden, supported: true };
  }
  if (env.platform === 'darwin') {
    app.setLoginItemSettings({ openAtLogin: enabled });
    return { enabled, startHidden, supported: true };
  }
  return { enabled: false, startHidden, supported: false };
}

/** Should this launch keep the window hidden (tray only)? */
export function shouldStartHidden(argv: readonly string[], platform: NodeJS.Platform, savedStartHidden: boolean): boolean {
  if (argv.includes(HIDDEN_ARG)) return true;
  if (platform === 'darwin') return savedStartHidden && app.getLoginItemSettings().wasOpenedAtLogin === true;
  return false;
}
