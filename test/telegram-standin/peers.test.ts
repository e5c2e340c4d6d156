import { Api } from 'telegram';
import type { TelegramClient } from 'telegram';
import { returnBigInt } from 'telegram/Helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessHashFor, startTelegramStandIn } from '../fakes/telegram';
import type { TelegramStandIn } from '../fakes/telegram';
import { client, destroyClients, loginWithCode } from './helpers';

let s: TelegramStandIn;
let c: TelegramClient;

beforeAll(async () => {
  s = await startTelegramStandIn({
    users: [
      { phone: '+15551230001', code: '11111', firstName: 'Dana', premium: true },
      { phone: '+15551230002', code: '22222', firstName: 'Eve' },
    ],
    chats: [
      { kind: 'channel', title: 'Public', username: 'public_vods' },
      { kind: 'forum', title: 'Forum', topics: [{ id: 7, title: 'Archive' }] },
      { kind: 'group', title: 'Basic' },
      { kind: 'channel', title: 'Eve only', members: [] },
    ],
  });
  c = client(s);
  await loginWithCode(c, '+15551230001', ['11111']);
});
afterAll(async () => {
  await destroyClients();
  await s.close();
});

describe('chat lookups', () => {
  it('lists the dialogs the account is in: channels, forum and basic group, with access hashes', async () => {
    const dialogs = await c.getDialogs({});
    expect([...dialogs].map((d) => d.title).sort()).toEqual(['Basic', 'Forum', 'Public']);
    const forum = dialogs.find((d) => d.title === 'Forum')?.entity as Api.Channel;
    expect(forum.forum).toBe(true);
    expect(forum.megagroup).toBe(true);
    const pub = dialogs.find((d) => d.title === 'Public')?.entity as Api.Channel;
    expect(pub.broadcast).toBe(true);
    expect(pub.creator).toBe(true);
    expect(dialogs.find((d) => d.title === 'Basic')?.entity).toBeInstanceOf(Api.Chat);
    const chat = s.state().chats.find((x) => x.title === 'Public');
    // Account-bound: Dana's hash for the channel, not the channel's own value.
    const dana = s.state().users.find((u) => u.firstName === 'Dana')!;
    expect(pub.accessHash?.toString()).toBe(accessHashFor(chat!.accessHash, dana.id));
    expect(pub.accessHash?.toString()).not.toBe(chat?.accessHash);
    expect(dialogs.find((d) => d.title === 'Public')?.id?.toString()).toBe(`-100${chat?.id}`);
  });

  it('lists forum topics, resolves usernames, and checks access hashes', async () => {
    const chats = s.state().chats;
    const forum = chats.find((x) => x.title === 'Forum');
    const danaId = s.state().users.find((u) => u.firstName === 'Dana')!.id;
    const input = new Api.InputChannel({ channelId: returnBigInt(forum?.id ?? 0), accessHash: returnBigInt(accessHashFor(forum!.accessHash, danaId)) });
    const topics = await c.invoke(new Api.channels.GetForumTopics({ channel: input, offsetDate: 0, offsetId: 0, offsetTopic: 0, limit: 100 }));
    expect(topics.topics.map((t) => [t.id, (t as Api.ForumTopic).title])).toEqual([[7, 'Archive']]);
    const got = await c.invoke(new Api.channels.GetChannels({ id: [input] }));
    expect((got.chats[0] as Api.Channel).title).toBe('Forum');
    const wrong = new Api.InputChannel({ channelId: input.channelId, accessHash: returnBigInt(1) });
    await expect(c.invoke(new Api.channels.GetChannels({ id: [wrong] }))).rejects.toMatchObject({ errorMessage: 'CHANNEL_INVALID' });
    const hidden = chats.find((x) => x.title === 'Eve only');
    await expect(
      c.invoke(
        new Api.channels.GetChannels({
          id: [new Api.InputChannel({ channelId: returnBigInt(hidden?.id ?? 0), accessHash: returnBigInt(accessHashFor(hidden!.accessHash, danaId)) })],
        }),
      ),
    ).rejects.toMatchObject({ errorMessage: 'CHANNEL_PRIVATE' });

    const resolved = await c.invoke(new Api.contacts.ResolveUsername({ username: 'public_vods' }));
    expect((resolved.chats[0] as Api.Channel).title).toBe('Public');
    await expect(c.invoke(new Api.contacts.ResolveUsername({ username: 'nobody_here' }))).rejects.toMatchObject({
      errorMessage: 'USERNAME_NOT_OCCUPIED',
    });
  });

  it('reports the account (Premium) and the caption limit in help.getConfig', async () => {
    const full = await c.invoke(new Api.users.GetFullUser({ id: new Api.InputUserSelf() }));
    expect((full.users[0] as Api.User).premium).toBe(true);
    const config = await c.invoke(new Api.help.GetConfig());
    expect(config.captionLengthMax).toBe(2048);
    expect(config.dcOptions.every((o) => o.ipAddress === '127.0.0.1' && o.port === s.port)).toBe(true);
    expect(s.stats().unhandled).toEqual([]);
  });
});
