import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * Pure checks for the browser-mode edge (ws-server.ts): what a request must look like before the
 * server reads a file or hands it the engine. None of them throws.
 */

/** Host names a loopback server answers to. Anything else is a DNS-rebinding attempt. */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The request's path, decoded; null when it is not a valid URI (e.g. `/%E0%A4%A`). */
export function decodedPath(rawUrl: string | undefined): string | null {
  try {
    return decodeURIComponent(new URL(rawUrl ?? '/', 'http://x').pathname);
  } catch {
    return null;
  }
}

/** `Host` must name this server by a loopback name and its own port (RFC 9110 §7.2). */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false;
  const m = /^(\[[^\]]*\]|[^:]+):(\d+)$/.exec(host.trim().toLowerCase());
  return Boolean(m && LOOPBACK_HOSTS.has(m[1]!) && Number(m[2]) === port);
}

/**
 * A browser always sends `Origin` on a WebSocket handshake (RFC 6455 §4.1, item 8); only the
 * page this server served may connect, so cross-site pages are refused even with the token.
 */
function originAllowed(origin: string | undefined, port: number): boolean {
  if (!origin) return false;
  let parsed: URL;
  try {
    parsed = new URL(origin);
  } catch {
    return false;
  }
  return parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname) && Number(parsed.port) === port && origin === parsed.origin;
}

/** The `token` query parameter, compared in constant time (digests have equal length whatever was sent). */
function tokenMatches(req: IncomingMessage, token: string): boolean {
  let given: string;
  try {
    given = new URL(req.url ?? '/', 'http://x').searchParams.get('token') ?? '';
  } catch {
    return false;
  }
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(token)) && given.length > 0;
}

/** Why a handshake is refused, or null when it may proceed. */
export function refuseUpgrade(req: IncomingMessage, token: string, port: number): { status: 401 | 403; reason: string } | null {
  if (!hostAllowed(req.headers.host, port)) return { status: 403, reason: 'Host must be 127.0.0.1 or localhost' };
  if (!originAllowed(req.headers.origin, port)) return { status: 403, reason: "Origin must be this server's own page" };
  if (!tokenMatches(req, token)) return { status: 401, reason: 'missing or wrong token' };
  return null;
}
