/**
 * Destinations as each account kind may reach them, against the MTProto stand-in: resolving by
 * id and @username (bots cannot list chats), checking the right to post, write-forbidden chats,
 * and finding a post again after a send whose answer was lost.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginFlow, TelegramConnection } from '../../electron/engine/telegram/gramjs';
import { memoryPeerCache, type StoredDocument } from '../../electron/engine/telegram/types';
import { accessHashFor, startTelegramStandIn, STANDIN_API_HASH, STANDIN_API_ID, type TelegramStandIn, type UserRecord } from '../fakes/telegram';

let standIn: TelegramStandIn;
let dir: string;
const open: TelegramConnection[] = [];
const ids: Record<string, string> = {};
let alice: UserRecord;
let bot: UserRecord;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tg-dest-'));
  standIn = await startTelegramStandIn();
  const s = standIn.state();
  alice = s.users.find((u) => u.firstName === 'Alice')!;
  bot = s.users.find((u) => u.bot)!;
  standIn.addChat({ kind: 'channel', title: 'No Bots Here', members: [alice.id] });
  standIn.addChat({ kind: 'supergroup', title: 'Muted', roles: { [alice.id]: 'banned', [bot.id]: 'banned' } });
  standIn.addChat({ kind: 'channel', title: 'Outside', username: 'outside_news', members: [] });
  standIn.addChat({ kind: 'channel', title: 'Bot Admin', roles: { [bot.id]: 'admin' }, role: 'member' });
  for (const c of standIn.state().chats) ids[c.title] = c.kind === 'group' ? `-${c.id}` : `-100${c.id}`;
  writeFileSync(join(dir, 'part.mp4'), randomBytes(300_000));
});
afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await standIn?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function connect(peers = memoryPeerCache()): Promise<TelegramConnection & { peers: ReturnType<typeof memoryPeerCache> }> {
  const conn = await TelegramConnection.connect({
    apiId: STANDIN_API_ID,
    apiHash: STANDIN_API_HASH,
    peers,
    testServer: { host: standIn.host, port: standIn.port, dcId: standIn.dcId, publicKeyPem: standIn.publicKeyPem },
  });
  open.push(conn);
  return conn as TelegramConnection & { peers: ReturnType<typeof memoryPeerCache> };
}

async function asUser(phone = '+15550000001', code = '12345') {
  const conn = await connect();
  const flow = new LoginFlow(conn, STANDIN_API_ID, STANDIN_API_HASH);
  expect(await flow.start({ phone })).toMatchObject({ step: 'code' });
  expect(await flow.submitCode(code)).toMatchObject({ step: 'done' });
  return conn;
}

async function asBot() {
  const conn = await connect();
  expect(await new LoginFlow(conn, STANDIN_API_ID, STANDIN_API_HASH).botLogin('123456:STANDIN-BOT-TOKEN')).toMatchObject({ step: 'done', account: { bot: true } });
  return conn;
}

async function document(conn: TelegramConnection, name: string): Promise<StoredDocument> {
  const file = await conn.upload({ path: join(dir, 'part.mp4'), name });
  return conn.uploadMedia(file, { durationSec: 3, width: 16, height: 9, fileName: name });
}

const dialogsCalls = () => standIn.stats().requests['messages.GetDialogs'] ?? 0;

describe('resolving destinations per account kind', () => {
  it('a bot posts to a -100… channel it has never seen, and to an @username, without asking for dialogs', async () => {
    const conn = await asBot();
    const before = dialogsCalls();
    const doc = await document(conn, 'bot-part');
    const byId = await conn.post(doc, { chat: ids['VOD Archive']! }, '<b>by id</b>');
    const byName = await conn.post(doc, { chat: '@VOD_Archive' }, 'by name');
    const topic = await conn.post(doc, { chat: ids['VOD Forum']!, topicId: 3 }, 'in a topic');
    expect(dialogsCalls()).toBe(before);
    const archive = standIn.state().messages[ids['VOD Archive']!]!;
    expect(archive.map((m) => [m.id, m.text])).toEqual([
      [byId.messageId, 'by id'],
      [byName.messageId, 'by name'],
    ]);
    expect(byName.link).toBe(`https://t.me/vod_archive/${byName.messageId}`);
    expect(standIn.state().messages[ids['VOD Forum']!]!.at(-1)).toMatchObject({ id: topic.messageId, topicId: 3 });
    // One cache entry per real peer id, with the real access hash; no "@name" keys.
    const chat = standIn.state().chats.find((c) => c.title === 'VOD Archive')!;
    expect(conn.peers.get(ids['VOD Archive']!)).toMatchObject({ kind: 'channel', accessHash: accessHashFor(chat.accessHash, bot.id), username: 'vod_archive' });
    expect([...conn.peers.entries.keys()].filter((k) => !/^-?\d+$/.test(k))).toEqual([]);
  });

  it('a bot is told to be added to a chat it is not in, and that it has no chat list', async () => {
    const conn = await asBot();
    await expect(conn.resolve(ids['No Bots Here']!)).rejects.toMatchObject({
      errorClass: 'permanent',
      code: 'CHAT_NOT_FOUND',
      message: expect.stringMatching(/bot @vod_backup_bot is not in .*add it/),
    });
    await expect(conn.listChats()).rejects.toMatchObject({ errorClass: 'permanent', code: 'BOT_NO_CHAT_LIST' });
    await expect(conn.resolve('@nobody_at_all')).rejects.toMatchObject({
      errorClass: 'permanent',
      code: 'USERNAME_NOT_OCCUPIED',
      message: expect.stringMatching(/check the spelling/),
    });
  });

  it('a user resolves a -100… id through its dialogs and an @username once, keyed by the real id', async () => {
    const conn = await asUser();
    expect(await conn.resolve(ids['VOD Chat']!)).toMatchObject({ id: ids['VOD Chat'], kind: 'channel' });
    const before = standIn.stats().requests['contacts.ResolveUsername'] ?? 0;
    expect((await conn.resolve('@vod_archive')).id).toBe(ids['VOD Archive']);
    expect((await conn.resolve('https://t.me/vod_archive')).id).toBe(ids['VOD Archive']);
    // The second lookup comes from the cache (by username column), not from Telegram.
    expect(standIn.stats().requests['contacts.ResolveUsername'] ?? 0).toBe(before);
    expect([...conn.peers.entries.keys()].filter((k) => k.startsWith('@'))).toEqual([]);
  });
});

describe('a stored access hash Telegram refuses', () => {
  it('is looked up again once, for a user and for a bot', async () => {
    for (const conn of [await asUser(), await asBot()]) {
      const right = await conn.resolve(ids['VOD Chat']!);
      conn.peers.put({ ...right, accessHash: '12345' });
      const sent = await conn.sendText({ chat: ids['VOD Chat']! }, 'after a stale hash');
      expect(standIn.state().messages[ids['VOD Chat']!]!.at(-1)).toMatchObject({ id: sent.messageId, text: 'after a stale hash' });
      expect(conn.peers.get(ids['VOD Chat']!)?.accessHash).toBe(right.accessHash);
    }
    // A chat the account really cannot see still fails, once, with the reason.
    const bot = await asBot();
    bot.peers.put({ id: ids['No Bots Here']!, kind: 'channel', accessHash: '999' });
    await expect(bot.sendText({ chat: ids['No Bots Here']! }, 'x')).rejects.toMatchObject({ errorClass: 'permanent', code: 'CHANNEL_INVALID' });
  });
});

describe('destinations the account cannot write to', () => {
  it('a post to a read-only channel fails for good, saying what to do', async () => {
    const conn = await asUser();
    const doc = await document(conn, 'ro-part');
    await expect(conn.post(doc, { chat: ids['Read Only News']! }, 'x')).rejects.toMatchObject({
      errorClass: 'permanent',
      code: 'CHAT_WRITE_FORBIDDEN',
      message: expect.stringMatching(/cannot post in -100\d+: .*admin with "Post messages"/),
    });
    await expect(conn.sendText({ chat: ids['Muted']! }, 'x')).rejects.toMatchObject({
      errorClass: 'permanent',
      code: 'USER_BANNED_IN_CHANNEL',
      message: expect.stringMatching(/banned/),
    });
  });

  it('checkCanPost reports each destination for a user', async () => {
    const conn = await asUser();
    const check = (chat: string, topicId?: number) => conn.checkCanPost({ chat, topicId });
    expect(await check(ids['VOD Archive']!)).toEqual({ chat: ids['VOD Archive'], canPost: true, title: 'VOD Archive' });
    expect(await check('@vod_archive')).toMatchObject({ canPost: true, title: 'VOD Archive' });
    expect(await check(ids['VOD Forum']!, 2)).toMatchObject({ canPost: true });
    expect(await check(ids['VOD Forum']!, 9)).toMatchObject({ canPost: false, reason: expect.stringMatching(/forum topic 9 does not exist/) });
    expect(await check(ids['Old Group']!)).toMatchObject({ canPost: true, title: 'Old Group' });
    expect(await check('me')).toMatchObject({ canPost: true });
    expect(await check(ids['Read Only News']!)).toMatchObject({ canPost: false, title: 'Read Only News', reason: expect.stringMatching(/only admins with "Post messages"/) });
    expect(await check(ids['Muted']!)).toMatchObject({ canPost: false, reason: expect.stringMatching(/restricted/) });
    expect(await check('@outside_news')).toMatchObject({ canPost: false, reason: expect.stringMatching(/not in that chat.*add it/) });
    expect(await check(ids['VOD Chat']!, 5)).toMatchObject({ canPost: false, reason: expect.stringMatching(/not a forum/) });
    expect(await check('-1009999999')).toMatchObject({ canPost: false, reason: expect.stringMatching(/not among this account's chats/) });
    expect(await check('not a chat')).toMatchObject({ canPost: false, reason: expect.stringMatching(/not a chat id/) });
  });

  it('checkCanPost reports each destination for a bot', async () => {
    const conn = await asBot();
    expect(await conn.checkCanPost({ chat: ids['Bot Admin']! })).toMatchObject({ canPost: true, title: 'Bot Admin' });
    expect(await conn.checkCanPost({ chat: ids['No Bots Here']! })).toMatchObject({ canPost: false, reason: expect.stringMatching(/add it to the chat/) });
    expect(await conn.checkCanPost({ chat: ids['Muted']! })).toMatchObject({ canPost: false });
  });
});

describe('finding a post whose answer was lost', () => {
  it('with no random-id memory a resend posts twice; findExistingPost finds the first one instead (user)', async () => {
    standIn.setRandomIdMemory(0);
    try {
      const conn = await asUser();
      const chat = ids['VOD Chat']!;
      const doc = await document(conn, 'lost-part');
      const last = standIn.state().messages[chat]?.at(-1)?.id ?? 0;
      const caption = '<b>Night</b> - Part 1/2';
      // The server records the message and the reply never comes: the outcome is unknown here.
      standIn.setFault({ kind: 'holdReply', method: 'messages.SendMedia' });
      const held = conn.post(doc, { chat }, caption, { randomId: '777' });
      held.catch(() => undefined);
      await expect.poll(() => standIn.state().messages[chat]?.at(-1)?.randomId, { timeout: 20_000 }).toBe('777');
      const recorded = standIn.state().messages[chat]!.at(-1)!.id;

      const other = await asUser();
      expect(await other.findExistingPost({ chat }, { fileName: 'lost-part', bytes: 300_000, caption, afterMessageId: last })).toEqual({
        messageId: recorded,
        link: `https://t.me/c/${chat.slice(4)}/${recorded}`,
      });
      expect(await other.findExistingPost({ chat }, { fileName: 'lost-part', bytes: 300_000, caption: 'Part 2/2', afterMessageId: last })).toBeUndefined();
      expect(await other.findExistingPost({ chat }, { fileName: 'lost-part', bytes: 1, caption, afterMessageId: last })).toBeUndefined();
      expect(await other.findExistingPost({ chat }, { fileName: 'lost-part', bytes: 300_000, caption, afterMessageId: recorded })).toBeUndefined();
      // Without the look-up, the same random id is accepted again: Telegram's memory is not to be relied on.
      await other.post(doc, { chat }, caption, { randomId: '777' });
      expect(standIn.state().messages[chat]!.filter((m) => m.randomId === '777')).toHaveLength(2);
    } finally {
      standIn.setRandomIdMemory(Infinity);
      standIn.clearFaults();
    }
  });

  it('a bot finds its post by message ids after the last recorded one (it cannot read history)', async () => {
    const conn = await asBot();
    const chat = ids['VOD Archive']!;
    const doc = await document(conn, 'bot-lost');
    const last = standIn.state().messages[chat]?.at(-1)?.id ?? 0;
    const caption = 'Bot night - Part 1/1';
    const sent = await conn.post(doc, { chat }, caption);
    await conn.sendText({ chat }, 'noise after it');
    const getHistory = standIn.stats().requests['messages.GetHistory'] ?? 0;
    expect(await conn.findExistingPost({ chat }, { fileName: 'bot-lost.mp4', bytes: 300_000, caption, afterMessageId: last })).toEqual({
      messageId: sent.messageId,
      link: `https://t.me/vod_archive/${sent.messageId}`,
    });
    expect(standIn.stats().requests['messages.GetHistory'] ?? 0).toBe(getHistory);
    await expect(conn.findExistingPost({ chat }, { fileName: 'bot-lost', bytes: 300_000, caption })).rejects.toMatchObject({ code: 'FIND_UNSUPPORTED' });
    await expect(conn.findExistingPost({ chat: ids['Old Group']! }, { fileName: 'bot-lost', bytes: 300_000, caption, afterMessageId: 1 })).rejects.toMatchObject({
      code: 'FIND_UNSUPPORTED',
    });
  });
});
