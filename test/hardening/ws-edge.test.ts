import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { EngineMessage, ResponseMessage } from '../../electron/contract/protocol';
import { defaultSettings } from '../../electron/contract/settings';
import { startEngine, type RunningEngine } from '../../electron/engine/core/start-engine';
import { MAX_FRAME_BYTES, MAX_REQUEST_BYTES, startUiServer, type UiServer } from '../../electron/engine/host/ws-server';

/**
 * The browser-mode edge against hostile input: the audit's crashing probes one by one, then
 * fast-check sending thousands of random HTTP requests and WebSocket frames. After each batch the
 * engine must still answer and its state (settings, secrets, stored VODs) must be what it was.
 */
let dir: string;
let running: RunningEngine;
let server: UiServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tvb-edge-'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>ui</title>');
  running = await startEngine({
    paths: { dataDir: dir, logFile: '', resourcesDir: '' },
    settings: defaultSettings(),
    secrets: {},
    host: { persistSecrets: () => {}, persistSettings: () => {}, notice: () => {}, status: () => {} },
  });
  server = await startUiServer({ bus: running.engine.bus, dispatch: running.dispatch, staticDir: dir });
});
afterAll(async () => {
  await server.close();
  await running.stop();
  rmSync(dir, { recursive: true, force: true });
});

const origin = () => `http://127.0.0.1:${server.port}`;

/** One raw HTTP exchange: the status code, or 0 when the server closed without a status line. */
function rawHttp(request: string | Buffer): Promise<number> {
  return new Promise((resolve) => {
    const socket = connect(server.port, '127.0.0.1');
    let data = '';
    const done = () => {
      socket.destroy();
      resolve(Number(/^HTTP\/1\.[01] (\d{3})/.exec(data)?.[1] ?? 0));
    };
    socket.setTimeout(5000, done);
    socket.on('data', (d) => {
      data += d.toString('latin1');
      if (data.includes('\r\n')) done();
    });
    socket.on('error', done);
    socket.on('close', done);
    socket.write(request);
  });
}

interface Client {
  ws: WebSocket;
  /** Sends one frame and waits for the next response (events are skipped). */
  ask(frame: string | Buffer, binary?: boolean): Promise<ResponseMessage>;
  closed: Promise<number>;
}

async function openClient(): Promise<Client> {
  const ws = new WebSocket(`ws://127.0.0.1:${server.port}/engine?token=${server.token}`, { origin: origin() });
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const waiting: Array<(r: ResponseMessage) => void> = [];
  ws.on('message', (d) => {
    const m = JSON.parse(String(d)) as EngineMessage;
    if (m.kind === 'response') waiting.shift()?.(m);
  });
  ws.on('error', () => {});
  const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
  return {
    ws,
    closed,
    ask: (frame, binary = false) =>
      new Promise((resolve) => {
        waiting.push(resolve);
        ws.send(frame, { binary });
      }),
  };
}

function engineState(): string {
  const { engine } = running;
  const vods = engine.db.prepare(`SELECT * FROM vods ORDER BY id`).all();
  return JSON.stringify({ settings: engine.settings, secrets: Object.keys(engine.secrets), vods });
}

async function engineAnswers(): Promise<void> {
  const client = await openClient();
  const reply = await client.ask(JSON.stringify({ kind: 'request', id: 1, method: 'snapshot.get', params: {} }));
  expect(reply.ok).toBe(true);
  client.ws.close();
}

describe('the audit probes', () => {
  it('answers a malformed URI with 400 and keeps running', async () => {
    expect(await rawHttp(`GET /%E0%A4%A HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`)).toBe(400);
    expect(await rawHttp(`GET /index.html HTTP/1.1\r\nHost: 127.0.0.1:${server.port}\r\n\r\n`)).toBe(200);
    await engineAnswers();
  });

  it('refuses a foreign Host (DNS rebinding) with 403, for pages and for the socket', async () => {
    expect(await rawHttp(`GET / HTTP/1.1\r\nHost: evil.example:${server.port}\r\n\r\n`)).toBe(403);
    const upgrade = (host: string, originHeader: string | null, token = server.token) =>
      rawHttp(
        `GET /engine?token=${token} HTTP/1.1\r\nHost: ${host}\r\n${originHeader === null ? '' : `Origin: ${originHeader}\r\n`}` +
          `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n`,
      );
    const own = `127.0.0.1:${server.port}`;
    expect(await upgrade(`rebind.example:${server.port}`, origin())).toBe(403);
    expect(await upgrade(own, 'https://evil.example')).toBe(403);
    expect(await upgrade(own, `http://127.0.0.1:${server.port + 1}`)).toBe(403);
    expect(await upgrade(own, null)).toBe(403);
    expect(await upgrade(own, origin(), 'wrong-token')).toBe(401);
    expect(await upgrade(own, origin())).toBe(101);
    expect(await upgrade(`localhost:${server.port}`, `http://localhost:${server.port}`)).toBe(101);
  });

  it('closes a socket that sends invalid UTF-8 with 1007 and keeps running', async () => {
    const client = await openClient();
    client.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false });
    expect(await client.closed).toBe(1007);
    await engineAnswers();
  });

  it('closes a socket that sends a frame over the payload limit with 1009 and keeps running', async () => {
    const client = await openClient();
    client.ws.send('x'.repeat(MAX_FRAME_BYTES + 1));
    expect(await client.closed).toBe(1009);
    await engineAnswers();
  });

  it('refuses an oversize request, a binary frame and non-JSON with a message, the socket staying open', async () => {
    const client = await openClient();
    const big = await client.ask(JSON.stringify({ kind: 'request', id: 5, method: 'settings.validate', params: { settings: 'y'.repeat(MAX_REQUEST_BYTES) } }));
    expect(big).toMatchObject({ ok: false, error: { code: 'bad_request', message: expect.stringContaining('limit') } });
    expect(await client.ask(Buffer.from('{}'), true)).toMatchObject({ ok: false, error: { message: expect.stringContaining('binary') } });
    expect(await client.ask('{"kind":')).toMatchObject({ ok: false, error: { message: expect.stringContaining('not JSON') } });
    expect((await client.ask(JSON.stringify({ kind: 'request', id: 6, method: 'settings.get', params: {} }))).ok).toBe(true);
    client.ws.close();
  });
});

