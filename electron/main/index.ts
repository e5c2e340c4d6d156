import { app, ipcMain, safeStorage, screen, shell as desktop, type BrowserWindow, type MessagePortMain } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { APP_EVENT_CHANNEL, type AppEvent } from '../contract/app';
import { createApiClient } from '../contract/client';
import { SECRET_NAMES, SecretsSchema, type Secrets, type Settings } from '../contract/settings';
import { shellLanguage, type ShellLanguage } from '../contract/shell-text';
import type { ToolSearch } from '../engine/util/binaries';
import { createLogger } from '../engine/util/log';
import { createSwappableTransport } from '../preload/port-transport';
import type { AppLog } from './log-file';
import { createAppHandlers, workDirFor } from './app-actions';
import { startAppUpdates } from './app-update';
import { createEngineMessageHandler, crashNotice } from './engine-messages';
import { EngineHost } from './engine-host';
import { isTrustedSender, registerAppIpc } from './ipc';
import { defaultLoginItemEnv, getStartAtLogin, setStartAtLogin, shouldStartHidden, type LoginItemEnv } from './login-items';
import { setupLogging } from './log';
import { APP_USER_MODEL_ID, showNotice, type Notice, type NoticeClick } from './notifications';
import { runtimePaths, type RuntimePaths } from './paths';
import { SecretStore, storageInfo } from './secrets';
import { createSettingsStore, createShellStateStore, type SettingsStore } from './settings-store';
import { claimSingleInstance } from './single-instance';
import { describeTools, updateBundledYtDlp } from './tools';
import { startShellStatus, type ShellStatus } from './tray-wiring';
import type { UpdateController } from './updater';
import { createBoundsStore } from './window-store';
import {
  closeToTray,
  createMainWindow,
  fitBounds,
  focusWindow,
  hardenSession,
  hardenWebContents,
  openExternalIfAllowed,
  registerAppScheme,
  rememberBounds,
  serveRenderer,
} from './window';

/** Wiring only: each concern lives in its own module. */
const log = createLogger('main');
const devServer = !app.isPackaged ? process.env.VITE_DEV_SERVER_URL || undefined : undefined;
let win: BrowserWindow | undefined;
let quitting = false;

registerAppScheme();
if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
if (claimSingleInstance(() => showWindow()))
  void app
    .whenReady()
    .then(start)
    .catch((err: unknown) => log.error('Start-up failed', err));

function showWindow(): void {
  focusWindow(win);
}

function sendAppEvent(event: AppEvent): void {
  if (win && !win.isDestroyed()) win.webContents.send(APP_EVENT_CHANNEL, event);
}

function pickSecrets(map: Record<string, string | undefined>): Secrets {
  const known = Object.fromEntries(Object.entries(map).filter(([k, v]) => (SECRET_NAMES as string[]).includes(k) && v));
  return SecretsSchema.parse(known);
}

/** Stores, secrets and the log: what every other part of main reads. */
function openState(logFile: string): { appLog: AppLog; settings: SettingsStore; secrets: SecretStore; loadSecrets(): Secrets } {
  const appLog = setupLogging(logFile);
  const settings = createSettingsStore();
  appLog.setLevel(settings.get().advanced.logLevel);
  log.info(`Starting ${app.getVersion()} (${process.platform}-${process.arch}, packaged: ${app.isPackaged})`);
  const secrets = new SecretStore(join(app.getPath('userData'), 'secrets.json'), safeStorage);
  const warning = storageInfo(safeStorage).warning;
  if (warning) log.warn(warning);
  const loadSecrets = (): Secrets => {
    try {
      return pickSecrets(secrets.load());
    } catch (err) {
      log.error('Could not read the saved secrets; sign-ins are needed again', err);
      return {};
    }
  };
  return { appLog, settings, secrets, loadSecrets };
}

/** What the parts of the shell share, built once at start. */
interface Shell {
  paths: RuntimePaths;
  dataDir: string;
  logFile: string;
  appLog: AppLog;
  settings: SettingsStore;
  secrets: SecretStore;
  loadSecrets(): Secrets;
  loginEnv: LoginItemEnv;
  /** The language of the tray, notifications and dialogs. */
  uiLang(): ShellLanguage;
  notify(notice: Notice): void;
}

