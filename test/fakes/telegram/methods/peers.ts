/** Users, chats, dialogs, forum topics and username lookups. */
import { Api } from 'telegram';
import { RpcFailure } from '../context';
import type { CallContext } from '../context';
import type { ChatRecord, UserRecord } from '../state';
import { big, tlVector } from '../tl';
import { accessHashFor, chatKeyOf, chatTl, isChannel, messageTl, peerTl, userTl } from '../views';
import { on } from './registry';

/** Chats the account sees. */
export function visibleChats(ctx: CallContext, u: UserRecord): ChatRecord[] {
  return ctx.core.state.data.chats.filter((c) => !c.members || c.members.includes(u.id));
}

function findUser(ctx: CallContext, input: unknown, self: UserRecord): UserRecord | undefined {
  if (input instanceof Api.InputUserSelf) return self;
  if (input instanceof Api.InputUser) {
    const u = ctx.core.state.userById(input.userId.toJSNumber());
    return u && (accessHashFor(u.accessHash, self.id) === input.accessHash.toString() || u.id === self.id) ? u : undefined;
  }
  return undefined;
}

/** The chat an InputChannel names (access hash checked), or CHANNEL_INVALID. */
export function channelFor(ctx: CallContext, u: UserRecord, input: unknown): ChatRecord {
  if (input instanceof Api.InputChannel) {
    const c = ctx.core.state.data.chats.find((x) => isChannel(x) && x.id === input.channelId.toJSNumber());
    if (c && accessHashFor(c.accessHash, u.id) === input.accessHash.toString()) {
      if (!visibleChats(ctx, u).includes(c)) throw new RpcFailure(400, 'CHANNEL_PRIVATE');
      return c;
    }
  }
  throw new RpcFailure(400, 'CHANNEL_INVALID');
}

on(Api.users.GetUsers, (ctx, req) => {
  const self = ctx.user();
  const found = req.id.map((i) => findUser(ctx, i, self)).filter((u): u is UserRecord => Boolean(u));
  return tlVector(found.map((u) => userTl(u, self.id)));
});

on(Api.users.GetFullUser, (ctx, req) => {
  const self = ctx.user();
  const u = findUser(ctx, req.id, self);
  if (!u) throw new RpcFailure(400, 'USER_ID_INVALID');
  return new Api.users.UserFull({
    fullUser: new Api.UserFull({
      id: big(u.id),
      settings: new Api.PeerSettings({}),
      notifySettings: new Api.PeerNotifySettings({}),
      commonChatsCount: 0,
    }),
    chats: [],
    users: [userTl(u, self.id)],
  });
});

/**
 * contacts.resolveUsername (core.telegram.org/method/contacts.resolveUsername: "Both users and bots
 * can use this method"; USERNAME_NOT_OCCUPIED, USERNAME_INVALID). A public chat resolves for anyone;
 * one the account is not in comes back with `left` set.
 */
on(Api.contacts.ResolveUsername, (ctx, req) => {
  const self = ctx.user();
  const name = req.username.replace(/^@/, '').toLowerCase();
  if (!/^[a-z][a-z0-9_]{3,31}$/.test(name)) throw new RpcFailure(400, 'USERNAME_INVALID');
  const c = ctx.core.state.data.chats.find((x) => x.username?.toLowerCase() === name);
  if (c) return new Api.contacts.ResolvedPeer({ peer: peerTl(c), chats: [chatTl(c, self.id)], users: [] });
  const u = ctx.core.state.data.users.find((x) => x.username?.toLowerCase() === name);
  if (u) return new Api.contacts.ResolvedPeer({ peer: new Api.PeerUser({ userId: big(u.id) }), chats: [], users: [userTl(u, self.id)] });
  throw new RpcFailure(400, 'USERNAME_NOT_OCCUPIED');
});

/** messages.getDialogs: core.telegram.org/method/messages.getDialogs "Only users can use this method" (bots: BOT_METHOD_INVALID). */
on(Api.messages.GetDialogs, (ctx) => {
  const self = ctx.user();
  if (self.bot) throw new RpcFailure(400, 'BOT_METHOD_INVALID');
  // Newest activity first, as Telegram orders dialogs.
  const lastDate = (c: ChatRecord) => ctx.core.state.data.messages[chatKeyOf(c)]?.at(-1)?.date ?? c.date;
  const chats = [...visibleChats(ctx, self)].sort((a, b) => lastDate(b) - lastDate(a));
  const messages: Api.TypeMessage[] = [];
  const dialogs = chats.map((c) => {
    const key = chatKeyOf(c);
    const last = ctx.core.state.data.messages[key]?.at(-1);
    // GramJS's Dialog needs its top message; an empty chat has its creation service message (id 1).
    const top = (last && messageTl(ctx.core.state, key, last.id)) || creationMessage(c);
    messages.push(top);
    return new Api.Dialog({
      peer: peerTl(c),
      topMessage: top.id,
      readInboxMaxId: 0,
      readOutboxMaxId: 0,
      unreadCount: 0,
      unreadMentionsCount: 0,
      unreadReactionsCount: 0,
      notifySettings: new Api.PeerNotifySettings({}),
      pts: isChannel(c) ? ctx.core.state.data.pts : undefined,
    });
  });
  return new Api.messages.Dialogs({ dialogs, messages, chats: chats.map((c) => chatTl(c, self.id)), users: [userTl(self, self.id)] });
});

