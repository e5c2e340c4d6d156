import { app, ipcMain, safeStorage, screen, shell, type BrowserWindow, type MessagePortMain } from 'electron';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { APP_EVENT_CHANNEL, type AppEvent } from '../contract/app';
import { createApiClient } from '../contract/client';
import type { EngineToHost } from '../contract/host';
import { SECRET_NAMES, SecretsSchema, type Secrets, type Settings } from '../contract/settings';
import type { ToolSearch } from '../engine/util/binaries';
import { createLogger } from '../engine/util/log';
import { createSwappableTransport } from '../preload/port-transport';
import { createAppHandlers, workDirFor } from './app-actions';
import { EngineHost } from './engine-host';
import { isTrustedSender, registerAppIpc } from './ipc';
import { defaultLoginItemEnv, getStartAtLogin, setStartAtLogin, shouldStartHidden } from './login-items';
import { setupLogging } from './log';
import { APP_USER_MODEL_ID, showNotice, type Notice, type NoticeClick } from './notifications';
import { runtimePaths } from './paths';
import { SecretStore, storageInfo } from './secrets';
import { createSettingsStore, createShellStateStore } from './settings-store';
import { claimSingleInstance } from './single-instance';
import { describeTools, updateBundledYtDlp } from './tools';
import { shellLanguage } from '../contract/shell-text';
import { startShellStatus } from './tray-wiring';
import { createBoundsStore } from './window-store';
import { closeToTray, createMainWindow, fitBounds, rememberBounds, focusWindow, hardenSession, hardenWebContents, openExternalIfAllowed, registerAppScheme, serveRenderer } from './window';

/** Wiring only: each concern lives in its own module. */
const log = createLogger('main');
const devServer = !app.isPackaged ? process.env.VITE_DEV_SERVER_URL || undefined : undefined;
let win: BrowserWindow | undefined;
let quitting = false;

registerAppScheme();
if (process.platform === 'win32') app.setAppUserModelId(APP_USER_MODEL_ID);
if (claimSingleInstance(() => showWindow())) void app.whenReady().then(start).catch((err: unknown) => log.error('Start-up failed', err));

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

