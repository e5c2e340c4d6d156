/**
 * Chats: resolving a destination the way the account kind may, the chat list for the picker, and
 * whether the account can post in a destination. Access hashes are kept per real peer id.
 *
 * Who may call what (FACTS.md, "Learned from the first independent audit"): messages.getDialogs
 * is for users only (bots: BOT_METHOD_INVALID); channels.getChannels and contacts.resolveUsername
 * work for both, and a bot may name a channel it is in with access_hash 0 (Telethon's
 * get_input_entity, telethon/client/users.py).
 */
import { Api, type TelegramClient } from 'telegram';
import type { ChatOption, TelegramAccount } from '../../../contract/domain';
import { EngineError } from '../../util/errors';
import { createLogger } from '../../util/log';
import { cannotPostReason, parseChatRef, type ChannelRights } from '../destination-rules';
import { destinationError, isDestinationError, rpcInfo } from '../rpcErrors';
import type { Destination, PeerCache, PeerEntry, PostCheck } from '../types';
import { big, userName } from './common';

const log = createLogger('telegram');

/** What the chat code needs from the connection. */
export interface Rpc {
  readonly client: TelegramClient;
  readonly peers: PeerCache;
  call<R extends Api.AnyRequest>(request: R, what: string, chat?: string): Promise<R['__response']>;
  account(): Promise<TelegramAccount>;
}

const SELF: PeerEntry = { id: 'me', kind: 'user', accessHash: '0' };

export function inputChannel(entry: PeerEntry): Api.InputChannel {
  return new Api.InputChannel({ channelId: big(entry.id.slice(4)), accessHash: big(entry.accessHash) });
}

export function inputPeer(entry: PeerEntry): Api.TypeInputPeer {
  if (entry.id === 'me') return new Api.InputPeerSelf();
  if (entry.kind === 'channel') return new Api.InputPeerChannel({ channelId: big(entry.id.slice(4)), accessHash: big(entry.accessHash) });
  if (entry.kind === 'chat') return new Api.InputPeerChat({ chatId: big(entry.id.slice(1)) });
  return new Api.InputPeerUser({ userId: big(entry.id), accessHash: big(entry.accessHash) });
}

function peerKey(peer: Api.TypePeer): string {
  if (peer instanceof Api.PeerChannel) return `-100${peer.channelId}`;
  if (peer instanceof Api.PeerChat) return `-${peer.chatId}`;
  return String((peer as Api.PeerUser).userId);
}

export function messageLink(entry: PeerEntry, messageId: number, topicId?: number): string | undefined {
  if (entry.kind !== 'channel' || !messageId) return undefined;
  if (entry.username) return `https://t.me/${entry.username}/${topicId ? `${topicId}/` : ''}${messageId}`;
  return `https://t.me/c/${entry.id.slice(4)}/${topicId ? `${topicId}/` : ''}${messageId}`;
}

/** Stores a chat Telegram returned under its real id; the entry, or undefined for other kinds. */
function putChat(peers: PeerCache, chat: Api.TypeChat): PeerEntry | undefined {
  if (chat instanceof Api.Channel) {
    const entry: PeerEntry = { id: `-100${chat.id}`, kind: 'channel', accessHash: String(chat.accessHash ?? 0), username: chat.username ?? undefined, title: chat.title };
    // A "min" channel carries a hash that only works in some contexts: keep a full one we have.
    if (!chat.min || !peers.get(entry.id)) peers.put(entry);
    return entry;
  }
  if (chat instanceof Api.Chat) {
    const entry: PeerEntry = { id: `-${chat.id}`, kind: 'chat', accessHash: '0', title: chat.title };
    peers.put(entry);
    return entry;
  }
  return undefined;
}

function putUser(peers: PeerCache, u: Api.TypeUser): PeerEntry | undefined {
  if (!(u instanceof Api.User) || u.self) return undefined;
  const entry: PeerEntry = { id: String(u.id), kind: 'user', accessHash: String(u.accessHash ?? 0), username: u.username ?? undefined, title: userName(u) };
  peers.put(entry);
  return entry;
}

function channelRights(chat: Api.Channel): ChannelRights {
  const rights = (r?: Api.ChatBannedRights) => r && { sendMessages: !!r.sendMessages, sendMedia: !!r.sendMedia };
  return {
    broadcast: !!chat.broadcast,
    left: !!chat.left,
    creator: !!chat.creator,
    admin: chat.adminRights ? { postMessages: !!chat.adminRights.postMessages } : undefined,
    banned: rights(chat.bannedRights),
    defaultBanned: rights(chat.defaultBannedRights),
  };
}

