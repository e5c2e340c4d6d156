import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApiClient, EngineRequestError } from '../../electron/contract/client';
import type { EngineMessage } from '../../electron/contract/protocol';
import { defaultSettings } from '../../electron/contract/settings';
import { startEngine, type RunningEngine } from '../../electron/engine/core/start-engine';
import { startUiServer, type UiServer } from '../../electron/engine/host/ws-server';

let dir: string;
let running: RunningEngine;
const persisted: { settings: unknown[]; secrets: unknown[] } = { settings: [], secrets: [] };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tvb-proto-'));
  running = await startEngine({
    paths: { dataDir: dir, logFile: '', resourcesDir: '' },
    settings: defaultSettings(),
    secrets: {},
    host: {
      persistSecrets: (patch) => persisted.secrets.push(patch),
      persistSettings: (s) => persisted.settings.push(s),
      notice: () => {},
      status: () => {},
    },
  });
});
afterAll(async () => {
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('the engine edge validates every message', () => {
  const bad: Array<[string, unknown, RegExp, string | undefined]> = [
    ['not an object', 'hello', /expected object/i, undefined],
    ['no kind', { id: 1, method: 'snapshot.get' }, /kind/, 'kind'],
    ['unknown method', { kind: 'request', id: 2, method: 'vods.deleteAll', params: {} }, /Unknown request/, 'method'],
    ['bad param type', { kind: 'request', id: 3, method: 'vod.skip', params: { vodId: 42 } }, /params\.vodId/, 'params.vodId'],
    ['extra param', { kind: 'request', id: 4, method: 'queue.pause', params: { now: true } }, /now/, 'params'],
    ['bad phone', { kind: 'request', id: 5, method: 'telegram.login.start', params: { method: 'phone', phone: 'call me' } }, /international form/, 'params.phone'],
    ['bad code', { kind: 'request', id: 6, method: 'telegram.login.code', params: { code: '12ab' } }, /4-8 digit/, 'params.code'],
  ];
  for (const [name, message, pattern, field] of bad) {
    it(`answers "${name}" with an error naming the field`, async () => {
      const response = await running.dispatch(message);
      expect(response.ok).toBe(false);
      if (response.ok) return;
      expect(response.error.message).toMatch(pattern);
      if (field) expect(response.error.field).toBe(field);
    });
  }

  it('keeps running after bad messages and rejects invalid settings without changing anything', async () => {
    const before = running.engine.settings;
    const response = await running.dispatch({
      kind: 'request',
      id: 10,
      method: 'settings.update',
      params: { settings: { ordering: { field: 'title' } } },
    });
    expect(response).toMatchObject({ ok: false, error: { field: 'ordering.field' } });
    expect(running.engine.settings).toBe(before);
    expect(persisted.settings).toHaveLength(0);
    const ok = await running.dispatch({ kind: 'request', id: 11, method: 'snapshot.get', params: {} });
    expect(ok).toMatchObject({ ok: true, result: { status: { state: 'setupNeeded' } } });
  });

  it('applies and persists a valid settings change live, and never echoes secrets back', async () => {
    const next = { ...defaultSettings(), twitch: { clientId: 'client-id-1', channels: [{ channel: 'somestreamer', destinations: [] }] } };
    const response = await running.dispatch({ kind: 'request', id: 12, method: 'settings.update', params: { settings: next } });
    expect(response.ok).toBe(true);
    expect(running.engine.settings.twitch.clientId).toBe('client-id-1');
    expect(persisted.settings).toHaveLength(1);
    const secret = await running.dispatch({ kind: 'request', id: 13, method: 'secrets.set', params: { patch: { twitchClientSecret: 'shh-very-secret' } } });
    expect(secret).toMatchObject({ ok: true, result: { secrets: { twitchClientSecret: true, telegramSession: false } } });
    expect(JSON.stringify(secret)).not.toContain('shh-very-secret');
    const view = await running.dispatch({ kind: 'request', id: 14, method: 'settings.get', params: {} });
    expect(JSON.stringify(view)).not.toContain('shh-very-secret');
  });
});

describe('browser-mode transport', () => {
  let server: UiServer;
  beforeAll(async () => {
    server = await startUiServer({ bus: running.engine.bus, dispatch: running.dispatch });
  });
  afterAll(() => server.close());

  it('refuses a connection without the token', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/engine?token=wrong`, { origin: `http://127.0.0.1:${server.port}` });
    const outcome = await new Promise<string>((resolve) => {
      ws.on('open', () => resolve('open'));
      ws.on('error', () => resolve('refused'));
      ws.on('unexpected-response', () => resolve('refused'));
    });
    expect(outcome).toBe('refused');
  });

  it('carries typed requests, errors and events over a WebSocket', async () => {
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/engine?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
    await new Promise((resolve, reject) => ws.on('open', resolve).on('error', reject));
    const api = createApiClient({
      send: (m) => ws.send(JSON.stringify(m)),
      onMessage: (listener) => ws.on('message', (d) => listener(JSON.parse(String(d)) as EngineMessage)),
    });
    const events: string[] = [];
    api.on('settings', (view) => events.push(view.settings.twitch.clientId));
    const snapshot = await api['snapshot.get']();
    expect(snapshot.settings.settings.twitch.clientId).toBe('client-id-1');
    await expect(api['vod.skip']({ vodId: 'nope' })).rejects.toBeInstanceOf(EngineRequestError);
    const view = await api['settings.get']();
    await api['settings.update']({ settings: { ...view.settings, twitch: { ...view.settings.twitch, clientId: 'client-id-2' } } });
    await expect.poll(() => events).toContain('client-id-2');
    ws.close();
  });
});
