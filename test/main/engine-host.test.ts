import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ENGINE_PORT_CHANNEL } from '../../electron/contract/app';
import { nextAttempt, restartDelayMs } from '../../electron/main/backoff';

vi.mock('electron', () => import('./electron-mock'));
const electron = await import('./electron-mock');
const { EngineHost } = await import('../../electron/main/engine-host');

/** A manual scheduler: restarts run when the test says so, never by wall-clock time. */
function manualScheduler() {
  const pending: Array<{ fn: () => void; ms: number; cancelled: boolean }> = [];
  return {
    pending,
    schedule: (fn: () => void, ms: number) => {
      const entry = { fn, ms, cancelled: false };
      pending.push(entry);
      return () => {
        entry.cancelled = true;
      };
    },
    runNext() {
      const next = pending.shift();
      if (next && !next.cancelled) next.fn();
      return next;
    },
  };
}

const paths = { dataDir: '/data', logFile: '/data/app.log', resourcesDir: '/res' };

function setup() {
  const sched = manualScheduler();
  let clock = 0;
  const crashes: Array<{ code: number; attempt: number; delayMs: number }> = [];
  const messages: unknown[] = [];
  let settings: unknown = { version: 1, marker: 'a' };
  const host = new EngineHost({
    entry: '/app/dist-electron/engine/index.js',
    paths,
    env: { TVB_SQLITE_NATIVE_BINDING: '/x.node' },
    getSettings: () => settings,
    getSecrets: () => ({ telegramSession: 'sess' }),
    onMessage: (m) => messages.push(m),
    onCrash: (info) => crashes.push(info),
    schedule: sched.schedule,
    now: () => clock,
  });
  return {
    host,
    sched,
    crashes,
    messages,
    tick: (ms: number) => (clock += ms),
    setSettings: (s: unknown) => (settings = s),
    child: () => electron.utilityProcess.forked.at(-1)!,
  };
}

beforeEach(() => {
  electron.utilityProcess.forked.length = 0;
  electron.utilityProcess.fork.mockClear();
  electron.MessageChannelMain.created.length = 0;
});

describe('backoff', () => {
  it('doubles from 1 s to a 60 s cap and resets after a stable run', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((a) => restartDelayMs(a))).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000]);
    expect(restartDelayMs(10_000)).toBe(60000);
    expect(nextAttempt(3, 5_000)).toBe(4);
    expect(nextAttempt(3, 60_000)).toBe(1);
  });
});