/** Resolves `-100…`, `-…`, `@username`, a user id or `me` to a cached peer, looking it up once if needed. */
export async function resolve(rpc: Rpc, chat: string): Promise<PeerEntry> {
  const ref = parseChatRef(chat);
  switch (ref.kind) {
    case 'self':
      return SELF;
    case 'username':
      return rpc.peers.byUsername(ref.username) ?? (await resolveUsername(rpc, ref.username, chat));
    case 'chat': {
      // Basic groups need no access hash (InputPeerChat).
      const entry: PeerEntry = rpc.peers.get(`-${ref.id}`) ?? { id: `-${ref.id}`, kind: 'chat', accessHash: '0' };
      return entry;
    }
    case 'user': {
      const cached = rpc.peers.get(ref.id);
      if (cached) return cached;
      throw new EngineError('permanent', 'CHAT_NOT_FOUND', `Telegram: user ${chat} is unknown to this account: use their @username`);
    }
    case 'channel':
      return rpc.peers.get(`-100${ref.id}`) ?? (await resolveChannel(rpc, ref.id, chat));
  }
}

/** What Telegram answers when an access hash is not (or no longer) this account's. */
const STALE = new Set(['CHANNEL_INVALID', 'PEER_ID_INVALID']);

/**
 * Runs `fn` with the resolved peer; when Telegram refuses a cached access hash, forgets it,
 * resolves once more and retries with the new hash (if it differs).
 */
export async function withPeer<T>(rpc: Rpc, chat: string, fn: (entry: PeerEntry) => Promise<T>): Promise<T> {
  const entry = await resolve(rpc, chat);
  try {
    return await fn(entry);
  } catch (err) {
    const code = err instanceof EngineError ? err.code : rpcInfo(err)?.message;
    if (!code || !STALE.has(code) || entry.id === 'me' || entry.kind === 'chat') throw err;
    rpc.peers.forget(entry.id);
    const fresh = await resolve(rpc, chat).catch(() => undefined);
    if (!fresh || fresh.accessHash === entry.accessHash) throw err;
    log.info(`Telegram refused the stored access hash of ${entry.id}: looked it up again`);
    return fn(fresh);
  }
}

async function resolveUsername(rpc: Rpc, username: string, chat: string): Promise<PeerEntry> {
  const res = await rpc.call(new Api.contacts.ResolveUsername({ username }), `lookup of ${chat}`, chat);
  const key = peerKey(res.peer);
  for (const u of res.users) putUser(rpc.peers, u);
  for (const c of res.chats) {
    const entry = putChat(rpc.peers, c);
    if (entry?.id === key) return entry;
  }
  const user = rpc.peers.get(key);
  if (user) return user;
  throw destinationError('USERNAME_NOT_OCCUPIED', chat);
}

/** A `-100…` id not seen before: a bot asks for it by id (hash 0), a user looks in its dialogs. */
async function resolveChannel(rpc: Rpc, id: string, chat: string): Promise<PeerEntry> {
  const account = await rpc.account();
  if (account.bot) {
    try {
      const res = await rpc.call(new Api.channels.GetChannels({ id: [new Api.InputChannel({ channelId: big(id), accessHash: big(0) })] }), `lookup of ${chat}`, chat);
      const entry = res.chats.map((c) => putChat(rpc.peers, c)).find((e) => e?.id === `-100${id}`);
      if (entry) return entry;
    } catch (err) {
      if (!isDestinationError(err)) throw err;
    }
    throw new EngineError(
      'permanent',
      'CHAT_NOT_FOUND',
      `Telegram: the bot @${account.username ?? account.name} is not in ${chat}: add it to the chat (as an admin with "Post messages" for a channel), then save again.`,
    );
  }
  await listChats(rpc);
  const found = rpc.peers.get(`-100${id}`);
  if (found) return found;
  throw new EngineError('permanent', 'CHAT_NOT_FOUND', `Telegram: ${chat} is not among this account's chats: join it, or use its @username.`);
}

/** Chats the account can post in, for the destination picker (also fills the peer cache). Users only. */
export async function listChats(rpc: Rpc): Promise<ChatOption[]> {
  if ((await rpc.account()).bot) {
    // Telegram gives bots no chat list (messages.getDialogs: BOT_METHOD_INVALID).
    throw new EngineError('permanent', 'BOT_NO_CHAT_LIST', 'A bot cannot list its chats: type the chat id (-100…) or @username.');
  }
  const out: ChatOption[] = [];
  const seen = new Set<string>();
  let offset = { date: 0, id: 0, peer: new Api.InputPeerEmpty() as Api.TypeInputPeer };
  for (let page = 0; page < 10; page++) {
    const res = await rpc.call(new Api.messages.GetDialogs({ offsetDate: offset.date, offsetId: offset.id, offsetPeer: offset.peer, limit: 100, hash: big(0) }), 'chat list');
    if (res instanceof Api.messages.DialogsNotModified) break;
    for (const u of res.users) putUser(rpc.peers, u);
    for (const chat of res.chats) {
      const option = await chatOption(rpc, chat);
      if (option && !seen.has(option.id)) {
        seen.add(option.id);
        out.push(option);
      }
    }
    if (!(res instanceof Api.messages.DialogsSlice) || res.dialogs.length === 0) break;
    const lastDialog = res.dialogs[res.dialogs.length - 1]!;
    const lastMessage = res.messages.find((m) => m.id === lastDialog.topMessage) as Api.Message | undefined;
    const last = rpc.peers.get(peerKey(lastDialog.peer));
    if (!lastMessage || !('date' in lastMessage) || !last) break;
    offset = { date: lastMessage.date, id: lastMessage.id, peer: inputPeer(last) };
  }
  return out;
}

