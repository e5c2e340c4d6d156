/** Shared test helpers: a quiet GramJS client against the stand-in, and login shortcuts. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TelegramClient } from 'telegram';
import { Logger, LogLevel } from 'telegram/extensions/Logger';
import { destroyClient, standInClient } from '../fakes/telegram/client';
import type { StandInAddress } from '../fakes/telegram/client';

const clients = new Set<TelegramClient>();

export function client(server: StandInAddress, session?: string): TelegramClient {
  const c = standInClient(server, { session, params: { baseLogger: new Logger(LogLevel.NONE) } });
  clients.add(c);
  return c;
}

/** Destroys every client made by client() (exported senders included). */
export async function destroyClients(): Promise<void> {
  await Promise.all([...clients].map((c) => destroyClient(c)));
  clients.clear();
}

/** Logs in with phone and code; errors met on the way are returned (each one re-asks). */
export async function loginWithCode(
  c: TelegramClient,
  phone: string,
  codes: string[],
  passwords: string[] = [],
): Promise<{ errors: string[]; viaApp: boolean[]; hints: string[] }> {
  const errors: string[] = [];
  const viaApp: boolean[] = [];
  const hints: string[] = [];
  await c.start({
    phoneNumber: phone,
    phoneCode: async (isViaApp) => {
      viaApp.push(Boolean(isViaApp));
      return codes.shift() ?? '';
    },
    password: async (hint) => {
      hints.push(hint ?? '');
      return passwords.shift() ?? '';
    },
    onError: async (err) => {
      errors.push(err.message);
      return codes.length === 0 && passwords.length === 0;
    },
  });
  return { errors, viaApp, hints };
}

export function tempDir(): { path: string; cleanup(): void } {
  const path = mkdtempSync(join(tmpdir(), 'tg-standin-'));
  return { path, cleanup: () => rmSync(path, { recursive: true, force: true }) };
}
