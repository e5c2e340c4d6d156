import { SvelteSet } from 'svelte/reactivity';
import type { EngineStatus, LoginStep, TelegramAccount, VodRow } from '../../../electron/contract/domain';
import type { EngineApi } from '../../../electron/contract/client';
import type { UpdateStatus } from '../../../electron/contract/app';
import type { LogLine, Notice, SettingsView } from '../../../electron/contract/protocol';
import { destinationKey as destKey } from '../../../electron/contract/settings';
import type { Connection } from './api';
import { LOCALES, pickLanguage, translate, type Language, type MessageKey } from './i18n';
import { appStatus, queueFacts } from '../../../electron/contract/status';
import { applyDownload, applyPart, removeVod, sortQueue, upsertVod } from './queue';
import type { ConnectionState } from './ws-transport';

/**
 * The UI's live copy of the engine's state: filled from `snapshot.get`, then kept current by
 * events. A reconnect (browser mode) fetches a fresh snapshot, since events were missed.
 */
export type Page = 'queue' | 'history' | 'settings' | 'logs' | 'accounts';

const MAX_LOG_LINES = 1000;

export class AppState {
  readonly api: EngineApi;
  readonly connection: Connection;
  connState = $state<ConnectionState>('connecting');
  loaded = $state(false);
  loadError = $state<string | null>(null);
  status = $state<EngineStatus>({ state: 'idle', message: null, nextCheckAt: null, diskFreeBytes: null });
  vods = $state<VodRow[]>([]);
  login = $state<LoginStep>({ step: 'idle' });
  account = $state<TelegramAccount | null>(null);
  settingsView = $state<SettingsView | null>(null);
  logs = $state<LogLine[]>([]);
  notices = $state<Array<Notice & { key: number }>>([]);
  page = $state<Page>('queue');
  wizardOpen = $state(false);
  /** The app's self-update (desktop only; null in browser mode or before the shell answers). */
  update = $state<UpdateStatus | null>(null);
  /** Ticks once a second so countdowns refresh. */
  now = $state(Date.now());

  readonly queue = $derived(sortQueue(this.vods));
  /** The one status model (contract/status.ts), as the tray and taskbar see it too. */
  readonly appStatus = $derived(appStatus(this.status, queueFacts(this.vods), (this.settingsView?.settings.advanced.lowDiskGuardMB ?? 0) * 1_000_000));
  /** Destination keys still configured: a post to any other is shown as removed. */
  readonly destinationKeys: ReadonlySet<string> = $derived(new SvelteSet(this.settingsView?.settings.destinations.map(destKey) ?? []));
  /** data: URLs by `vodId` or `vodId#part`; null = asked, none available. */
  thumbs = $state<Record<string, string | null>>({});
  readonly lang: Language = $derived(pickLanguage(this.settingsView?.settings.app.language, typeof navigator === 'undefined' ? undefined : navigator.language));
  readonly locale = $derived(LOCALES[this.lang]);

  private noticeKey = 0;

  constructor(connection: Connection) {
    this.connection = connection;
    this.api = refreshAfterRestart(connection.api, () => void this.refresh());
    this.subscribe();
    connection.onState((state, reconnected) => {
      this.connState = state;
      if (state === 'open' && reconnected) void this.refresh();
    });
    if (connection.mode === 'desktop') this.connState = 'open';
    this.followUpdates();
    setInterval(() => (this.now = Date.now()), 1000);
  }

  t = (key: MessageKey, params?: Record<string, string | number>): string => translate(this.lang, key, params);

  async refresh(): Promise<void> {
    try {
      const snap = await this.api['snapshot.get']();
      this.status = snap.status;
      this.vods = snap.vods;
      this.login = snap.login;
      this.account = snap.account;
      this.settingsView = snap.settings;
      this.loadError = null;
      if (!this.loaded && snap.status.state === 'setupNeeded') this.wizardOpen = true;
      this.loaded = true;
    } catch (error) {
      this.loadError = (error as Error).message;
    }
  }

  private subscribe(): void {
    const on = this.api.on;
    on('status', (s) => (this.status = s));
    on('vod', (row) => {
      this.vods = upsertVod(this.vods, row);
      if (row.parts.some((p) => p.index === 1 && p.build === 'done')) this.thumbnail(row.id, 1);
    });
    on('vod.removed', ({ id }) => (this.vods = removeVod(this.vods, id)));
    on('download.progress', ({ vodId, progress }) => (this.vods = applyDownload(this.vods, vodId, progress)));
    on('part.progress', ({ vodId, part }) => {
      this.vods = applyPart(this.vods, vodId, part);
      // Ask for a built part's picture at once: the engine keeps a copy before the work folder is cleaned.
      if (part.build === 'done' && part.index === 1) this.thumbnail(vodId, 1);
    });
    on('login', (step) => (this.login = step));
    on('account', (account) => (this.account = account));
    on('settings', (view) => (this.settingsView = view));
    on('log', (line) => {
      const next = this.logs.length >= MAX_LOG_LINES ? this.logs.slice(-MAX_LOG_LINES + 1) : this.logs.slice();
      next.push(line);
      this.logs = next;
    });
    on('notice', (notice) => {
      const key = ++this.noticeKey;
      this.notices = [...this.notices.slice(-4), { ...notice, key }];
      // Good news goes away by itself; failures stay until dismissed.
      if (notice.kind === 'vodCompleted') setTimeout(() => this.dismissNotice(key), 15_000);
    });
  }

  /** The shell sends every change of the update status; the first one is asked for. */
  private followUpdates(): void {
    const shell = this.connection.app;
    if (!shell) return;
    shell.onEvent((event) => {
      if (event.type === 'update') this.update = event.update;
    });
    shell.getUpdateStatus().then(
      (u) => (this.update ??= u),
      () => {},
    );
  }

  /** Asks the engine once for a VOD's (or a part's) picture; the answer lands in `thumbs`. */
  thumbnail(vodId: string, part?: number): void {
    const key = part ? `${vodId}#${part}` : vodId;
    if (key in this.thumbs) return;
    this.thumbs[key] = null;
    this.api['vod.thumbnail']({ vodId, part })
      .then((r) => (this.thumbs[key] = r.dataUrl))
      .catch(() => {});
  }

  dismissNotice(key: number): void {
    this.notices = this.notices.filter((n) => n.key !== key);
  }
}

/**
 * The desktop shell fails requests caught by an engine restart with `engine_restarted`; the events
 * sent meanwhile are lost too, so such a failure also fetches a fresh snapshot.
 */
function refreshAfterRestart(api: EngineApi, refresh: () => void): EngineApi {
  return new Proxy(api, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver) as unknown;
      if (typeof value !== 'function' || key === 'on') return value;
      return (...args: unknown[]) =>
        (value as (...a: unknown[]) => Promise<unknown>).apply(target, args).catch((error: unknown) => {
          if ((error as { code?: string })?.code === 'engine_restarted') setTimeout(refresh, 500);
          throw error;
        });
    },
  });
}