function createShell(): Shell {
  const paths = runtimePaths({ appPath: app.getAppPath(), resourcesPath: process.resourcesPath, isPackaged: app.isPackaged });
  const logFile = join(app.getPath('logs'), 'twitch-vod-backup.log');
  const { appLog, settings, secrets, loadSecrets } = openState(logFile);
  const onNoticeClick = (click: NoticeClick) => {
    showWindow();
    if (click.action === 'openVod') sendAppEvent({ type: 'openVod', vodId: click.vodId });
    if (click.action === 'openSettings') sendAppEvent({ type: 'openSettings' });
  };
  const uiLang = () => shellLanguage(settings.get().app.language, app.getLocale());
  const notify = (notice: Notice) => {
    if (settings.get().app.notifications) showNotice(notice, onNoticeClick, paths.appIcon, uiLang());
  };
  return { paths, dataDir: app.getPath('userData'), logFile, appLog, settings, secrets, loadSecrets, loginEnv: defaultLoginItemEnv(), uiLang, notify };
}

/** The engine's utility process and what main does with its messages; the app's self-update. */
function startEngineHost(shell: Shell, status: () => ShellStatus): { engine: EngineHost; updates: UpdateController } {
  const { paths, settings } = shell;
  const applyLoginItem = (next: Settings, previous: Settings) => {
    if (next.app.startAtLogin !== previous.app.startAtLogin || next.app.startHidden !== previous.app.startHidden) {
      setStartAtLogin(shell.loginEnv, next.app.startAtLogin, next.app.startHidden);
    }
  };
  const binding = paths.sqliteNativeBinding;
  if (binding && !existsSync(binding)) {
    log.warn(`No better-sqlite3 build for Electron at ${binding}; \`npm start\` makes it (scripts/rebuild-electron-native.mjs, needs the internet once).`);
  }
  const engine: EngineHost = new EngineHost({
    entry: paths.engineEntry,
    // The engine writes no file of its own: its lines come here as `log` messages (one writer).
    paths: { dataDir: shell.dataDir, logFile: '', resourcesDir: paths.resourcesDir },
    env: binding && existsSync(binding) ? { TVB_SQLITE_NATIVE_BINDING: binding } : {},
    getSettings: () => settings.get(),
    getSettingsProblems: () => settings.problems(),
    getSecrets: shell.loadSecrets,
    onMessage: createEngineMessageHandler({
      saveSecrets: (patch) => shell.secrets.update(patch),
      getSettings: () => settings.get(),
      saveSettings: (next) => settings.set(next),
      settingsSaved: (next, previous) => {
        applyLoginItem(next, previous);
        // The window's switch for automatic updates applies at once, not at the next start.
        updates.settingsChanged();
      },
      notify: shell.notify,
      // The tray follows the engine's events through main's own client (tray-wiring.ts).
      engineReady: () => status().refresh(),
      engineStatus: () => updates.engineStatusChanged(),
      writeLog: (line) => shell.appLog.write(line),
    }),
    onCrash: ({ attempt, delayMs }) => {
      status().engineDown();
      const notice = crashNotice(attempt, delayMs);
      if (notice) shell.notify(notice);
    },
  });
  const updates = startAppUpdates({
    enabled: () => settings.get().app.autoUpdate,
    askSafePoint: () => engine.askSafePoint(),
    onStatus: (update) => sendAppEvent({ type: 'update', update }),
  });
  settings.onExternalChange((next) => {
    shell.appLog.setLevel(next.advanced.logLevel);
    engine.settingsChanged(next);
    updates.settingsChanged();
  });
  return { engine, updates };
}

/** The renderer's shell actions (window.api.app.*) over the real effects. */
function appHandlers(shell: Shell, engine: EngineHost, updates: UpdateController) {
  const { settings, loginEnv } = shell;
  return createAppHandlers({
    version: app.getVersion(),
    platform: process.platform,
    arch: process.arch,
    packaged: app.isPackaged,
    dataDir: shell.dataDir,
    logFile: shell.logFile,
    workDir: () => workDirFor(settings.get().paths.workDir, shell.dataDir),
    toolSearch: (): ToolSearch => {
      const t = settings.get().advanced.tools;
      return { overrides: { ffmpeg: t.ffmpeg || undefined, ffprobe: t.ffprobe || undefined, 'yt-dlp': t.ytDlp || undefined }, resourcesDir: shell.paths.resourcesDir };
    },
    storageInfo: () => storageInfo(safeStorage),
    openPath: (p) => desktop.openPath(p),
    showItemInFolder: (p) => desktop.showItemInFolder(p),
    folderDestinations: () => settings.get().destinations.flatMap((d) => (d.kind === 'folder' ? [d.path] : [])),
    openExternal: openExternalIfAllowed,
    getStartAtLogin: () => getStartAtLogin(loginEnv, settings.get().app.startHidden),
    setStartAtLogin: (enabled, startHidden) => {
      const result = setStartAtLogin(loginEnv, enabled, startHidden);
      const current = settings.get();
      engine.settingsChanged(settings.set({ ...current, app: { ...current.app, startAtLogin: enabled, startHidden } }));
      return result;
    },
    describeTools,
    updateYtDlp: updateBundledYtDlp,
    updateStatus: () => updates.status(),
    checkForUpdates: () => updates.check({ manual: true }),
    quit: () => app.quit(),
  });
}

