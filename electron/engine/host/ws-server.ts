import { randomBytes } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { EngineMessage } from '../../contract/protocol';
import type { EventBus } from '../core/events';
import { createLogger } from '../util/log';
import { attachConnection } from './connection';
import { decodedPath, hostAllowed, refuseUpgrade } from './edge-guard';

const log = createLogger('ws');

/**
 * Browser mode's transport: a WebSocket on 127.0.0.1 guarded by a random token, plus (optionally)
 * the built renderer served from the same origin. The page learns the token from its URL
 * (`/?token=…`), the same way Jupyter does it: anything else on the machine cannot connect.
 * Only loopback `Host` names are answered (DNS rebinding) and only the served page's `Origin` may
 * open the socket (cross-site pages). No request or frame can throw out of here: a bad one gets a
 * status code or closes its own socket, and the engine keeps running.
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

/** Above this a request gets an error reply (the socket stays open). */
export const MAX_REQUEST_BYTES = 1024 * 1024;
/** Above this `ws` closes the socket with 1009 "Message Too Big" (RFC 6455 §7.4.1). */
export const MAX_FRAME_BYTES = 2 * 1024 * 1024;

export async function startUiServer(options: {
  bus: EventBus;
  dispatch: (raw: unknown) => Promise<EngineMessage>;
  port?: number;
  staticDir?: string;
  token?: string;
}): Promise<UiServer> {
  const token = options.token ?? randomBytes(24).toString('base64url');
  let port = 0;
  const server: Server = createServer((req, res) => {
    try {
      serveStatic(req, res, options.staticDir, port);
    } catch (error) {
      log.warn(`HTTP request failed: ${(error as Error).message}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    }
  });
  // Malformed HTTP (bad request line, oversized headers): answer 400 and drop that socket only.
  server.on('clientError', (error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
    log.debug(`malformed HTTP request: ${error.message}`);
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  wss.on('error', (error) => log.warn(`WebSocket server: ${error.message}`));
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (error) => log.debug(`socket error before upgrade: ${error.message}`));
    try {
      const refused = refuseUpgrade(req, token, port);
      if (refused) {
        socket.end(`HTTP/1.1 ${refused.status} ${refused.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nConnection: close\r\n\r\n${refused.reason}`);
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => serve(ws));
    } catch (error) {
      log.warn(`WebSocket handshake failed: ${(error as Error).message}`);
      socket.destroy();
    }
  });
  const serve = (ws: WebSocket) => {
    // `ws` has already sent a close frame with the code (1007 bad UTF-8, 1009 too big, 1002
    // protocol) when this fires; without a listener the event would throw and stop the engine.
    ws.on('error', (error) => {
      log.warn(`UI connection closed: ${error.message}`);
      ws.terminate();
    });
    const send = (m: EngineMessage) => {
      if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(m));
    };
    const detach = attachConnection(options.bus, options.dispatch, {
      send,
      onMessage: (listener) =>
        ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
          const frame = parseFrame(data, isBinary);
          if (frame.ok) listener(frame.value);
          else send({ kind: 'response', id: -1, ok: false, error: { code: 'bad_request', message: frame.reason } });
        }),
    });
    ws.on('close', detach);
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  server.on('error', (error) => log.warn(`UI server: ${error.message}`));
  port = (server.address() as AddressInfo).port;
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

/** A frame's JSON, or why it is refused (the reply says so; the dispatcher checks the rest). */
function parseFrame(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): { ok: true; value: unknown } | { ok: false; reason: string } {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  if (isBinary) return { ok: false, reason: 'binary frames are not part of the protocol: send JSON text' };
  if (bytes.length > MAX_REQUEST_BYTES) return { ok: false, reason: `request of ${bytes.length} bytes is over the ${MAX_REQUEST_BYTES}-byte limit` };
  try {
    return { ok: true, value: JSON.parse(bytes.toString('utf8')) };
  } catch {
    return { ok: false, reason: 'the message is not JSON' };
  }
}

function serveStatic(req: IncomingMessage, res: ServerResponse, dir: string | undefined, port: number): void {
  if (!hostAllowed(req.headers.host, port)) {
    res.writeHead(403).end('Host must be 127.0.0.1 or localhost');
    return;
  }
  const path = decodedPath(req.url);
  if (path === null || path.includes('\0')) {
    res.writeHead(400).end('bad request');
    return;
  }
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
  createReadStream(file)
    .on('error', (error) => {
      log.warn(`reading ${file}: ${error.message}`);
      res.destroy();
    })
    .pipe(res);
}
