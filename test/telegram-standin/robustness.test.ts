import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTelegramStandIn } from '../fakes/telegram';
import type { TelegramStandIn } from '../fakes/telegram';
import { encodeFull, FullFramer } from '../fakes/telegram/transport';
import { client, destroyClients, loginWithCode } from './helpers';

let s: TelegramStandIn;
beforeAll(async () => {
  s = await startTelegramStandIn();
});
afterAll(async () => {
  await destroyClients();
  await s.close();
});

function rawSocket(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const sock = connect(s.port, s.host, () => resolve(sock));
    sock.once('error', reject);
  });
}

describe('bad clients', () => {
  it('answers an unknown auth key with the -404 transport error', async () => {
    const sock = await rawSocket();
    const framer = new FullFramer();
    const reply = new Promise<Buffer>((resolve) =>
      sock.on('data', (d: Buffer) => {
        const [p] = framer.push(d);
        if (p) resolve(p);
      }),
    );
    sock.write(encodeFull(Buffer.concat([randomBytes(8), randomBytes(16), randomBytes(64)]), 0));
    const payload = await reply;
    expect(payload.length).toBe(4);
    expect(payload.readInt32LE(0)).toBe(-404);
    sock.destroy();
  });

  it('closes a connection that sends garbage, and keeps serving others', async () => {
    const sock = await rawSocket();
    const closed = new Promise<void>((resolve) => sock.on('close', () => resolve()));
    sock.write(Buffer.from([0xff, 0xff, 0xff, 0x7f, 1, 2, 3, 4, 5, 6, 7, 8]));
    await closed;
    const bad = await rawSocket();
    const closed2 = new Promise<void>((resolve) => bad.on('close', () => resolve()));
    // A well-framed plain message that is not a key-exchange step.
    const body = Buffer.concat([Buffer.alloc(8), randomBytes(8), Buffer.from([4, 0, 0, 0]), randomBytes(4)]);
    bad.write(encodeFull(body, 0));
    await closed2;
    const c = client(s);
    await loginWithCode(c, '+15550000001', ['12345']);
    expect((await c.getMe()).firstName).toBe('Alice');
  });

  it('dropConnections() closes every client; GramJS reconnects with its auth key and carries on', async () => {
    const c = client(s);
    await loginWithCode(c, '+15550000003', ['33333']);
    const accepted = s.stats().accepted;
    expect(s.dropConnections()).toBeGreaterThanOrEqual(1);
    expect((await c.getMe()).firstName).toBe('Carol');
    expect(s.stats().accepted).toBeGreaterThan(accepted);
  });
});