describe('fuzz (fast-check, bounded)', () => {
  const budget = { interruptAfterTimeLimit: 4000, markInterruptAsFailure: false } as const;

  it('random HTTP requests never stop the engine or change its state', async () => {
    const before = engineState();
    const method = fc.constantFrom('GET', 'POST', 'HEAD', 'PUT', 'OPTIONS', 'GE T', '\u00ff', '');
    const path = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 60 }).map((s) => `/${encodeURI(s).replace(/%[0-9A-F]{2}$/, '%E0%A')}`),
      fc.stringMatching(/^\/[%A-Za-z0-9./?=&#~-]{0,40}$/),
      fc.constant('/../../../etc/passwd'),
      fc.constant('http://[::1'),
    );
    const host = fc.constantFrom(`127.0.0.1:${server.port}`, `localhost:${server.port}`, 'evil.example', '', '[::1', `127.0.0.1:${server.port}\r\nX: y`);
    const extra = fc.array(fc.tuple(fc.stringMatching(/^[A-Za-z-]{1,12}$/), fc.string({ maxLength: 40 })), { maxLength: 4 });
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(method, path, host, extra, fc.boolean(), async (m, p, h, headers, upgrade) => {
        runs++;
        const lines = [`${m} ${p} HTTP/1.1`, `Host: ${h}`, ...headers.map(([k, v]) => `${k}: ${v}`)];
        if (upgrade) lines.push('Upgrade: websocket', 'Connection: Upgrade', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==');
        const status = await rawHttp(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8'));
        expect(status === 0 || (status >= 200 && status < 600)).toBe(true);
      }),
      { numRuns: 1500, ...budget },
    );
    expect(runs).toBeGreaterThan(50);
    await engineAnswers();
    expect(engineState()).toBe(before);
  }, 30_000);

  it('random frames get a reply each, never stop the engine and change nothing', async () => {
    const before = engineState();
    const client = await openClient();
    const methods = fc.constantFrom('settings.update', 'settings.validate', 'vod.skip', 'vod.cancel', 'vod.repost', 'history.list', 'logs.tail', 'nope', '__proto__');
    const envelope = fc.record(
      { kind: fc.constantFrom('request', 'response', 'event', 1), id: fc.oneof(fc.integer(), fc.string(), fc.constant(null)), method: methods, params: fc.anything() },
      { requiredKeys: [] },
    );
    const frame = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      fc.json({ maxDepth: 4 }),
      envelope.map((e) => JSON.stringify(e) ?? 'null'),
      fc.constantFrom('{"__proto__":{"polluted":1}}', '[]', 'null', '1e999', '"', '{"kind":"request","id":1,"method":"settings.update","params":{"settings":{"split":{"x":1}}}}'),
    );
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(frame, async (f) => {
        runs++;
        const reply = await client.ask(f);
        expect(reply.kind).toBe('response');
      }),
      { numRuns: 3000, ...budget },
    );
    expect(runs).toBeGreaterThan(100);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    client.ws.close();
    await engineAnswers();
    expect(engineState()).toBe(before);
  }, 30_000);

  it('random bytes as text frames close only their own socket', async () => {
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 64 }), async (bytes) => {
        runs++;
        const client = await openClient();
        const valid = (() => {
          try {
            new TextDecoder('utf-8', { fatal: true }).decode(bytes);
            return true;
          } catch {
            return false;
          }
        })();
        if (valid) {
          expect((await client.ask(Buffer.from(bytes))).kind).toBe('response');
          client.ws.close();
        } else {
          client.ws.send(Buffer.from(bytes), { binary: false });
          expect(await client.closed).toBe(1007);
        }
      }),
      { numRuns: 200, ...budget },
    );
    expect(runs).toBeGreaterThan(10);
    await engineAnswers();
  }, 30_000);
});