async function chatOption(rpc: Rpc, chat: Api.TypeChat): Promise<ChatOption | undefined> {
  const entry = putChat(rpc.peers, chat);
  if (chat instanceof Api.Channel && entry) {
    if (cannotPostReason(channelRights(chat))) return undefined;
    const option: ChatOption = { id: entry.id, title: chat.title, kind: chat.broadcast ? 'channel' : chat.forum ? 'forum' : 'supergroup', username: entry.username };
    if (chat.forum) option.topics = await forumTopics(rpc, entry);
    return option;
  }
  if (chat instanceof Api.Chat && entry) {
    if (chat.left || chat.deactivated) return undefined;
    if (chat.defaultBannedRights?.sendMessages && !chat.creator && !chat.adminRights) return undefined;
    return { id: entry.id, title: chat.title, kind: 'group' };
  }
  return undefined;
}

async function forumTopics(rpc: Rpc, entry: PeerEntry): Promise<Array<{ id: number; title: string }>> {
  try {
    const res = await rpc.client.invoke(new Api.channels.GetForumTopics({ channel: inputChannel(entry), offsetDate: 0, offsetId: 0, offsetTopic: 0, limit: 100 }));
    return res.topics.filter((t): t is Api.ForumTopic => t instanceof Api.ForumTopic).map((t) => ({ id: t.id, title: t.title }));
  } catch (err) {
    log.warn(`forum topics of ${entry.id} unavailable`, rpcInfo(err)?.message ?? (err as Error).message);
    return [];
  }
}

/** Users can look a topic up (channels.getForumTopicsByID is "Only users"); for bots it is taken on trust. */
async function topicExists(rpc: Rpc, entry: PeerEntry, topicId: number): Promise<boolean> {
  if ((await rpc.account()).bot) return true;
  const res = await rpc.call(new Api.channels.GetForumTopicsByID({ channel: inputChannel(entry), topics: [topicId] }), `topics of ${entry.id}`, entry.id);
  return res.topics.some((t) => t instanceof Api.ForumTopic && t.id === topicId);
}

/**
 * Whether the account can post in `dest`: resolves it, then reads the account's own rights in the
 * chat (channels.getChannels / messages.getChats, both open to bots). A transient failure (network,
 * flood wait) throws: "cannot tell" is not "cannot post".
 */
export async function checkCanPost(rpc: Rpc, dest: Destination): Promise<PostCheck> {
  const chat = dest.chat;
  const no = (reason: string, title?: string): PostCheck => ({ chat, canPost: false, reason, title });
  try {
    const entry = await resolve(rpc, chat);
    if (entry.kind === 'user') return { chat, canPost: true, title: entry.title };
    if (entry.kind === 'chat') {
      const res = await rpc.call(new Api.messages.GetChats({ id: [big(entry.id.slice(1))] }), `check of ${chat}`, chat);
      const group = res.chats[0];
      if (!(group instanceof Api.Chat)) return no('this account is not in that group (or it was removed): add it, then save again');
      if (group.left || group.deactivated) return no('this account left that group, or the group was upgraded: use the new chat id', group.title);
      if (group.defaultBannedRights?.sendMedia && !group.creator && !group.adminRights) return no('members may not send media in this group', group.title);
      return { chat, canPost: true, title: group.title };
    }
    const res = await rpc.call(new Api.channels.GetChannels({ id: [inputChannel(entry)] }), `check of ${chat}`, chat);
    const channel = res.chats.find((c): c is Api.Channel => c instanceof Api.Channel);
    if (!channel) return no('this account cannot see that chat: add it to the chat, then save again');
    putChat(rpc.peers, channel);
    const reason = cannotPostReason(channelRights(channel));
    if (reason) return no(reason, channel.title);
    if (dest.topicId && !channel.forum) return no('a topic was given but this chat is not a forum', channel.title);
    if (dest.topicId && !(await topicExists(rpc, entry, dest.topicId))) return no(`forum topic ${dest.topicId} does not exist (or was deleted): pick another topic`, channel.title);
    return { chat, canPost: true, title: channel.title };
  } catch (err) {
    if (err instanceof EngineError && err.errorClass === 'permanent') return no(err.message);
    throw err;
  }
}