async function start(): Promise<void> {
  const paths = runtimePaths({ appPath: app.getAppPath(), resourcesPath: process.resourcesPath, isPackaged: app.isPackaged });
  const dataDir = app.getPath('userData');
  const logFile = join(app.getPath('logs'), 'twitch-vod-backup.log');
  setupLogging(logFile);
  log.info(`Starting ${app.getVersion()} (${process.platform}-${process.arch}, packaged: ${app.isPackaged})`);

  const settings = createSettingsStore();
  const shellState = createShellStateStore();
  const secrets = new SecretStore(join(dataDir, 'secrets.json'), safeStorage);
  const loginEnv = defaultLoginItemEnv();
  const secretInfo = () => storageInfo(safeStorage);
  if (secretInfo().warning) log.warn(secretInfo().warning as string);

  const loadSecrets = (): Secrets => {
    try {
      return pickSecrets(secrets.load());
    } catch (err) {
      log.error('Could not read the saved secrets; sign-ins are needed again', err);
      return {};
    }
  };
  const toolSearch = (): ToolSearch => {
    const t = settings.get().advanced.tools;
    return { overrides: { ffmpeg: t.ffmpeg || undefined, ffprobe: t.ffprobe || undefined, 'yt-dlp': t.ytDlp || undefined }, resourcesDir: paths.resourcesDir };
  };

  hardenSession(devServer);
  serveRenderer(paths.rendererDir);
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, devServer));

  const onNoticeClick = (click: NoticeClick) => {
    showWindow();
    if (click.action === 'openVod') sendAppEvent({ type: 'openVod', vodId: click.vodId });
    if (click.action === 'openSettings') sendAppEvent({ type: 'openSettings' });
  };
  const notify = (notice: Notice) => {
    if (settings.get().app.notifications) showNotice(notice, onNoticeClick, paths.appIcon, uiLang());
  };

  const uiLang = () => shellLanguage(settings.get().app.language, app.getLocale());
  const applyLoginItem = (next: Settings, previous: Settings) => {
    if (next.app.startAtLogin !== previous.app.startAtLogin || next.app.startHidden !== previous.app.startHidden) {
      setStartAtLogin(loginEnv, next.app.startAtLogin, next.app.startHidden);
    }
  };

  if (paths.sqliteNativeBinding && !existsSync(paths.sqliteNativeBinding)) {
    log.warn(`No better-sqlite3 build for Electron at ${paths.sqliteNativeBinding}; run \`npm run rebuild:electron\` once (the engine cannot open its database without it).`);
  }
  const engine = new EngineHost({
    entry: paths.engineEntry,
    paths: { dataDir, logFile, resourcesDir: paths.resourcesDir },
    env: paths.sqliteNativeBinding && existsSync(paths.sqliteNativeBinding) ? { TVB_SQLITE_NATIVE_BINDING: paths.sqliteNativeBinding } : {},
    getSettings: () => settings.get(),
    getSecrets: loadSecrets,
    onMessage: (message: EngineToHost) => {
      switch (message.type) {
        case 'ready':
          shellStatus.refresh();
          break;
        case 'persist.secrets': {
          const patch: Record<string, string | undefined> = { ...message.patch };
          for (const key of message.remove) patch[key] = undefined;
          try {
            secrets.update(patch);
          } catch (err) {
            log.error('Could not save secrets; they last until the app quits', err);
          }
          break;
        }
        case 'persist.settings': {
          const previous = settings.get();
          try {
            applyLoginItem(settings.set(message.settings), previous);
          } catch (err) {
            log.error('The engine sent settings that do not validate; not saved', err);
          }
          break;
        }
        case 'notice':
          notify(message.notice);
          break;
        case 'status':
          // The tray follows the engine's events through its own client (tray-wiring.ts).
          break;
        case 'fatal':
          log.error(`Engine fatal error: ${message.message}`);
          break;
      }
    },
    onCrash: ({ attempt, delayMs }) => {
      shellStatus.engineDown();
      // Once per streak: the attempt count goes back to 1 only after a stable run.
      if (attempt !== 1) return;
      notify({
        kind: 'engineRestarted',
        title: 'Twitch VOD Backup restarted its engine',
        body: `The background engine stopped unexpectedly and restarts in ${Math.ceil(delayMs / 1000)} s. Work resumes where it stopped.`,
      });
    },
  });
  settings.onExternalChange((next) => engine.settingsChanged(next));

  // The tray's own protocol client (Check now / Pause / Resume) over a port of its own.
  const transport = createSwappableTransport();
  engine.addLocalClient((port: MessagePortMain) =>
    transport.attach({ post: (m) => port.postMessage(m), listen: (cb) => port.on('message', (e) => cb(e.data)), close: () => port.close() }),
  );
  const engineApi = createApiClient(transport, { timeoutMs: 60_000 });
  const call = (p: Promise<unknown>) => void p.catch((err: unknown) => log.warn('Tray action failed', err));

  const handlers = createAppHandlers({
    version: app.getVersion(),
    platform: process.platform,
    arch: process.arch,
    packaged: app.isPackaged,
    dataDir,
    logFile,
    workDir: () => workDirFor(settings.get().paths.workDir, dataDir),
    toolSearch,
    storageInfo: secretInfo,
    openPath: (p) => shell.openPath(p),
    showItemInFolder: (p) => shell.showItemInFolder(p),
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
    quit: () => app.quit(),
  });
  const openWorkFolder = () => call(Promise.resolve(handlers.openWorkFolder({})));

  const shellStatus = startShellStatus({
    trayDir: paths.trayDir,
    api: engineApi,
    window: () => win,
    lang: uiLang,
    locale: () => app.getLocale(),
    lowDiskBytes: () => settings.get().advanced.lowDiskGuardMB * 1_000_000,
    actions: {
      open: showWindow,
      checkNow: () => call(engineApi['queue.checkNow']()),
      pause: () => call(engineApi['queue.pause']()),
      resume: () => call(engineApi['queue.resume']()),
      openWorkFolder,
    },
    quit: () => app.quit(),
  });

  registerAppIpc(ipcMain, handlers, (event) => isTrustedSender(event.senderFrame, () => (win && !win.isDestroyed() ? [win.webContents.mainFrame] : []), devServer));

  app.on('before-quit', () => {
    quitting = true;
  });
  let stopped = false;
  app.on('will-quit', (event) => {
    if (stopped) return;
    event.preventDefault();
    void engine.stop().finally(() => {
      stopped = true;
      shellStatus.destroy();
      app.quit();
    });
  });
  // A tray app: closing every window does not quit.
  app.on('window-all-closed', () => undefined);
  app.on('activate', () => showWindow());

  engine.start();
  const hidden = shouldStartHidden(process.argv, process.platform, settings.get().app.startHidden);
  const boundsStore = createBoundsStore();
  const bounds = fitBounds(boundsStore.get(), screen.getAllDisplays().map((d) => d.workArea));
  win = createMainWindow({ preload: paths.preload, devServer, show: !hidden, icon: paths.appIcon, bounds });
  rememberBounds(win, (b) => boundsStore.set(b));
  const contents = win.webContents;
  contents.on('did-finish-load', () => engine.connectRenderer(contents));
  closeToTray(win, {
    isQuitting: () => quitting,
    alreadyNotified: () => shellState.get('closeToTrayNotified'),
    onFirstHide: () => {
      shellState.set('closeToTrayNotified', true);
      notify({ kind: 'closedToTray', title: 'Still running', body: 'Twitch VOD Backup keeps backing up from the tray. Use Quit in the tray menu to stop it.' });
    },
  });
}
