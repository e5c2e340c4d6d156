/**
 * A loopback HTTP control port for a stand-in running in its own process (the CLI):
 *   GET  /state                 -> StandInSnapshot
 *   GET  /stats                 -> { connections, requests, unhandled }
 *   POST /faults      FaultSpec -> { id }   ("count": null means every time)
 *   POST /faults/clear { id? }  -> {}
 *   POST /part-delay  { ms }    -> {}
 *   POST /random-id-memory { n } -> {}   ("n": null means remember every random id)
 *   POST /scan-qr     { token? , phone? } -> { userId }
 *   POST /revoke      { phone } -> { revoked }
 *   POST /drop                  -> { dropped }
 *   POST /expire-codes          -> {}
 *   POST /forget-uploads        -> {}
 *   POST /shutdown              -> {} then the process exits
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { FaultSpec } from './faults';
import type { TelegramStandIn } from './server';

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return {};
  const parsed: unknown = JSON.parse(text);
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('body must be a JSON object');
  return parsed as Record<string, unknown>;
}

export function startControlServer(standIn: TelegramStandIn, onShutdown: () => void): Promise<{ port: number; server: Server }> {
  const server = createServer((req, res) => {
    void (async () => {
      try {
        const body = req.method === 'POST' ? await readJson(req) : {};
        const result = route(standIn, `${req.method} ${req.url}`, body, onShutdown);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(result ?? {}));
      } catch (err) {
        const status = (err as { status?: number }).status ?? 400;
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: (err as Error).message }));
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const addr = server.address();
      resolve({ port: typeof addr === 'object' && addr ? addr.port : 0, server });
    });
  });
}

function route(s: TelegramStandIn, what: string, body: Record<string, unknown>, onShutdown: () => void): unknown {
  switch (what) {
    case 'GET /state':
      return s.state();
    case 'GET /stats':
      return s.stats();
    case 'POST /faults': {
      const spec = { ...body, count: body.count === null ? Infinity : body.count } as FaultSpec;
      return { id: s.setFault(spec) };
    }
    case 'POST /faults/clear':
      s.clearFaults(typeof body.id === 'number' ? body.id : undefined);
      return {};
    case 'POST /part-delay':
      s.setPartDelay(Number(body.ms));
      return {};
    case 'POST /random-id-memory':
      s.setRandomIdMemory(body.n === null ? Infinity : Number(body.n));
      return {};
    case 'POST /scan-qr': {
      const token = typeof body.token === 'string' ? body.token : undefined;
      const phone = typeof body.phone === 'string' ? body.phone : undefined;
      if (!token && !phone) throw new Error('scan-qr needs "token" or "phone"');
      return token ? s.scanQr(token, phone) : s.scanQr(phone as string);
    }
    case 'POST /revoke':
      if (typeof body.phone !== 'string') throw new Error('revoke needs "phone"');
      return { revoked: s.revokeSessions(body.phone) };
    case 'POST /premium':
      if (typeof body.phone !== 'string' || typeof body.premium !== 'boolean') throw new Error('premium needs "phone" and "premium" (true/false)');
      s.setPremium(body.phone, body.premium);
      return {};
    case 'POST /drop':
      return { dropped: s.dropConnections() };
    case 'POST /expire-codes':
      s.expireLoginCodes();
      return {};
    case 'POST /forget-uploads':
      s.forgetUnfinishedUploads();
      return {};
    case 'POST /shutdown':
      setImmediate(onShutdown);
      return {};
    default:
      throw Object.assign(new Error(`unknown control request ${what}`), { status: 404 });
  }
}