function creationMessage(c: ChatRecord): Api.MessageService {
  return new Api.MessageService({
    id: 1,
    peerId: peerTl(c),
    date: c.date,
    out: true,
    action: isChannel(c) ? new Api.MessageActionChannelCreate({ title: c.title }) : new Api.MessageActionChatCreate({ title: c.title, users: [] }),
  });
}

/**
 * channels.getChannels (core.telegram.org/method/channels.getChannels: "Both users and bots can use
 * this method"; errors CHANNEL_INVALID, CHANNEL_PRIVATE). A bot may name a channel it belongs to
 * with access_hash 0 and gets the channel with its real hash: Telethon's get_input_entity relies on
 * it ("If we're a bot ... Similar for channels.getChannels", telethon/client/users.py, commit
 * 85c4a913). Stricter than Telegram for users: hash 0 is CHANNEL_INVALID for them.
 */
on(Api.channels.GetChannels, (ctx, req) => {
  const self = ctx.user();
  const chats = req.id.map((i) => {
    if (self.bot && i instanceof Api.InputChannel && i.accessHash.isZero()) {
      const c = visibleChats(ctx, self).find((x) => isChannel(x) && x.id === i.channelId.toJSNumber());
      if (!c) throw new RpcFailure(400, 'CHANNEL_INVALID');
      return chatTl(c, self.id);
    }
    return chatTl(channelFor(ctx, self, i), self.id);
  });
  return new Api.messages.Chats({ chats });
});

on(Api.channels.GetFullChannel, (ctx, req) => {
  const self = ctx.user();
  const c = channelFor(ctx, self, req.channel);
  return new Api.messages.ChatFull({
    fullChat: new Api.ChannelFull({
      id: big(c.id),
      about: '',
      readInboxMaxId: 0,
      readOutboxMaxId: 0,
      unreadCount: 0,
      chatPhoto: new Api.PhotoEmpty({ id: big(0) }),
      notifySettings: new Api.PeerNotifySettings({}),
      botInfo: [],
      pts: ctx.core.state.data.pts,
      participantsCount: c.members?.length ?? 1,
    }),
    chats: [chatTl(c, self.id)],
    users: [],
  });
});

on(Api.messages.GetChats, (ctx, req) => {
  const self = ctx.user();
  const mine = visibleChats(ctx, self);
  const chats = req.id.map((id) => mine.find((c) => !isChannel(c) && c.id === id.toJSNumber())).filter((c): c is ChatRecord => Boolean(c));
  return new Api.messages.Chats({ chats: chats.map((c) => chatTl(c, self.id)) });
});

/** A topic of a forum as the stand-in answers it: opened by the asking user, nothing unread. */
function forumTopic(c: { date: number }, t: { id: number; title: string }, userId: number | string): Api.ForumTopic {
  return new Api.ForumTopic({
    id: t.id,
    date: c.date,
    title: t.title,
    iconColor: 0x6fb9f0,
    topMessage: t.id,
    readInboxMaxId: 0,
    readOutboxMaxId: 0,
    unreadCount: 0,
    unreadMentionsCount: 0,
    unreadReactionsCount: 0,
    fromId: new Api.PeerUser({ userId: big(userId) }),
    notifySettings: new Api.PeerNotifySettings({}),
  });
}

on(Api.channels.GetForumTopics, (ctx, req) => {
  const self = ctx.user();
  const c = channelFor(ctx, self, req.channel);
  if (c.kind !== 'forum') throw new RpcFailure(400, 'CHANNEL_FORUM_MISSING');
  const topics = (c.topics ?? []).map((t) => forumTopic(c, t, self.id));
  return new Api.messages.ForumTopics({
    count: topics.length,
    topics,
    messages: [],
    chats: [chatTl(c, self.id)],
    users: [],
    pts: ctx.core.state.data.pts,
  });
});

/**
 * channels.getForumTopicsByID (core.telegram.org/method/channels.getForumTopicsByID: "Only users can
 * use this method"; CHANNEL_FORUM_MISSING, CHANNEL_INVALID, TOPICS_EMPTY). An id that is not a topic
 * comes back as forumTopicDeleted.
 */
on(Api.channels.GetForumTopicsByID, (ctx, req) => {
  const self = ctx.user();
  if (self.bot) throw new RpcFailure(400, 'BOT_METHOD_INVALID');
  const c = channelFor(ctx, self, req.channel);
  if (c.kind !== 'forum') throw new RpcFailure(400, 'CHANNEL_FORUM_MISSING');
  if (req.topics.length === 0) throw new RpcFailure(400, 'TOPICS_EMPTY');
  const topics = req.topics.map((id) => {
    const t = (c.topics ?? []).find((x) => x.id === id);
    if (!t) return new Api.ForumTopicDeleted({ id });
    return forumTopic(c, t, self.id);
  });
  return new Api.messages.ForumTopics({ count: topics.length, topics, messages: [], chats: [chatTl(c, self.id)], users: [], pts: ctx.core.state.data.pts });
});