/** Tray, tooltip, taskbar and the quit question from one status model, over main's own port to the engine. */
function startStatus(shell: Shell, engine: EngineHost, openWorkFolder: () => void): ShellStatus {
  const transport = createSwappableTransport();
  engine.addLocalClient((port: MessagePortMain) =>
    transport.attach({ post: (m) => port.postMessage(m), listen: (cb) => port.on('message', (e) => cb(e.data)), close: () => port.close() }),
  );
  const engineApi = createApiClient(transport, { timeoutMs: 60_000 });
  const call = (p: Promise<unknown>) => void p.catch((err: unknown) => log.warn('Tray action failed', err));
  return startShellStatus({
    trayDir: shell.paths.trayDir,
    api: engineApi,
    window: () => win,
    lang: shell.uiLang,
    locale: () => app.getLocale(),
    lowDiskBytes: () => shell.settings.get().advanced.lowDiskGuardMB * 1_000_000,
    actions: {
      open: showWindow,
      checkNow: () => call(engineApi['queue.checkNow']()),
      pause: () => call(engineApi['queue.pause']()),
      resume: () => call(engineApi['queue.resume']()),
      openWorkFolder,
    },
    quit: () => app.quit(),
  });
}

async function start(): Promise<void> {
  const shell = createShell();
  hardenSession(devServer);
  serveRenderer(shell.paths.rendererDir);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, devServer));

  const { engine, updates } = startEngineHost(shell, () => status);
  const handlers = appHandlers(shell, engine, updates);
  const status = startStatus(shell, engine, () => void Promise.resolve(handlers.openWorkFolder({})).catch((err: unknown) => log.warn('Tray action failed', err)));
  registerAppIpc(ipcMain, handlers, (event) => isTrustedSender(event.senderFrame, () => (win && !win.isDestroyed() ? [win.webContents.mainFrame] : []), devServer));
  handleQuit(engine, status, updates.stop);

  engine.start();
  openWindow(shell, engine, updates);
}

function openWindow(shell: Shell, engine: EngineHost, updates: UpdateController): void {
  const shellState = createShellStateStore();
  const hidden = shouldStartHidden(process.argv, process.platform, shell.settings.get().app.startHidden);
  const boundsStore = createBoundsStore();
  const bounds = fitBounds(
    boundsStore.get(),
    screen.getAllDisplays().map((d) => d.workArea),
  );
  win = createMainWindow({ preload: shell.paths.preload, devServer, show: !hidden, icon: shell.paths.appIcon, bounds });
  rememberBounds(win, (b) => boundsStore.set(b));
  const contents = win.webContents;
  contents.on('did-finish-load', () => {
    engine.connectRenderer(contents);
    sendAppEvent({ type: 'update', update: updates.status() });
  });
  closeToTray(win, {
    isQuitting: () => quitting,
    alreadyNotified: () => shellState.get('closeToTrayNotified'),
    onFirstHide: () => {
      shellState.set('closeToTrayNotified', true);
      shell.notify({ kind: 'closedToTray', title: 'Still running', body: 'Twitch VOD Backup keeps backing up from the tray. Use Quit in the tray menu to stop it.' });
    },
  });
}

/** Quit stops the engine cleanly first (its work resumes at the next start); closing windows does not quit. */
function handleQuit(engine: EngineHost, status: ShellStatus, stopUpdates: () => void): void {
  app.on('before-quit', () => {
    quitting = true;
  });
  let stopped = false;
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    stopUpdates();
    void engine.stop().finally(() => {
      stopped = true;
      status.destroy();
      app.quit();
    });
  });
  // A tray app: closing every window does not quit.
  app.on('window-all-closed', () => undefined);
  app.on('activate', () => showWindow());
}
