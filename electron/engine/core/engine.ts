import { statfsSync } from 'node:fs';
import { join } from 'node:path';
import type { EngineStatus, LoginStep, TelegramAccount, VodRow } from '../../contract/domain';
import type { EnginePaths } from '../../contract/host';
import type { Notice, SettingsView } from '../../contract/protocol';
import { SecretsSchema, parseSettings, readinessProblems, secretsPresence, type Problem, type Secrets, type Settings } from '../../contract/settings';
import { openDatabase, type Db } from '../store/database';
import { getVod, queueVods } from '../store/vods';
import { configureLogFile, createLogger, onLogLine } from '../util/log';
import { registerSecret } from '../util/redact';
import { EventBus } from './events';
import type { LiveProgress } from '../pipeline/context';
import { vodRow } from './vod-rows';

/** What the engine needs from whoever hosts it (Electron main, the headless runner, a test). */
export interface EngineHost {
  /** Store these secrets (encrypted in the app, 0600 file headless). Values never logged. */
  persistSecrets(patch: Partial<Secrets>, remove: Array<keyof Secrets>): void;
  /** Store these settings (already validated). */
  persistSettings(settings: Settings): void;
  notice(notice: Notice): void;
  status(status: EngineStatus, summary: string): void;
}

const log = createLogger('engine');

/**
 * The engine's state: settings, secrets, the database, the event bus. The parts that work on it
 * are built around it in ./start-engine.ts (the composition root). Request handling lives
 * in ./requests; this class only holds state and applies changes consistently.
 */
export class Engine {
  readonly bus = new EventBus();
  readonly paths: EnginePaths;
  readonly host: EngineHost;
  settings: Settings;
  secrets: Secrets;
  /** Problems of the last settings that were rejected (kept for the UI), plus readiness. */
  problems: Problem[] = [];
  db!: Db;
  status: EngineStatus = { state: 'idle', message: null, nextCheckAt: null, diskFreeBytes: null };
  login: LoginStep = { step: 'idle' };
  account: TelegramAccount | null = null;
  readonly live = new Map<string, LiveProgress>();
  private readonly settingsListeners = new Set<(s: Settings, secrets: Secrets) => void>();
  /** Every log line also goes to connected UIs (the live log page). */
  private readonly stopLogEvents = onLogLine((line) => this.bus.emit('log', line));

  constructor(options: { paths: EnginePaths; host: EngineHost; settings: Settings; secrets: Secrets }) {
    this.paths = options.paths;
    this.host = options.host;
    this.settings = options.settings;
    this.secrets = SecretsSchema.parse(options.secrets);
    Object.values(this.secrets).forEach(registerSecret);
    this.problems = readinessProblems(this.settings, secretsPresence(this.secrets));
  }

  /** Opens the database and logs; the scheduler is started by the caller once this resolves. */
  open(): void {
    if (this.paths.logFile) configureLogFile(this.paths.logFile, this.settings.advanced.logLevel);
    // Inside Electron the engine needs better-sqlite3 built for Electron's ABI, kept apart from the
    // Node build the tests use (main passes its path in development; packaged apps carry only it).
    const nativeBinding = process.versions.electron ? process.env.TVB_SQLITE_NATIVE_BINDING || undefined : undefined;
    this.db = openDatabase(this.databasePath(), { nativeBinding });
    log.info(`database ${this.databasePath()}`);
    this.refreshStatus();
  }

  databasePath(): string {
    return this.settings.paths.database || join(this.paths.dataDir, 'vods.db');
  }

  workDir(): string {
    return this.settings.paths.workDir || join(this.paths.dataDir, 'work');
  }

  settingsView(): SettingsView {
    return { settings: this.settings, problems: this.problems, secrets: secretsPresence(this.secrets) };
  }

