/**
 * Reading a chat back: messages.getHistory and messages.search (users only), channels.getMessages
 * (users and bots). What a client uses to find out whether a send whose answer it never got did
 * happen.
 */
import { Api } from 'telegram';
import { RpcFailure } from '../context';
import type { CallContext } from '../context';
import type { MessageRecord, UserRecord } from '../state';
import { chatKeyOf, chatTl, fromHex, userTl } from '../views';
import { targetFor, type Target } from './messages';
import { channelFor } from './peers';
import { on } from './registry';

function messageOf(m: MessageRecord): Api.TypeMessage {
  return fromHex(m.tl) as Api.Message;
}

/** messages.Messages for a chat, or messages.ChannelMessages (with pts) for a channel/supergroup. */
function answer(ctx: CallContext, self: UserRecord, t: Target, messages: Api.TypeMessage[], count: number): Api.messages.TypeMessages {
  const users = [userTl(self, self.id), ...(t.user && t.user.id !== self.id ? [userTl(t.user, self.id)] : [])];
  const chats = t.chat ? [chatTl(t.chat, self.id)] : [];
  if (t.key.startsWith('-100')) {
    return new Api.messages.ChannelMessages({ pts: ctx.core.state.data.pts, count, messages, topics: [], chats, users });
  }
  return new Api.messages.Messages({ messages, chats, users });
}

/** Users only: core.telegram.org/method/messages.getHistory "Only users can use this method". */
function refuseBots(self: UserRecord): void {
  if (self.bot) throw new RpcFailure(400, 'BOT_METHOD_INVALID');
}

/**
 * messages.getHistory (core.telegram.org/method/messages.getHistory): newest first, `offset_id`
 * "Only return messages starting from the specified message ID" (older than it), `min_id` /
 * `max_id` bounds exclusive, `limit` capped at 100 (core.telegram.org/api/offsets).
 */
on(Api.messages.GetHistory, (ctx, req) => {
  const self = ctx.user();
  refuseBots(self);
  const t = targetFor(ctx, self, req.peer);
  const all = ctx.core.state.data.messages[t.key] ?? [];
  const picked = [...all]
    .reverse()
    .filter((m) => (!req.offsetId || m.id < req.offsetId) && (!req.minId || m.id > req.minId) && (!req.maxId || m.id < req.maxId))
    .slice(Math.max(0, req.addOffset), Math.max(0, req.addOffset) + Math.min(100, Math.max(1, req.limit || 100)));
  return answer(ctx, self, t, picked.map(messageOf), all.length);
});

/**
 * messages.search (core.telegram.org/method/messages.search, "Only users can use this method"):
 * here only the text query over captions and file names, newest first.
 */
on(Api.messages.Search, (ctx, req) => {
  const self = ctx.user();
  refuseBots(self);
  const t = targetFor(ctx, self, req.peer);
  const q = req.q.toLowerCase();
  const all = ctx.core.state.data.messages[t.key] ?? [];
  const found = [...all]
    .reverse()
    .filter((m) => !q || m.text.toLowerCase().includes(q) || (m.media?.fileName ?? '').toLowerCase().includes(q))
    .slice(0, Math.min(100, Math.max(1, req.limit || 100)));
  return answer(ctx, self, t, found.map(messageOf), found.length);
});

/**
 * channels.getMessages (core.telegram.org/method/channels.getMessages: "Both users and bots can use
 * this method"; CHANNEL_INVALID, CHANNEL_PRIVATE, MESSAGE_IDS_EMPTY). Ids that do not exist come
 * back as messageEmpty, in the order asked.
 */
on(Api.channels.GetMessages, (ctx, req) => {
  const self = ctx.user();
  const chat = channelFor(ctx, self, req.channel);
  if (req.id.length === 0) throw new RpcFailure(400, 'MESSAGE_IDS_EMPTY');
  const t: Target = { key: chatKeyOf(chat), chat };
  const list = ctx.core.state.data.messages[t.key] ?? [];
  const messages = req.id.map((ref) => {
    const id = ref instanceof Api.InputMessageID ? ref.id : undefined;
    const m = id === undefined ? undefined : list.find((x) => x.id === id);
    return m ? messageOf(m) : new Api.MessageEmpty({ id: id ?? 0 });
  });
  return answer(ctx, self, t, messages, list.length);
});
