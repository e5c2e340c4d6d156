/**
 * A stand-in for the `electron` module (the binary never runs here). Used as
 * `vi.mock('electron', () => import('./electron-mock'))`. Each fake records what the code under
 * test did to it, so tests assert on calls, not on timing.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

export class FakeWebContents extends EventEmitter {
  windowOpenHandler: ((details: { url: string }) => { action: 'allow' | 'deny' }) | undefined;
  sent: Array<{ channel: string; message: unknown; ports?: unknown[] }> = [];
  destroyed = false;
  mainFrame = { url: 'app://renderer/index.html', parent: null };
  loadURL = vi.fn(async (_url: string) => undefined);
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'allow' | 'deny' }) {
    this.windowOpenHandler = handler;
  }
  postMessage(channel: string, message: unknown, ports?: unknown[]) {
    this.sent.push({ channel, message, ports });
  }
  send(channel: string, message: unknown) {
    this.sent.push({ channel, message });
  }
  isDestroyed() {
    return this.destroyed;
  }
}

export class BrowserWindow extends EventEmitter {
  static created: BrowserWindow[] = [];
  webContents = new FakeWebContents();
  visible = false;
  constructor(public options: Record<string, unknown>) {
    super();
    BrowserWindow.created.push(this);
  }
  loadURL(url: string) {
    return this.webContents.loadURL(url);
  }
  show = vi.fn(() => {
    this.visible = true;
  });
  hide = vi.fn(() => {
    this.visible = false;
  });
  focus = vi.fn();
  restore = vi.fn();
  isMinimized = () => false;
  isVisible = () => this.visible;
  isDestroyed = () => false;
  progress: Array<{ value: number; mode?: string }> = [];
  setProgressBar = vi.fn((value: number, options?: { mode?: string }) => void this.progress.push({ value, mode: options?.mode }));
  normalBounds = { x: 10, y: 20, width: 900, height: 700 };
  overlays: Array<{ icon: unknown; description: string }> = [];
  setOverlayIcon = vi.fn((icon: unknown, description: string) => void this.overlays.push({ icon, description }));
  getNormalBounds = () => ({ ...this.normalBounds });
}

export const dialog = {
  answer: 0,
  asked: [] as Array<Record<string, unknown>>,
  showMessageBoxSync: vi.fn((...args: unknown[]) => {
    dialog.asked.push(args.at(-1) as Record<string, unknown>);
    return dialog.answer;
  }),
};

export class Tray extends EventEmitter {
  static created: Tray[] = [];
  image: unknown;
  tooltip = '';
  menus: Array<{ items: Array<Record<string, unknown>> }> = [];
  setImage = vi.fn((img: unknown) => {
    this.image = img;
  });
  destroy = vi.fn();
  constructor(image: unknown) {
    super();
    this.image = image;
    Tray.created.push(this);
  }
  setToolTip(text: string) {
    this.tooltip = text;
  }
  setContextMenu(menu: { items: Array<Record<string, unknown>> }) {
    this.menus.push(menu);
  }
}

export const Menu = {
  buildFromTemplate: (items: Array<Record<string, unknown>>) => ({ items }),
};

export const nativeImage = {
  createFromPath: (path: string) => ({
    path,
    template: false,
    setTemplateImage(this: { template: boolean }, v: boolean) {
      this.template = v;
    },
  }),
};

export class Notification extends EventEmitter {
  static shown: Notification[] = [];
  static supported = true;
  static isSupported() {
    return Notification.supported;
  }
  constructor(public options: { title: string; body: string; urgency?: string; icon?: string; actions?: Array<{ type: string; text: string }> }) {
    super();
  }
  show() {
    Notification.shown.push(this);
  }
}

export class FakeMessagePort extends EventEmitter {
  posted: unknown[] = [];
  started = false;
  closed = false;
  postMessage(message: unknown) {
    this.posted.push(message);
  }
  start() {
    this.started = true;
  }
  close() {
    this.closed = true;
  }
}

export class MessageChannelMain {
  static created: MessageChannelMain[] = [];
  port1 = new FakeMessagePort();
  port2 = new FakeMessagePort();
  constructor() {
    MessageChannelMain.created.push(this);
  }
}

export class FakeUtilityProcess extends EventEmitter {
  posted: Array<{ message: unknown; ports?: unknown[] }> = [];
  killed = false;
  constructor(
    public modulePath: string,
    public args: string[],
    public options: Record<string, unknown>,
  ) {
    super();
  }
  postMessage(message: unknown, ports?: unknown[]) {
    this.posted.push({ message, ports });
  }
  kill() {
    this.killed = true;
    return true;
  }
  /** Test helper: the process dies. */
  crash(code = 1) {
    this.emit('exit', code);
  }
}

