import { MessageChannelMain, utilityProcess, type MessagePortMain, type UtilityProcess, type WebContents } from 'electron';
import { ENGINE_PORT_CHANNEL } from '../contract/app';
import { EngineToHost, type EnginePaths, type HostToEngine } from '../contract/host';
import type { Secrets } from '../contract/settings';
import { createLogger } from '../engine/util/log';
import { DEFAULT_BACKOFF, nextAttempt, restartDelayMs, type BackoffPolicy } from './backoff';

const log = createLogger('main.engine');

/**
 * Hosts the engine in a utility process: starts it with settings, secrets and paths, gives every
 * renderer its own MessagePort straight to it once the engine says `ready`, forwards changes, and
 * restarts it with backoff when it dies (its work resumes from the database). Main never relays
 * renderer<->engine traffic.
 */
export interface EngineHostOptions {
  entry: string;
  paths: EnginePaths;
  /** Extra environment for the engine (e.g. the Electron-ABI better-sqlite3 binding in dev). */
  env?: Record<string, string>;
  getSettings(): unknown;
  getSecrets(): Secrets;
  /** Problems with the stored settings (the engine shows them in the UI). */
  getSettingsProblems?(): Array<{ path: string; message: string }>;
  /** Every valid message from the engine; invalid ones are logged and dropped. */
  onMessage(message: EngineToHost): void;
  /** Called when the engine died unexpectedly and a restart is scheduled. */
  onCrash(info: { code: number; attempt: number; delayMs: number }): void;
  backoff?: BackoffPolicy;
  schedule?: (fn: () => void, ms: number) => () => void;
  now?: () => number;
}

const defaultSchedule = (fn: () => void, ms: number) => {
  const t = setTimeout(fn, ms);
  return () => clearTimeout(t);
};

export class EngineHost {
  private child: UtilityProcess | undefined;
  /** Set by the engine's `ready`: it drops ports and changes that arrive before it has started. */
  private ready = false;
  private pendingChanges: HostToEngine[] = [];
  private startedAt = 0;
  private attempt = 0;
  private stopping = false;
  private cancelRestart: (() => void) | undefined;
  private readonly renderers = new Set<WebContents>();
  private readonly localClients = new Set<(port: MessagePortMain) => void>();
  private readonly schedule: NonNullable<EngineHostOptions['schedule']>;
  private readonly now: () => number;
  private readonly policy: BackoffPolicy;
  private readonly safePointWaiters: Array<(safe: boolean) => void> = [];

