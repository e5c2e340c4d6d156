import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket as NodeWebSocket, WebSocketServer } from 'ws';
import { createApiClient } from '../../electron/contract/client';
import { backoffDelay, createWebSocketTransport, engineSocketUrl, type ConnectionState } from '../src/lib/ws-transport';

/** A real WebSocket server on 127.0.0.1 answering snapshot.get, which can drop every client. */
async function fakeEngine() {
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((r) => wss.once('listening', r));
  let answered = 0;
  wss.on('connection', (ws) =>
    ws.on('message', (raw) => {
      const msg = JSON.parse(String(raw)) as { id: number; method: string };
      answered++;
      ws.send(JSON.stringify({ kind: 'response', id: msg.id, ok: true, result: { method: msg.method, answered } }));
    }),
  );
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/engine?token=t`,
    dropAll: () => wss.clients.forEach((c) => c.terminate()),
    close: () =>
      new Promise<void>((r) => {
        wss.clients.forEach((c) => c.terminate());
        wss.close(() => r());
      }),
  };
}

describe('browser-mode WebSocket transport', () => {
  const closers: Array<() => unknown> = [];
  afterEach(async () => {
    for (const c of closers.splice(0).reverse()) await c();
  });

  it('backs off exponentially up to a cap', () => {
    expect([0, 1, 2, 3, 10].map((n) => backoffDelay(n, { initialMs: 100, maxMs: 1000 }))).toEqual([100, 200, 400, 800, 1000]);
  });

  it('derives the socket URL from the page URL and its token', () => {
    expect(engineSocketUrl({ protocol: 'http:', host: '127.0.0.1:5000', search: '?token=a%2Bb' })).toBe('ws://127.0.0.1:5000/engine?token=a%2Bb');
    expect(engineSocketUrl({ protocol: 'https:', host: 'x', search: '' })).toBe('wss://x/engine?token=');
    expect(engineSocketUrl({ protocol: 'http:', host: 'x', search: '?engine=ws://127.0.0.1:9/e' })).toBe('ws://127.0.0.1:9/e');
  });

  it('queues requests until connected, and reconnects after a drop, telling the UI to refetch', async () => {
    const engine = await fakeEngine();
    closers.push(engine.close);
    const transport = createWebSocketTransport(engine.url, { initialMs: 20, maxMs: 100, WebSocketImpl: NodeWebSocket as unknown as typeof WebSocket });
    closers.push(() => transport.close());
    const states: Array<[ConnectionState, boolean]> = [];
    transport.onState((s, r) => states.push([s, r]));
    const api = createApiClient(transport, { timeoutMs: 20_000 });

    // Sent before the socket is open: queued, then answered.
    expect(await api['snapshot.get']()).toMatchObject({ method: 'snapshot.get' });
    expect(states).toContainEqual(['open', false]);

    engine.dropAll();
    await expect.poll(() => states.some(([s, r]) => s === 'open' && r)).toBe(true);
    expect(states.map(([s]) => s)).toContain('closed');
    expect(await api['settings.get']()).toMatchObject({ method: 'settings.get' });
  });
});
