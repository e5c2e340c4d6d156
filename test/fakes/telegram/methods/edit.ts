/**
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
import { nowSec } from '../tl';
import { chatTl, isChannel, userTl } from '../views';
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
    updates: [
      isChan
        ? new Api.UpdateEditChannelMessage({ message, pts: state.data.pts, ptsCount: 1 })
        : new Api.UpdateEditMessage({ message, pts: state.data.pts, ptsCount: 1 }),
    ],
    users: [userTl(self, self.id)],
    chats: t.chat ? [chatTl(t.chat)] : [],
    date: nowSec(),
    seq: 0,
  });
});