  /** Validates and applies settings from the UI; persists through the host. Invalid -> nothing changes. */
  updateSettings(raw: unknown, options: { persist: boolean }): { ok: true; view: SettingsView } | { ok: false; problems: Problem[] } {
    const parsed = parseSettings(raw);
    if (!parsed.ok) return { ok: false, problems: parsed.problems };
    if (options.persist) this.host.persistSettings(parsed.settings);
    this.settings = parsed.settings;
    this.afterChange();
    return { ok: true, view: this.settingsView() };
  }

  /** Problems the given settings would have (shape and readiness), without applying them. */
  updateSettingsDryRun(raw: unknown): Problem[] {
    const parsed = parseSettings(raw);
    return parsed.ok ? readinessProblems(parsed.settings, secretsPresence(this.secrets)) : parsed.problems;
  }

  /** Secrets changed inside the engine (login, token refresh) or from the UI: store, then apply. */
  updateSecrets(patch: Partial<Secrets>, remove: Array<keyof Secrets> = []): void {
    const next: Secrets = { ...this.secrets, ...patch };
    for (const key of remove) delete next[key];
    this.host.persistSecrets(patch, remove);
    this.replaceSecrets(next);
  }

  /** Secrets replaced by the host (e.g. the user edited secrets.json). */
  replaceSecrets(secrets: Secrets): void {
    this.secrets = SecretsSchema.parse(secrets);
    Object.values(this.secrets).forEach(registerSecret);
    this.afterChange();
  }

  onSettingsChanged(listener: (s: Settings, secrets: Secrets) => void): () => void {
    this.settingsListeners.add(listener);
    return () => this.settingsListeners.delete(listener);
  }

  private afterChange(): void {
    this.problems = readinessProblems(this.settings, secretsPresence(this.secrets));
    for (const listener of this.settingsListeners) listener(this.settings, this.secrets);
    this.bus.emit('settings', this.settingsView());
    this.refreshStatus();
  }

  setStatus(patch: Partial<EngineStatus>): void {
    this.status = { ...this.status, ...patch };
    this.bus.emit('status', this.status);
    this.host.status(this.status, this.summary());
  }

  /** Recomputes setup-needed from readiness; other states are owned by the scheduler. */
  refreshStatus(): void {
    if (this.problems.length > 0) {
      this.setStatus({ state: 'setupNeeded', message: `Setup needed: ${this.problems.map((p) => p.path).join(', ')}` });
    } else if (this.status.state === 'setupNeeded') {
      this.setStatus({ state: 'idle', message: null });
    } else {
      this.setStatus({});
    }
  }

  setLogin(step: LoginStep): void {
    this.login = step;
    this.bus.emit('login', step);
  }

  setAccount(account: TelegramAccount | null): void {
    this.account = account;
    this.bus.emit('account', account);
  }

  notice(notice: Notice): void {
    this.bus.emit('notice', notice);
    this.host.notice(notice);
  }

  /** Emits the current row of a VOD (after any stored change). */
  publishVod(id: string): VodRow | undefined {
    const row = this.publishVodQuietly(id);
    if (row) this.bus.emit('vod', row);
    return row;
  }

  /** The current row of a VOD, without an event (progress updates send only the part). */
  publishVodQuietly(id: string): VodRow | undefined {
    const record = getVod(this.db, id);
    return record ? vodRow(this.db, record, this.settings, this.live.get(id)) : undefined;
  }

  queueRows(): VodRow[] {
    // The queue shows what is not finished, plus recent completions so the user sees them land.
    const since = new Date(Date.now() - 24 * 3600_000).toISOString();
    return queueVods(this.db, since).map((v) => vodRow(this.db, v, this.settings, this.live.get(v.id)));
  }

  diskFreeBytes(): number | null {
    try {
      const s = statfsSync(this.workDir());
      return s.bavail * s.bsize;
    } catch {
      try {
        const s = statfsSync(this.paths.dataDir);
        return s.bavail * s.bsize;
      } catch {
        return null;
      }
    }
  }

  summary(): string {
    const s = this.status;
    return s.message ?? (s.state === 'idle' ? 'Idle' : s.state === 'working' ? 'Working' : s.state);
  }

  close(): void {
    this.stopLogEvents();
    this.db?.close();
  }
}