  constructor(private readonly opts: EngineHostOptions) {
    this.schedule = opts.schedule ?? defaultSchedule;
    this.now = opts.now ?? Date.now;
    this.policy = opts.backoff ?? DEFAULT_BACKOFF;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  start(): void {
    if (this.child || this.stopping) return;
    const child = utilityProcess.fork(this.opts.entry, [], {
      serviceName: 'Twitch VOD Backup engine',
      stdio: 'inherit',
      env: { ...process.env, ...this.opts.env } as Record<string, string>,
    });
    this.child = child;
    this.ready = false;
    // Settings and secrets are read fresh at init, so changes queued for the old process are moot.
    this.pendingChanges = [];
    this.startedAt = this.now();
    child.on('spawn', () => {
      child.postMessage({
        type: 'init',
        settings: this.opts.getSettings(),
        secrets: this.opts.getSecrets(),
        paths: this.opts.paths,
        settingsProblems: this.opts.getSettingsProblems?.() ?? [],
      } satisfies HostToEngine);
    });
    child.on('message', (raw: unknown) => {
      const parsed = EngineToHost.safeParse(raw);
      if (!parsed.success) {
        log.warn('Dropped an invalid message from the engine', parsed.error.issues.slice(0, 3));
        return;
      }
      if (parsed.data.type === 'ready' && this.child === child) this.onReady(child);
      if (parsed.data.type === 'safePoint') for (const resolve of this.safePointWaiters.splice(0)) resolve(parsed.data.safe);
      this.opts.onMessage(parsed.data);
    });
    child.on('exit', (code: number) => this.onExit(child, code));
  }

  private onReady(child: UtilityProcess): void {
    this.ready = true;
    for (const message of this.pendingChanges.splice(0)) child.postMessage(message);
    for (const contents of this.renderers) this.sendPort(contents);
    for (const attach of this.localClients) this.sendLocalPort(attach);
  }

  private onExit(child: UtilityProcess, code: number): void {
    if (this.child !== child) return;
    this.child = undefined;
    this.ready = false;
    // No engine, nothing in flight.
    for (const resolve of this.safePointWaiters.splice(0)) resolve(true);
    if (this.stopping) return;
    this.attempt = nextAttempt(this.attempt, this.now() - this.startedAt, this.policy);
    const delayMs = restartDelayMs(this.attempt, this.policy);
    log.error(`The engine exited (code ${code}); restarting in ${Math.round(delayMs / 1000)} s (attempt ${this.attempt})`);
    this.opts.onCrash({ code, attempt: this.attempt, delayMs });
    this.cancelRestart = this.schedule(() => {
      this.cancelRestart = undefined;
      this.start();
    }, delayMs);
  }

  /** Gives a renderer a fresh port to the engine (on load, reload, and after every restart). */
  connectRenderer(contents: WebContents): void {
    if (!this.renderers.has(contents)) {
      this.renderers.add(contents);
      contents.once('destroyed', () => this.renderers.delete(contents));
    }
    if (this.ready) this.sendPort(contents);
  }

  private sendPort(contents: WebContents): void {
    if (!this.child || !this.ready || contents.isDestroyed()) return;
    const { port1, port2 } = new MessageChannelMain();
    this.child.postMessage({ type: 'port' } satisfies HostToEngine, [port1]);
    contents.postMessage(ENGINE_PORT_CHANNEL, null, [port2]);
  }

  /**
   * A protocol client inside main (the tray's Check now / Pause / Resume): `attach` gets a fresh
   * port now (if running) and after every restart.
   */
  addLocalClient(attach: (port: MessagePortMain) => void): void {
    this.localClients.add(attach);
    if (this.ready) this.sendLocalPort(attach);
  }

  private sendLocalPort(attach: (port: MessagePortMain) => void): void {
    if (!this.child || !this.ready) return;
    const { port1, port2 } = new MessageChannelMain();
    this.child.postMessage({ type: 'port' } satisfies HostToEngine, [port1]);
    port2.start();
    attach(port2);
  }

  /**
   * Asks the engine whether an app update may be installed now (no upload in flight). No running
   * engine means nothing in flight; no answer within `timeoutMs` counts as "not now".
   */
  askSafePoint(timeoutMs = 10_000): Promise<boolean> {
    const child = this.child;
    if (!child || !this.ready) return Promise.resolve(true);
    return new Promise((resolve) => {
      let done = false;
      const finish = (safe: boolean) => {
        if (done) return;
        done = true;
        cancel();
        resolve(safe);
      };
      const cancel = this.schedule(() => finish(false), timeoutMs);
      this.safePointWaiters.push(finish);
      child.postMessage({ type: 'safePoint.request' } satisfies HostToEngine);
    });
  }

  settingsChanged(settings: unknown): void {
    this.post({ type: 'settings.changed', settings });
  }

  secretsChanged(secrets: Secrets): void {
    this.post({ type: 'secrets.changed', secrets });
  }

  private post(message: HostToEngine): void {
    if (!this.child) return; // the next start reads settings and secrets afresh
    if (this.ready) this.child.postMessage(message);
    else this.pendingChanges.push(message);
  }

  /** Asks the engine to shut down cleanly, killing it if it has not exited in `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    this.stopping = true;
    this.cancelRestart?.();
    this.cancelRestart = undefined;
    const child = this.child;
    if (!child) return;
    await new Promise<void>((resolve) => {
      const cancel = this.schedule(() => {
        child.kill();
        resolve();
      }, graceMs);
      child.once('exit', () => {
        cancel();
        resolve();
      });
      child.postMessage({ type: 'shutdown' } satisfies HostToEngine);
    });
    this.child = undefined;
  }
}