describe('EngineHost', () => {
  it('forks the engine and sends init with settings, secrets and paths once it has spawned', () => {
    const t = setup();
    t.host.start();
    const child = t.child();
    expect(electron.utilityProcess.fork).toHaveBeenCalledTimes(1);
    expect(child.modulePath).toBe('/app/dist-electron/engine/index.js');
    expect((child.options.env as Record<string, string>).TVB_SQLITE_NATIVE_BINDING).toBe('/x.node');
    expect(child.posted).toHaveLength(0);
    child.emit('spawn');
    expect(child.posted[0]!.message).toEqual({ type: 'init', settings: { version: 1, marker: 'a' }, secrets: { telegramSession: 'sess' }, paths, settingsProblems: [] });
    // Changes before the engine is ready wait for it (it ignores them until started).
    t.host.settingsChanged({ version: 1, marker: 'b' });
    t.host.secretsChanged({ twitchUserToken: 'tok' });
    expect(child.posted).toHaveLength(1);
    child.emit('message', { type: 'ready' });
    expect(child.posted.slice(1).map((p) => p.message)).toEqual([
      { type: 'settings.changed', settings: { version: 1, marker: 'b' } },
      { type: 'secrets.changed', secrets: { twitchUserToken: 'tok' } },
    ]);
  });

  it('hands each renderer a MessagePort whose other end goes to the engine, once it is ready', () => {
    const t = setup();
    t.host.start();
    t.child().emit('spawn');
    const contents = new electron.FakeWebContents();
    t.host.connectRenderer(contents as never);
    expect(electron.MessageChannelMain.created).toHaveLength(0);
    t.child().emit('message', { type: 'ready' });
    const channel = electron.MessageChannelMain.created[0]!;
    expect(t.child().posted.at(-1)).toEqual({ message: { type: 'port' }, ports: [channel.port1] });
    expect(contents.sent).toEqual([{ channel: ENGINE_PORT_CHANNEL, message: null, ports: [channel.port2] }]);
  });

  it('validates engine messages and drops malformed ones', () => {
    const t = setup();
    t.host.start();
    const child = t.child();
    child.emit('message', { type: 'status', status: { state: 'working', message: null, nextCheckAt: null, diskFreeBytes: null }, summary: 'x' });
    child.emit('message', { type: 'status', status: { state: 'exploding' }, summary: 'x' });
    child.emit('message', { type: 'persist.secrets', patch: { notASecret: 'x' } });
    child.emit('message', 'hello');
    child.emit('message', { type: 'persist.secrets', patch: { telegramSession: 'new' } });
    expect(t.messages).toEqual([
      { type: 'status', status: { state: 'working', message: null, nextCheckAt: null, diskFreeBytes: null }, summary: 'x' },
      { type: 'persist.secrets', patch: { telegramSession: 'new' }, remove: [] },
    ]);
  });

  it('restarts a crashed engine with growing delays, re-sending init and fresh renderer ports', () => {
    const t = setup();
    const contents = new electron.FakeWebContents();
    t.host.start();
    t.child().emit('spawn');
    t.child().emit('message', { type: 'ready' });
    t.host.connectRenderer(contents as never);
    expect(contents.sent).toHaveLength(1);

    t.tick(100);
    t.child().crash(3);
    expect(t.crashes).toEqual([{ code: 3, attempt: 1, delayMs: 1000 }]);
    expect(t.host.running).toBe(false);
    expect(t.sched.pending.map((p) => p.ms)).toEqual([1000]);
    // Nothing restarts until the delay has passed.
    expect(electron.utilityProcess.fork).toHaveBeenCalledTimes(1);

    t.setSettings({ version: 1, marker: 'after' });
    t.sched.runNext();
    expect(electron.utilityProcess.fork).toHaveBeenCalledTimes(2);
    const second = t.child();
    second.emit('spawn');
    expect(second.posted[0]!.message).toMatchObject({ type: 'init', settings: { marker: 'after' } });
    second.emit('message', { type: 'ready' });
    expect(second.posted[1]!.message).toEqual({ type: 'port' });
    expect(contents.sent).toHaveLength(2); // a new port for the renderer after the restart

    t.tick(100);
    second.crash(1);
    t.sched.runNext();
    t.child().emit('spawn');
    t.tick(100);
    t.child().crash(1);
    expect(t.crashes.map((c) => c.delayMs)).toEqual([1000, 2000, 4000]);

    // A run that stayed up a while counts as healthy: the next crash waits 1 s again.
    t.sched.runNext();
    t.child().emit('spawn');
    t.tick(120_000);
    t.child().crash(1);
    expect(t.crashes.at(-1)).toMatchObject({ attempt: 1, delayMs: 1000 });
  });

  it('does not restart after stop, and kills an engine that does not exit in time', async () => {
    const t = setup();
    t.host.start();
    const child = t.child();
    child.emit('spawn');
    const stopping = t.host.stop(5000);
    expect(child.posted.at(-1)!.message).toEqual({ type: 'shutdown' });
    // The grace timer fires: the engine is killed.
    expect(t.sched.pending.at(-1)!.ms).toBe(5000);
    t.sched.pending.at(-1)!.fn();
    await stopping;
    expect(child.killed).toBe(true);
    child.crash(0);
    expect(t.crashes).toHaveLength(0);
    t.host.start();
    expect(electron.utilityProcess.fork).toHaveBeenCalledTimes(1);
  });

  it('gives the tray (a client inside main) a started port after each (re)start', () => {
    const t = setup();
    const ports: Array<{ started: boolean }> = [];
    t.host.start();
    t.host.addLocalClient((port) => ports.push(port as never));
    expect(ports).toHaveLength(0);
    t.child().emit('spawn');
    t.child().emit('message', { type: 'ready' });
    expect(ports).toHaveLength(1);
    expect(ports[0]!.started).toBe(true);
    expect(t.child().posted.at(-1)).toEqual({ message: { type: 'port' }, ports: [electron.MessageChannelMain.created[0]!.port1] });
    t.child().crash(1);
    t.sched.runNext();
    t.child().emit('spawn');
    t.child().emit('message', { type: 'ready' });
    expect(ports).toHaveLength(2);
  });

  it('a clean exit after shutdown needs no kill', async () => {
    const t = setup();
    t.host.start();
    const child = t.child();
    const stopping = t.host.stop();
    child.emit('exit', 0);
    await stopping;
    expect(child.killed).toBe(false);
    expect(t.crashes).toHaveLength(0);
  });

  it('asks the engine for a safe point to install an app update: its answer, "not now" on silence, "yes" with no engine', async () => {
    const t = setup();
    expect(await t.host.askSafePoint()).toBe(true); // not started: nothing in flight
    t.host.start();
    const child = t.child();
    child.emit('spawn');
    child.emit('message', { type: 'ready' });
    const busy = t.host.askSafePoint();
    expect(child.posted.at(-1)!.message).toEqual({ type: 'safePoint.request' });
    child.emit('message', { type: 'safePoint', safe: false, reason: 'working' });
    expect(await busy).toBe(false);
    const silent = t.host.askSafePoint(5000);
    t.sched.pending.filter((p) => !p.cancelled && p.ms === 5000)[0]!.fn(); // the timeout fires: no answer counts as "not now"
    expect(await silent).toBe(false);
    const dying = t.host.askSafePoint();
    child.emit('exit', 1);
    expect(await dying).toBe(true);
  });
});
