import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { Api, errors } from 'telegram';
import { CustomFile } from 'telegram/client/uploads';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startTelegramStandIn } from '../fakes/telegram';
import { spawnStandIn } from '../fakes/telegram/process';
import { returnBigInt } from 'telegram/Helpers';
import type { StandInProcess } from '../fakes/telegram/process';
import { client, destroyClients, loginWithCode, tempDir } from './helpers';

const dir = tempDir();
const children: StandInProcess[] = [];
afterEach(async () => {
  await destroyClients();
  await Promise.all(children.splice(0).map((p) => p.kill()));
});
afterAll(() => dir.cleanup());

describe('state file', () => {
  it('keeps accounts, sessions, uploads and posted messages across a server restart', async () => {
    const stateFile = join(dir.path, 'restart', 'state.json');
    const first = await startTelegramStandIn({ stateFile });
    const c = client(first);
    await loginWithCode(c, '+15550000001', ['12345']);
    const data = randomBytes(100_000);
    const dialogs = await c.getDialogs({});
    const archive = dialogs.find((d) => d.title === 'VOD Archive');
    const sent = await c.sendFile(archive?.inputEntity as Api.TypeInputPeer, {
      file: new CustomFile('a.mp4', data.length, '', data),
      caption: 'kept',
    });
    const session = c.session.save() as unknown as string;
    await destroyClients();
    await first.close();
    expect(existsSync(stateFile)).toBe(true);
    expect(JSON.parse(readFileSync(stateFile, 'utf8')).version).toBe(1);

    const second = await startTelegramStandIn({ stateFile, port: first.port });
    try {
      expect(second.publicKeyPem).toBe(first.publicKeyPem);
      const again = client(second, session);
      await again.connect();
      expect(await again.checkAuthorization()).toBe(true);
      expect((await again.getMe()).phone).toBe('15550000001');
      const key = `-100${second.state().chats.find((x) => x.title === 'VOD Archive')?.id}`;
      const posted = second.state().messages[key];
      expect(posted.map((m) => [m.id, m.text, m.media?.sha256])).toEqual([[sent.id, 'kept', createHash('sha256').update(data).digest('hex')]]);
      // Message ids continue after the restart.
      const next = await again.sendMessage(archive?.inputEntity as Api.TypeInputPeer, { message: 'after restart' });
      expect(next.id).toBe(sent.id + 1);
    } finally {
      await destroyClients();
      await second.close();
    }
  });

  it('rejects a corrupt state file with a clear error', async () => {
    const bad = join(dir.path, 'bad.json');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(bad, '{not json');
    await expect(startTelegramStandIn({ stateFile: bad })).rejects.toThrow(/bad\.json is not valid JSON/);
  });
});

describe('CLI process', () => {
  it('takes the random-id memory as a flag and on its control port', async () => {
    const p = await spawnStandIn({ stateFile: join(dir.path, 'cli-rid', 'state.json'), randomIdMemory: 0 });
    children.push(p);
    const c = client(p);
    await loginWithCode(c, '+15550000001', ['12345']);
    const dialogs = await c.getDialogs({});
    const archive = dialogs.find((d) => d.title === 'VOD Archive')?.inputEntity as Api.TypeInputPeer;
    const send = () => c.invoke(new Api.messages.SendMessage({ peer: archive, message: 'same', randomId: returnBigInt(4242) }));
    await send();
    await send();
    await p.control('POST', '/random-id-memory', { n: null });
    await expect(send()).rejects.toMatchObject({ errorMessage: 'RANDOM_ID_DUPLICATE' });
    const state = await p.state();
    expect(
      Object.values(state.messages)
        .flat()
        .filter((m) => m.randomId === '4242'),
    ).toHaveLength(2);
    await destroyClients();
    await p.stop();
  });

  it('serves GramJS from its own process, takes faults on its control port and survives SIGKILL', async () => {
    const stateFile = join(dir.path, 'cli', 'state.json');
    const p = await spawnStandIn({ stateFile });
    children.push(p);
    expect(p.port).toBeLessThanOrEqual(32767);
    expect(p.publicKeyPem).toContain('BEGIN RSA PUBLIC KEY');
    const c = client(p);
    await loginWithCode(c, '+15550000001', ['12345']);
    await p.setFault({ kind: 'floodWait', method: 'messages.sendMessage', seconds: 600 });
    const dialogs = await c.getDialogs({});
    const archive = dialogs.find((d) => d.title === 'VOD Archive')?.inputEntity as Api.TypeInputPeer;
    const err = await c.sendMessage(archive, { message: 'x' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(errors.FloodWaitError);
    const msg = await c.sendMessage(archive, { message: 'alert: login needed' });
    const session = c.session.save() as unknown as string;
    await destroyClients();
    await p.kill();

    const p2 = await spawnStandIn({ stateFile, port: p.port });
    children.push(p2);
    const again = client(p2, session);
    await again.connect();
    expect(await again.checkAuthorization()).toBe(true);
    const state = await p2.state();
    const key = `-100${state.chats.find((x) => x.title === 'VOD Archive')?.id}`;
    expect(state.messages[key].map((m) => [m.id, m.text])).toEqual([[msg.id, 'alert: login needed']]);
    await expect(p2.control('POST', '/nope')).rejects.toThrow(/unknown control request/);
    await p2.stop();
    expect(p2.child.exitCode).toBe(0);
  });

  it('exits with a clear message when --state is missing', async () => {
    await expect(spawnStandIn({ stateFile: '' })).rejects.toThrow(/--state FILE is required/);
  });
});
