/**
 * Client-side helpers for reaching the stand-in with an unmodified GramJS client.
 *
 * Three things are needed (the product's Telegram module does the same from its
 * "Telegram server (testing)" setting: address, port, public key):
 *  1. Register the server's RSA public key in GramJS's `_serverKeys` map (telegram/crypto/RSA),
 *     keyed by its fingerprint: `registerServerKey(publicKeyPem)`.
 *  2. Pass a connection class that forces the address and port: GramJS's connect() uses port 80/443
 *     whatever the session says, and exported senders (uploads) take the address from
 *     help.getConfig but the port is again forced to 443. `fixedAddressConnection(host, port)`.
 *  3. Point the session at the server: `session.setDC(dcId, host, port)` (keep port <= 32767:
 *     StringSession.save() writes it as a signed 16-bit number).
 */
import { TelegramClient } from 'telegram';
import type { TelegramClientParams } from 'telegram/client/telegramBaseClient';
import { _serverKeys } from 'telegram/crypto/RSA';
import { readBigIntFromBuffer } from 'telegram/Helpers';
import { ConnectionTCPFull } from 'telegram/network';
import { StringSession } from 'telegram/sessions';
import { rsaFingerprint, rsaPublicNumbers } from './keys';

/** An api hash the stand-in accepts (any 32 hex digits do). */
export const STANDIN_API_ID = 12345;
export const STANDIN_API_HASH = '0123456789abcdef0123456789abcdef';

/** Adds an RSA public key (PEM) to GramJS's key map; returns its fingerprint. Idempotent. */
export function registerServerKey(publicKeyPem: string): string {
  const { n, e } = rsaPublicNumbers(publicKeyPem);
  const fingerprint = rsaFingerprint(publicKeyPem);
  _serverKeys.set(fingerprint, { n: readBigIntFromBuffer(n, false, false), e: parseInt(e.toString('hex'), 16) });
  return fingerprint;
}

/** A ConnectionTCPFull subclass that always dials host:port (GramJS ignores the session's port). */
export function fixedAddressConnection(host: string, port: number): typeof ConnectionTCPFull {
  return class FixedAddressConnection extends ConnectionTCPFull {
    constructor(opts: ConstructorParameters<typeof ConnectionTCPFull>[0]) {
      super({ ...opts, ip: host, port });
    }
  };
}

export interface StandInAddress {
  host: string;
  port: number;
  dcId: number;
  publicKeyPem: string;
}

/**
 * A TelegramClient wired to the stand-in: key registered, fixed-address connection, session
 * pointed at it. `session` may be a saved StringSession string. Call `client.destroy()` when done.
 */
export function standInClient(server: StandInAddress, opts: { session?: string; apiId?: number; apiHash?: string; params?: TelegramClientParams } = {}): TelegramClient {
  registerServerKey(server.publicKeyPem);
  const session = new StringSession(opts.session ?? '');
  if (!opts.session) session.setDC(server.dcId, server.host, server.port);
  return new TelegramClient(session, opts.apiId ?? STANDIN_API_ID, opts.apiHash ?? STANDIN_API_HASH, {
    connectionRetries: 3,
    retryDelay: 200,
    ...opts.params,
    connection: fixedAddressConnection(server.host, server.port),
  });
}

interface ExportedSenderInternals {
  _exportedSenderPromises?: Map<number, Promise<{ disconnect(): Promise<void> } | undefined>>;
  _exportedSenderReleaseTimeouts?: Map<number, ReturnType<typeof setTimeout>>;
}

/**
 * client.destroy() plus what it misses: GramJS 2.26.22 iterates its exported-sender Map with
 * Object.values() (always empty), so upload connections stay open and reconnect after the
 * server closes. This disconnects them and clears their 30 s release timers first.
 */
export async function destroyClient(client: TelegramClient): Promise<void> {
  const internals = client as unknown as ExportedSenderInternals;
  for (const t of internals._exportedSenderReleaseTimeouts?.values() ?? []) clearTimeout(t);
  internals._exportedSenderReleaseTimeouts?.clear();
  const senders = [...(internals._exportedSenderPromises?.values() ?? [])];
  internals._exportedSenderPromises?.clear();
  await Promise.all(senders.map(async (p) => (await p.catch(() => undefined))?.disconnect()));
  await client.destroy();
}

/** The product's "Telegram server (testing)" setting that points at a running stand-in. */
export function serverSetting(server: { host: string; port: number; dcId: number; publicKeyPem: string }) {
  return { host: server.host, port: server.port, dcId: server.dcId, publicKeyPem: server.publicKeyPem };
}
