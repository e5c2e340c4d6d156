/**
 * Runs the Telegram stand-in as its own process:
 *   tsx test/fakes/telegram/cli.ts --state FILE [--port N] [--part-delay MS] [--dc N] [--random-id-memory N] [--seed seed.json] [--exit-with-stdin]
 * Prints one JSON line {host, port, dcId, publicKeyPem, fingerprint, controlPort, controlUrl}
 * on stdout, then serves until SIGTERM/SIGINT or POST /shutdown on the control port.
 * seed.json = { "users": UserSeed[], "chats": ChatSeed[] } (used only when the state file is new).
 * --exit-with-stdin: stop when stdin closes (spawnStandIn uses it so a crashed parent leaks no server).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startControlServer } from './control';
import { startTelegramStandIn } from './server';
import type { ChatSeed, UserSeed } from './state';

function fail(message: string): never {
  process.stderr.write(`telegram stand-in: ${message}\n`);
  process.exit(2);
}

function intArg(name: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) fail(`--${name} must be an integer in ${min}..${max}, got "${value}"`);
  return n;
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        state: { type: 'string' },
        port: { type: 'string' },
        'part-delay': { type: 'string' },
        dc: { type: 'string' },
        'random-id-memory': { type: 'string' },
        seed: { type: 'string' },
        'exit-with-stdin': { type: 'boolean' },
      },
    }));
  } catch (err) {
    fail((err as Error).message);
  }
  if (!values.state) fail('--state FILE is required');
  let seed: { users?: UserSeed[]; chats?: ChatSeed[] } = {};
  if (values.seed) {
    try {
      seed = JSON.parse(readFileSync(values.seed, 'utf8')) as typeof seed;
    } catch (err) {
      fail(`--seed ${values.seed}: ${(err as Error).message}`);
    }
  }
  const standIn = await startTelegramStandIn({
    stateFile: values.state,
    port: intArg('port', values.port, 0, 32767),
    partDelayMs: intArg('part-delay', values['part-delay'], 0, 600_000),
    dcId: intArg('dc', values.dc, 1, 5),
    randomIdMemory: values['random-id-memory'] === undefined ? undefined : intArg('random-id-memory', values['random-id-memory'], 0, 1_000_000),
    users: seed.users,
    chats: seed.chats,
  });
  let stopping = false;
  const stop = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    control.server.close();
    await standIn.close();
    process.exit(0);
  };
  const control = await startControlServer(standIn, () => void stop());
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  if (values['exit-with-stdin']) {
    process.stdin.on('end', () => void stop());
    process.stdin.on('close', () => void stop());
    process.stdin.resume();
  }
  process.stdout.write(
    `${JSON.stringify({
      host: standIn.host,
      port: standIn.port,
      dcId: standIn.dcId,
      publicKeyPem: standIn.publicKeyPem,
      fingerprint: standIn.fingerprint,
      controlPort: control.port,
      controlUrl: `http://127.0.0.1:${control.port}`,
    })}\n`,
  );
}

main().catch((err: Error) => fail(err.message));
