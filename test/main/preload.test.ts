import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { APP_CHANNEL, APP_EVENT_CHANNEL, ENGINE_PORT_CHANNEL, appRequests } from '../../electron/contract/app';
import { REQUEST_NAMES } from '../../electron/contract/protocol';
import { buildWindowApi } from '../../electron/preload/api';
import { ENGINE_RESTARTED, createSwappableTransport } from '../../electron/preload/port-transport';

vi.mock('electron', () => import('./electron-mock'));

/** The engine end of a port: answers every request with its method name and params. */
function fakeEngine(port: MessagePort, name: string) {
  const seen: unknown[] = [];
  port.onmessage = (e: MessageEvent) => {
    const msg = e.data as { id: number; method: string; params: unknown };
    seen.push(msg);
    port.postMessage({ kind: 'response', id: msg.id, ok: true, result: { engine: name, method: msg.method, params: msg.params } });
  };
  return { seen, emit: (event: string, data: unknown) => port.postMessage({ kind: 'event', event, data }) };
}

const opened: MessagePort[] = [];
function channel() {
  const c = new MessageChannel();
  opened.push(c.port1, c.port2);
  return c;
}
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
});

function fakeIpc() {
  return Object.assign(new EventEmitter(), { invoke: vi.fn(async (_channel: string, _call: unknown): Promise<unknown> => undefined) });
}

describe('preload window.api', () => {
  it('exposes one function per protocol request, on(), and app.* — nothing raw', () => {
    const api = buildWindowApi(fakeIpc() as never) as unknown as Record<string, unknown>;
    for (const name of REQUEST_NAMES) expect(typeof api[name], name).toBe('function');
    expect(Object.keys(api).sort()).toEqual([...REQUEST_NAMES, 'app', 'on'].sort());
    const app = api.app as Record<string, unknown>;
    expect(Object.keys(app).sort()).toEqual([...Object.keys(appRequests), 'onEvent'].sort());
    for (const value of [...Object.values(api), ...Object.values(app)]) {
      expect(['function', 'object']).toContain(typeof value);
    }
  });

  it('carries engine requests over the port main hands over, queuing until it arrives', async () => {
    const ipc = fakeIpc();
    const api = buildWindowApi(ipc as never);
    const early = api['snapshot.get']();
    const c = channel();
    const engine = fakeEngine(c.port2, 'first');
    ipc.emit(ENGINE_PORT_CHANNEL, { ports: [c.port1] });
    await expect(early).resolves.toEqual({ engine: 'first', method: 'snapshot.get', params: {} });
    await expect(api['vod.skip']({ vodId: '42' })).resolves.toMatchObject({ params: { vodId: '42' } });
    expect(engine.seen).toHaveLength(2);

    const events: unknown[] = [];
    api.on('notice', (n) => events.push(n));
    engine.emit('notice', { kind: 'lowDisk', title: 't', body: 'b' });
    await vi.waitFor(() => expect(events).toHaveLength(1));
  });

  it('switches to the new port after an engine restart', async () => {
    const ipc = fakeIpc();
    const api = buildWindowApi(ipc as never);
    const a = channel();
    fakeEngine(a.port2, 'first');
    ipc.emit(ENGINE_PORT_CHANNEL, { ports: [a.port1] });
    await expect(api['queue.pause']()).resolves.toMatchObject({ engine: 'first' });
    const b = channel();
    fakeEngine(b.port2, 'second');
    ipc.emit(ENGINE_PORT_CHANNEL, { ports: [b.port1] });
    await expect(api['queue.resume']()).resolves.toMatchObject({ engine: 'second' });
    // A message without a port is ignored.
    ipc.emit(ENGINE_PORT_CHANNEL, { ports: [] });
    await expect(api['queue.checkNow']()).resolves.toMatchObject({ engine: 'second' });
  });

  it('app.* invokes the app channel and turns error replies into rejections', async () => {
    const ipc = fakeIpc();
    ipc.invoke.mockResolvedValueOnce({ ok: true, result: { opened: true } }).mockResolvedValueOnce({ ok: false, error: 'Invalid parameters for app.openExternal: url: too long' });
    const api = buildWindowApi(ipc as never);
    await expect(api.app.openExternal({ url: 'https://t.me/x' })).resolves.toEqual({ opened: true });
    expect(ipc.invoke).toHaveBeenCalledWith(APP_CHANNEL, { method: 'openExternal', params: { url: 'https://t.me/x' } });
    await expect(api.app.openExternal({ url: 'x' })).rejects.toThrow(/url: too long/);
  });

  it('app.onEvent delivers only well-formed shell events and can unsubscribe', () => {
    const ipc = fakeIpc();
    const api = buildWindowApi(ipc as never);
    const got: unknown[] = [];
    const off = api.app.onEvent((e) => got.push(e));
    ipc.emit(APP_EVENT_CHANNEL, {}, { type: 'openVod', vodId: '7' });
    ipc.emit(APP_EVENT_CHANNEL, {}, { type: 'runShell', cmd: 'rm -rf' });
    off();
    ipc.emit(APP_EVENT_CHANNEL, {}, { type: 'openSettings' });
    expect(got).toEqual([{ type: 'openVod', vodId: '7' }]);
  });

  it('the preload entry exposes exactly window.api through contextBridge', async () => {
    const electron = await import('./electron-mock');
    await import('../../electron/preload/index');
    expect(electron.contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
    expect([...electron.contextBridge.exposed.keys()]).toEqual(['api']);
  });
});

describe('swappable transport', () => {
  it('bounds its queue while no port is attached and ignores answers from a replaced port', () => {
    const t = createSwappableTransport(2);
    for (let id = 1; id <= 5; id++) t.send({ kind: 'request', id, method: 'snapshot.get', params: {} });
    const posted: unknown[] = [];
    let oldListener: ((d: unknown) => void) | undefined;
    const closed = vi.fn();
    t.attach({ post: (m) => posted.push(m), listen: (l) => (oldListener = l), close: closed });
    expect(posted).toHaveLength(2);
    const received: unknown[] = [];
    t.onMessage((m) => received.push(m));
    t.attach({ post: () => undefined, listen: () => undefined, close: () => undefined });
    expect(closed).toHaveBeenCalledTimes(1);
    // The two requests sent on the first port were never answered: they fail on the swap ...
    expect(received).toEqual([1, 2].map((id) => ({ kind: 'response', id, ok: false, error: ENGINE_RESTARTED })));
    // ... and a late answer from the replaced port is ignored.
    oldListener!({ kind: 'response', id: 1, ok: true, result: 1 });
    expect(received).toHaveLength(2);
  });
});

describe('requests across an engine restart', () => {
  it('a request the old engine never answered fails with engine_restarted; new ones go to the new engine', async () => {
    const ipc = fakeIpc();
    const api = buildWindowApi(ipc as never);
    const a = channel();
    a.port2.onmessage = () => undefined; // the old engine hangs
    ipc.emit(ENGINE_PORT_CHANNEL, { ports: [a.port1] });
    const hanging = api['telegram.chats']();
    await new Promise((r) => setTimeout(r, 0));
    const b = channel();
    fakeEngine(b.port2, 'second');
    ipc.emit(ENGINE_PORT_CHANNEL, { ports: [b.port1] });
    await expect(hanging).rejects.toMatchObject({ code: 'engine_restarted' });
    await expect(api['telegram.chats']()).resolves.toMatchObject({ engine: 'second' });
  });
});
