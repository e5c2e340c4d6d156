/**
 * The stand-in's rules about what each account kind may call and see, reading chats back, its
 * bounded random-id memory and the held-reply fault (each rule's source is cited where it is
 * encoded, in test/fakes/telegram/methods/*.ts).
 */
import { Api } from 'telegram';
import type { TelegramClient } from 'telegram';
import { returnBigInt } from 'telegram/Helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessHashFor, startTelegramStandIn, type TelegramStandIn } from '../fakes/telegram';
import { client, destroyClients, loginWithCode } from './helpers';

let s: TelegramStandIn;
let user: TelegramClient;
let bot: TelegramClient;
let archive: { id: number; accessHash: string };
let hidden: { id: number; accessHash: string };
let aliceId: number;
let botId: number;

beforeAll(async () => {
  s = await startTelegramStandIn();
  const alice = s.state().users.find((u) => u.firstName === 'Alice')!;
  aliceId = alice.id;
  botId = s.state().users.find((u) => u.bot)!.id;
  s.addChat({ kind: 'channel', title: 'Alice only', members: [alice.id] });
  const chats = s.state().chats;
  archive = chats.find((c) => c.title === 'VOD Archive')!;
  hidden = chats.find((c) => c.title === 'Alice only')!;
  user = client(s);
  await loginWithCode(user, '+15550000001', ['12345']);
  bot = client(s);
  await bot.start({ botAuthToken: '123456:STANDIN-BOT-TOKEN' });
});
afterAll(async () => {
  await destroyClients();
  await s.close();
});

const channel = (c: { id: number }, hash: string | number) => new Api.InputChannel({ channelId: returnBigInt(c.id), accessHash: returnBigInt(hash) });
// Access hashes are account-bound: each account addresses the channel with its own.
const peer = (c: { id: number; accessHash: string }) => new Api.InputPeerChannel({ channelId: returnBigInt(c.id), accessHash: returnBigInt(accessHashFor(c.accessHash, aliceId)) });
const send = (c: TelegramClient, text: string, randomId: string) =>
  c.invoke(new Api.messages.SendMessage({ peer: peer(archive), message: text, randomId: returnBigInt(randomId) }));
const history = (c: TelegramClient, minId = 0) =>
  c.invoke(new Api.messages.GetHistory({ peer: peer(archive), offsetId: 0, offsetDate: 0, addOffset: 0, limit: 10, maxId: 0, minId, hash: returnBigInt(0) }));

describe('what a bot may call', () => {
  it('channels.getChannels with access_hash 0 gives a bot a channel it is in, with the real hash', async () => {
    const got = await bot.invoke(new Api.channels.GetChannels({ id: [channel(archive, 0)] }));
    expect((got.chats[0] as Api.Channel).accessHash?.toString()).toBe(accessHashFor(archive.accessHash, botId));
    // The user's hash for the same channel is not the bot's.
    await expect(bot.invoke(new Api.channels.GetChannels({ id: [channel(archive, accessHashFor(archive.accessHash, aliceId))] }))).rejects.toMatchObject({
      errorMessage: 'CHANNEL_INVALID',
    });
    await expect(bot.invoke(new Api.channels.GetChannels({ id: [channel(hidden, 0)] }))).rejects.toMatchObject({ errorMessage: 'CHANNEL_INVALID' });
    // Users must know the hash (stricter than Telegram, which never promised hash 0 to users).
    await expect(user.invoke(new Api.channels.GetChannels({ id: [channel(archive, 0)] }))).rejects.toMatchObject({ errorMessage: 'CHANNEL_INVALID' });
  });

  it('contacts.resolveUsername works for bots; dialogs, history and search do not', async () => {
    const resolved = await bot.invoke(new Api.contacts.ResolveUsername({ username: 'vod_archive' }));
    expect((resolved.chats[0] as Api.Channel).title).toBe('VOD Archive');
    await expect(bot.invoke(new Api.contacts.ResolveUsername({ username: 'a b' }))).rejects.toMatchObject({ errorMessage: 'USERNAME_INVALID' });
    await expect(history(bot)).rejects.toMatchObject({ errorMessage: 'BOT_METHOD_INVALID' });
    await expect(
      bot.invoke(
        new Api.messages.Search({
          peer: peer(archive),
          q: 'x',
          filter: new Api.InputMessagesFilterEmpty(),
          minDate: 0,
          maxDate: 0,
          offsetId: 0,
          addOffset: 0,
          limit: 10,
          maxId: 0,
          minId: 0,
          hash: returnBigInt(0),
        }),
      ),
    ).rejects.toMatchObject({ errorMessage: 'BOT_METHOD_INVALID' });
    await expect(
      bot.invoke(new Api.messages.GetDialogs({ offsetDate: 0, offsetId: 0, offsetPeer: new Api.InputPeerEmpty(), limit: 10, hash: returnBigInt(0) })),
    ).rejects.toMatchObject({
      errorMessage: 'BOT_METHOD_INVALID',
    });
  });
});

