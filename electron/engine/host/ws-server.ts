import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EngineMessage } from '../../contract/protocol';
import type { EventBus } from '../core/events';
import { createLogger } from '../util/log';
import { attachConnection } from './connection';

const log = createLogger('ws');

/**
 * Browser mode's transport: a WebSocket on 127.0.0.1 guarded by a random token, plus (optionally)
 * the built renderer served from the same origin. The page learns the token from its URL
 * (`/?token=…`), the same way Jupyter does it: anything else on the machine cannot connect.
 */
export interface UiServer {
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
};

export async function startUiServer(options: {
  bus: EventBus;
  dispatch: (raw: unknown) => Promise<EngineMessage>;
  port?: number;
  staticDir?: string;
  token?: string;
}): Promise<UiServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  const server: Server = createServer((req, res) => {
    const dir = options.staticDir;
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (!dir || req.method !== 'GET') {
      res.writeHead(404).end();
      return;
    }
    const file = normalize(join(dir, path === '/' ? 'index.html' : path));
    if (!file.startsWith(normalize(dir) + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404).end('not found');
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-cache' });
    createReadStream(file).pipe(res);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: 2 * 1024 * 1024 });
  server.on('upgrade', (req, socket, head) => {
    if (!tokenMatches(req, token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
  });
  const serve = (ws: WebSocket) => {
    const detach = attachConnection(options.bus, options.dispatch, {
      send: (m) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
      },
      onMessage: (listener) =>
        ws.on('message', (data) => {
          let parsed: unknown;
          try {
            parsed = JSON.parse(String(data));
          } catch {
            parsed = { malformed: true };
          }
          listener(parsed);
        }),
    });
    ws.on('close', detach);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/?token=${token}`;
  log.info(`UI server on http://127.0.0.1:${port}/`);
  return {
    url,
    token,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => resolve());
      }),
  };
}

function tokenMatches(req: IncomingMessage, token: string): boolean {
  const given = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
