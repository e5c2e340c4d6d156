/**
 * messages.updatePinnedMessage (core.telegram.org/method/messages.updatePinnedMessage): pinning in a
 * channel needs an admin (CHAT_ADMIN_REQUIRED for a member), an unknown id is MESSAGE_ID_INVALID,
 * pinning a pinned message is CHAT_NOT_MODIFIED; the answer is updatePinnedChannelMessages /
 * updatePinnedMessages.
 *
 * messages.editMessage (core.telegram.org/method/messages.editMessage) for captions and texts:
 * - MESSAGE_ID_INVALID: no such message in that chat;
 * - MESSAGE_AUTHOR_REQUIRED (403): only the sender edits (stricter than channels, where admins with
 *   the edit right may edit others' posts);
 * - MESSAGE_NOT_MODIFIED: same text and entities as now;
 * - MEDIA_CAPTION_TOO_LONG / MESSAGE_TOO_LONG: over the caption (1024, Premium 2048) or text (4096) limit;
 * - the answer is Updates with updateEditChannelMessage (channels) or updateEditMessage, and the
 *   message gets an `edit_date`.
 */
import { Api } from 'telegram';
import { BinaryReader } from 'telegram/extensions';
import { RpcFailure } from '../context';
import { big, nowSec } from '../tl';
import { chatTl, isChannel, peerTl, userTl } from '../views';
import { captionLimit, entityRecord, targetFor } from './messages';
import { on } from './registry';

on(Api.messages.EditMessage, (ctx, req) => {
  const self = ctx.user();
  const t = targetFor(ctx, self, req.peer);
  const state = ctx.core.state;
  const record = (state.data.messages[t.key] ?? []).find((m) => m.id === req.id);
  if (!record) throw new RpcFailure(400, 'MESSAGE_ID_INVALID');
  if (record.fromUserId !== self.id) throw new RpcFailure(403, 'MESSAGE_AUTHOR_REQUIRED');
  const text = req.message ?? record.text;
  const entities = (req.entities ?? []).map(entityRecord);
  if ([...text].length > (record.media ? captionLimit(self) : 4096)) throw new RpcFailure(400, record.media ? 'MEDIA_CAPTION_TOO_LONG' : 'MESSAGE_TOO_LONG');
  if (text === record.text && JSON.stringify(entities) === JSON.stringify(record.entities)) throw new RpcFailure(400, 'MESSAGE_NOT_MODIFIED');
  const message = new BinaryReader(Buffer.from(record.tl, 'hex')).tgReadObject() as Api.Message;
  message.message = text;
  message.entities = req.entities?.length ? req.entities : undefined;
  message.editDate = nowSec();
  record.text = text;
  record.entities = entities;
  record.editDate = message.editDate;
  record.tl = message.getBytes().toString('hex');
  state.data.pts += 1;
  state.save();
  const isChan = t.chat ? isChannel(t.chat) : false;
  return new Api.Updates({
    updates: [isChan ? new Api.UpdateEditChannelMessage({ message, pts: state.data.pts, ptsCount: 1 }) : new Api.UpdateEditMessage({ message, pts: state.data.pts, ptsCount: 1 })],
    users: [userTl(self, self.id)],
    chats: t.chat ? [chatTl(t.chat)] : [],
    date: nowSec(),
    seq: 0,
  });
});

on(Api.messages.UpdatePinnedMessage, (ctx, req) => {
  const self = ctx.user();
  const t = targetFor(ctx, self, req.peer);
  if (t.chat && isChannel(t.chat) && t.chat.role === 'member') throw new RpcFailure(400, 'CHAT_ADMIN_REQUIRED');
  const state = ctx.core.state;
  const record = (state.data.messages[t.key] ?? []).find((m) => m.id === req.id);
  if (!record) throw new RpcFailure(400, 'MESSAGE_ID_INVALID');
  const pinned = !req.unpin;
  if (Boolean(record.pinned) === pinned) throw new RpcFailure(400, 'CHAT_NOT_MODIFIED');
  record.pinned = pinned;
  state.data.pts += 1;
  state.save();
  const update =
    t.chat && isChannel(t.chat)
      ? new Api.UpdatePinnedChannelMessages({ channelId: big(t.chat.id), messages: [req.id], pinned, pts: state.data.pts, ptsCount: 1 })
      : new Api.UpdatePinnedMessages({
          peer: t.chat ? peerTl(t.chat) : new Api.PeerUser({ userId: big(t.user?.id ?? self.id) }),
          messages: [req.id],
          pinned,
          pts: state.data.pts,
          ptsCount: 1,
        });
  return new Api.Updates({ updates: [update], users: [userTl(self, self.id)], chats: t.chat ? [chatTl(t.chat)] : [], date: nowSec(), seq: 0 });
});