describe('forum topics by id', () => {
  it('users get topics or forumTopicDeleted; bots are refused', async () => {
    const forum = s.state().chats.find((c) => c.title === 'VOD Forum')!;
    const input = (hash: string) => channel(forum, hash);
    const res = await user.invoke(new Api.channels.GetForumTopicsByID({ channel: input(accessHashFor(forum.accessHash, aliceId)), topics: [2, 42] }));
    expect(res.topics.map((t) => t.className)).toEqual(['ForumTopic', 'ForumTopicDeleted']);
    await expect(user.invoke(new Api.channels.GetForumTopicsByID({ channel: input(accessHashFor(forum.accessHash, aliceId)), topics: [] }))).rejects.toMatchObject({
      errorMessage: 'TOPICS_EMPTY',
    });
    await expect(user.invoke(new Api.channels.GetForumTopicsByID({ channel: channel(archive, accessHashFor(archive.accessHash, aliceId)), topics: [2] }))).rejects.toMatchObject({
      errorMessage: 'CHANNEL_FORUM_MISSING',
    });
    await expect(bot.invoke(new Api.channels.GetForumTopicsByID({ channel: input(accessHashFor(forum.accessHash, botId)), topics: [2] }))).rejects.toMatchObject({
      errorMessage: 'BOT_METHOD_INVALID',
    });
  });
});

describe('reading a chat back', () => {
  it('getHistory (users) is newest first and honours min_id; channels.getMessages (bots too) by id', async () => {
    await send(user, 'one', '101');
    await send(user, 'two', '102');
    const all = (await history(user)) as Api.messages.ChannelMessages;
    const [newest, older] = all.messages as Api.Message[];
    expect([newest!.message, older!.message]).toEqual(['two', 'one']);
    const after = (await history(user, older!.id)) as Api.messages.ChannelMessages;
    expect(after.messages.map((m) => m.id)).toEqual([newest!.id]);
    const found = await user.invoke(
      new Api.messages.Search({
        peer: peer(archive),
        q: 'two',
        filter: new Api.InputMessagesFilterEmpty(),
        minDate: 0,
        maxDate: 0,
        offsetId: 0,
        addOffset: 0,
        limit: 10,
        maxId: 0,
        minId: 0,
        hash: returnBigInt(0),
      }),
    );
    expect((found as Api.messages.ChannelMessages).messages.map((m) => m.id)).toEqual([newest!.id]);
    const byId = (await bot.invoke(
      new Api.channels.GetMessages({
        channel: channel(archive, accessHashFor(archive.accessHash, botId)),
        id: [new Api.InputMessageID({ id: older!.id }), new Api.InputMessageID({ id: newest!.id + 50 })],
      }),
    )) as Api.messages.ChannelMessages;
    expect((byId.messages[0] as Api.Message).message).toBe('one');
    expect(byId.messages[1]).toBeInstanceOf(Api.MessageEmpty);
    await expect(bot.invoke(new Api.channels.GetMessages({ channel: channel(archive, accessHashFor(archive.accessHash, botId)), id: [] }))).rejects.toMatchObject({
      errorMessage: 'MESSAGE_IDS_EMPTY',
    });
  });
});

describe('random-id memory and a held reply', () => {
  it('remembers only the last N random ids of a sender in a chat; 0 remembers none', async () => {
    s.setRandomIdMemory(1);
    try {
      await send(user, 'a', '201');
      await expect(send(user, 'a again', '201')).rejects.toMatchObject({ errorMessage: 'RANDOM_ID_DUPLICATE' });
      await send(user, 'b', '202');
      // 201 is now outside the window of one: accepted again, a second message.
      await send(user, 'a once more', '201');
      s.setRandomIdMemory(0);
      await send(user, 'b again', '202');
      expect(() => s.setRandomIdMemory(-1)).toThrow(/must be >= 0/);
    } finally {
      s.setRandomIdMemory(Infinity);
    }
    const texts = s
      .state()
      .messages[`-100${archive.id}`]!.filter((m) => ['201', '202'].includes(m.randomId))
      .map((m) => m.text);
    expect(texts).toEqual(['a', 'b', 'a once more', 'b again']);
  });

  it('holdReply records the message and answers late (or never)', async () => {
    s.setFault({ kind: 'holdReply', method: 'messages.SendMessage', ms: 1500 });
    const reply = send(user, 'held', '301');
    await expect.poll(() => s.state().messages[`-100${archive.id}`]!.at(-1)?.text, { timeout: 10_000 }).toBe('held');
    let answered = false;
    void reply.then(() => (answered = true));
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toBe(false);
    expect(await reply).toBeInstanceOf(Api.Updates);
    expect(() => s.setFault({ kind: 'holdReply', method: 'x', ms: -1 })).toThrow(/ms must be >= 0/);
  });
});