export const utilityProcess = {
  forked: [] as FakeUtilityProcess[],
  fork: vi.fn((modulePath: string, args: string[] = [], options: Record<string, unknown> = {}) => {
    const child = new FakeUtilityProcess(modulePath, args, options);
    utilityProcess.forked.push(child);
    return child;
  }),
};

const loginItems = new Map<string, boolean>();
const loginKey = (o?: { path?: string; args?: string[] }) => `${o?.path ?? ''}|${(o?.args ?? []).join(' ')}`;
export const app = Object.assign(new EventEmitter(), {
  loginItemCalls: [] as Array<Record<string, unknown>>,
  wasOpenedAtLogin: false,
  setLoginItemSettings: vi.fn((s: { openAtLogin: boolean; path?: string; args?: string[] }) => {
    app.loginItemCalls.push(s);
    loginItems.set(loginKey(s), s.openAtLogin);
  }),
  getLoginItemSettings: vi.fn((o?: { path?: string; args?: string[] }) => ({
    openAtLogin: loginItems.get(loginKey(o)) ?? false,
    wasOpenedAtLogin: app.wasOpenedAtLogin,
  })),
  resetLoginItems() {
    loginItems.clear();
    app.loginItemCalls.length = 0;
  },
  singleInstanceLock: true,
  requestSingleInstanceLock: vi.fn(() => app.singleInstanceLock),
  quit: vi.fn(),
  getVersion: () => '0.1.0',
  isPackaged: false,
  paths: {} as Record<string, string>,
  appPath: '/app',
  getPath: (name: string) => {
    const p = app.paths[name];
    if (!p) throw new Error(`test did not set app.paths.${name}`);
    return p;
  },
  getAppPath: () => app.appPath,
  whenReady: vi.fn(async () => undefined),
  setAppUserModelId: vi.fn(),
  getLocale: () => 'en-US',
  badgeCounts: [] as number[],
  setBadgeCount: vi.fn((n: number) => void app.badgeCounts.push(n)),
});

/** @public Electron's `screen`, reached through vi.mock('electron') (main/index.ts reads the displays). */
export const screen = {
  getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1040 } }],
};

export const shell = {
  openExternal: vi.fn(async (_url: string) => undefined),
  openPath: vi.fn(async (_path: string) => ''),
  showItemInFolder: vi.fn(),
};

export const protocol = {
  registerSchemesAsPrivileged: vi.fn(),
  handlers: new Map<string, (req: { url: string }) => Promise<Response>>(),
  handle: vi.fn((scheme: string, handler: (req: { url: string }) => Promise<Response>) => {
    protocol.handlers.set(scheme, handler);
  }),
};

export const session = {
  defaultSession: {
    permissionHandler: undefined as undefined | ((c: unknown, p: string, cb: (ok: boolean) => void) => void),
    checkHandler: undefined as undefined | ((c: unknown, p: string) => boolean),
    setPermissionRequestHandler(h: (c: unknown, p: string, cb: (ok: boolean) => void) => void) {
      this.permissionHandler = h;
    },
    setPermissionCheckHandler(h: (c: unknown, p: string) => boolean) {
      this.checkHandler = h;
    },
    webRequest: { onHeadersReceived: vi.fn() },
  },
};

export const ipcMain = {
  handlers: new Map<string, (event: unknown, ...args: unknown[]) => unknown>(),
  handle(channel: string, handler: (event: unknown, ...args: unknown[]) => unknown) {
    ipcMain.handlers.set(channel, handler);
  },
  removeHandler(channel: string) {
    ipcMain.handlers.delete(channel);
  },
};

export const contextBridge = {
  exposed: new Map<string, unknown>(),
  exposeInMainWorld: vi.fn((key: string, api: unknown) => {
    contextBridge.exposed.set(key, api);
  }),
};

export const ipcRenderer = Object.assign(new EventEmitter(), {
  invoke: vi.fn(async (_channel: string, ..._args: unknown[]) => undefined as unknown),
});

/** Not real encryption, but never the plain bytes: enough to see that the app encrypts. */
export const safeStorage = {
  isEncryptionAvailable: () => true,
  encryptString: (s: string) => Buffer.from(`ENC:${Buffer.from(s).reverse().toString('hex')}`),
  decryptString: (b: Buffer) => Buffer.from(b.toString().slice(4), 'hex').reverse().toString(),
  getSelectedStorageBackend: () => 'gnome_libsecret',
};

export default {
  app,
  BrowserWindow,
  Tray,
  Menu,
  nativeImage,
  Notification,
  MessageChannelMain,
  utilityProcess,
  shell,
  protocol,
  session,
  ipcMain,
  contextBridge,
  ipcRenderer,
  safeStorage,
};
