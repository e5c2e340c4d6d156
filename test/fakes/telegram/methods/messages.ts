/** messages.uploadMedia, messages.sendMedia, messages.sendMessage: what the uploader and alerts use. */
import { randomBytes } from 'node:crypto';
import { Api } from 'telegram';
import { RpcFailure } from '../context';
import type { CallContext } from '../context';
import { roleOf } from '../state';
import type { ChatRecord, DocumentAttributeRecord, DocumentRecord, EntityRecord, MessageRecord, UserRecord } from '../state';
import { big, nowSec, randomLongString } from '../tl';
import { accessHashFor, chatKeyOf, chatTl, documentTl, isChannel, peerTl, userTl } from '../views';
import { channelFor, visibleChats } from './peers';
import { on } from './registry';

export interface Target {
  key: string;
  chat?: ChatRecord;
  user?: UserRecord;
}

export function targetFor(ctx: CallContext, self: UserRecord, peer: unknown): Target {
  if (peer instanceof Api.InputPeerSelf) return { key: String(self.id), user: self };
  if (peer instanceof Api.InputPeerUser) {
    const u = ctx.core.state.userById(peer.userId.toJSNumber());
    if (!u || accessHashFor(u.accessHash, self.id) !== peer.accessHash.toString()) throw new RpcFailure(400, 'PEER_ID_INVALID');
    return { key: String(u.id), user: u };
  }
  if (peer instanceof Api.InputPeerChannel) {
    const chat = channelFor(ctx, self, new Api.InputChannel({ channelId: peer.channelId, accessHash: peer.accessHash }));
    return { key: chatKeyOf(chat), chat };
  }
  if (peer instanceof Api.InputPeerChat) {
    const chat = visibleChats(ctx, self).find((c) => !isChannel(c) && c.id === peer.chatId.toJSNumber());
    if (!chat) throw new RpcFailure(400, 'CHAT_ID_INVALID');
    return { key: chatKeyOf(chat), chat };
  }
  throw new RpcFailure(400, 'PEER_ID_INVALID');
}

/**
 * Who may post where (core.telegram.org/method/messages.sendMedia, "Possible errors": 403
 * CHAT_WRITE_FORBIDDEN "You can't write in this chat", 400 USER_BANNED_IN_CHANNEL "You're banned
 * from sending messages in supergroups/channels"; core.telegram.org/api/channel: only admins with
 * post_messages post in a broadcast channel).
 */
function checkCanPost(t: Target, self: UserRecord): void {
  if (!t.chat) return;
  const role = roleOf(t.chat, self.id);
  if (t.chat.kind === 'channel' && (role === 'member' || role === 'banned')) throw new RpcFailure(403, 'CHAT_WRITE_FORBIDDEN');
  if (role === 'banned') throw new RpcFailure(400, 'USER_BANNED_IN_CHANNEL');
}

/**
 * RANDOM_ID_DUPLICATE (core.telegram.org/method/messages.sendMedia, random_id: "Random ID to avoid
 * resending the same message"; the code stays 400 as before, see the README) is checked against the sender's last
 * `randomIdMemory` messages in the chat only: Telegram's memory of random ids is bounded, not
 * forever (issue 16), so a client must not rest exactly-once on it. 0 = no memory at all.
 */
function checkRandomId(ctx: CallContext, list: MessageRecord[], self: UserRecord, randomId: string): void {
  const memory = ctx.core.randomIdMemory;
  if (memory <= 0) return;
  const mine = list.filter((m) => m.fromUserId === self.id);
  const window = Number.isFinite(memory) ? mine.slice(-memory) : mine;
  if (window.some((m) => m.randomId === randomId)) throw new RpcFailure(400, 'RANDOM_ID_DUPLICATE');
}

function attributeRecord(a: Api.TypeDocumentAttribute): DocumentAttributeRecord {
  const rec: DocumentAttributeRecord = { type: a.className, tl: a.getBytes().toString('hex') };
  if (a instanceof Api.DocumentAttributeVideo) {
    Object.assign(rec, { duration: a.duration, w: a.w, h: a.h, supportsStreaming: Boolean(a.supportsStreaming) });
  } else if (a instanceof Api.DocumentAttributeFilename) {
    rec.fileName = a.fileName;
  } else if (a instanceof Api.DocumentAttributeImageSize) {
    Object.assign(rec, { w: a.w, h: a.h });
  }
  return rec;
}

export function entityRecord(e: Api.TypeMessageEntity): EntityRecord {
  const rec: EntityRecord = { type: e.className, offset: e.offset, length: e.length };
  if (e instanceof Api.MessageEntityTextUrl) rec.url = e.url;
  if (e instanceof Api.MessageEntityPre) rec.language = e.language;
  return rec;
}

function inputFileOf(ctx: CallContext, owner: UserRecord, f: Api.TypeInputFile) {
  if (f instanceof Api.InputFile) return ctx.core.uploads.resolve(owner.id, f.id.toString(), f.parts, false);
  if (f instanceof Api.InputFileBig) return ctx.core.uploads.resolve(owner.id, f.id.toString(), f.parts, true);
  throw new RpcFailure(400, 'FILE_ID_INVALID');
}

/** The document an InputMedia names: a fresh upload (becomes a new document) or an existing one. */
function documentFor(ctx: CallContext, owner: UserRecord, media: Api.TypeInputMedia): DocumentRecord {
  const state = ctx.core.state;
  if (media instanceof Api.InputMediaUploadedDocument) {
    const file = inputFileOf(ctx, owner, media.file);
    const thumbFile = media.thumb ? inputFileOf(ctx, owner, media.thumb) : undefined;
    const attributes = media.attributes.map(attributeRecord);
    const video = attributes.find((a) => a.type === 'DocumentAttributeVideo');
    const doc: DocumentRecord = {
      id: randomLongString(),
      accessHash: randomLongString(),
      fileReferenceHex: randomBytes(16).toString('hex'),
      date: nowSec(),
      mimeType: media.mimeType,
      size: file.size,
      sha256: file.sha256,
      uploadFileId: file.fileId,
      fileName: attributes.find((a) => a.type === 'DocumentAttributeFilename')?.fileName as string | undefined,
      attributes,
      video: video ? { duration: Number(video.duration), w: Number(video.w), h: Number(video.h), supportsStreaming: Boolean(video.supportsStreaming) } : undefined,
      thumb: thumbFile ? { size: thumbFile.size, sha256: thumbFile.sha256, jpeg: thumbFile.jpeg } : undefined,
    };
    state.data.documents.push(doc);
    state.save();
    return doc;
  }
  if (media instanceof Api.InputMediaDocument && media.id instanceof Api.InputDocument) {
    const ref = media.id;
    const doc = state.data.documents.find((d) => d.id === ref.id.toString());
    if (!doc || doc.accessHash !== ref.accessHash.toString()) throw new RpcFailure(400, 'MEDIA_INVALID');
    if (!Buffer.from(ref.fileReference).equals(Buffer.from(doc.fileReferenceHex, 'hex'))) {
      throw new RpcFailure(400, 'FILE_REFERENCE_EXPIRED');
    }
    return doc;
  }
  throw new RpcFailure(400, 'MEDIA_INVALID');
}

function mediaTl(ctx: CallContext, doc: DocumentRecord): Api.MessageMediaDocument {
  return new Api.MessageMediaDocument({ document: documentTl(doc, ctx.core.dcId), video: Boolean(doc.video) });
}

function topicOf(t: Target, replyTo: Api.TypeInputReplyTo | undefined): number | undefined {
  if (!(replyTo instanceof Api.InputReplyToMessage)) return undefined;
  const topicId = replyTo.topMsgId ?? replyTo.replyToMsgId;
  if (t.chat?.kind === 'forum') {
    const known = t.chat.topics?.some((x) => x.id === topicId) || Boolean(topicId === 1);
    if (!known) throw new RpcFailure(400, 'TOPIC_ID_INVALID');
  }
  return topicId;
}

/** Records a new message and builds the Updates Telegram answers with. */
function post(
  ctx: CallContext,
  self: UserRecord,
  t: Target,
  req: { message: string; entities?: Api.TypeMessageEntity[]; randomId?: unknown; silent?: boolean; replyTo?: Api.TypeInputReplyTo },
  doc?: DocumentRecord,
): Api.Updates {
  const state = ctx.core.state;
  const list = (state.data.messages[t.key] ??= []);
  const randomId = String(req.randomId);
  checkRandomId(ctx, list, self, randomId);
  const topicId = topicOf(t, req.replyTo);
  const topicMax = Math.max(0, ...(t.chat?.topics ?? []).map((x) => x.id));
  // Id 1 is the chat's creation message; forum topic ids are taken too.
  const id = Math.max(1, topicMax, list.at(-1)?.id ?? 0) + 1;
  const date = nowSec();
  const broadcast = t.chat?.kind === 'channel';
  const peerId = t.chat ? peerTl(t.chat) : new Api.PeerUser({ userId: big(t.user?.id ?? self.id) });
  const message = new Api.Message({
    id,
    peerId,
    fromId: broadcast ? undefined : new Api.PeerUser({ userId: big(self.id) }),
    date,
    message: req.message,
    media: doc ? mediaTl(ctx, doc) : undefined,
    entities: req.entities?.length ? req.entities : undefined,
    out: true,
    post: broadcast,
    silent: req.silent,
    replyTo: topicId !== undefined ? new Api.MessageReplyHeader({ forumTopic: t.chat?.kind === 'forum', replyToMsgId: topicId }) : undefined,
  });
  const record: MessageRecord = {
    id,
    chatId: t.key,
    date,
    text: req.message,
    entities: (req.entities ?? []).map(entityRecord),
    randomId,
    topicId,
    fromUserId: self.id,
    silent: req.silent,
    tl: message.getBytes().toString('hex'),
    media: doc
      ? {
          documentId: doc.id,
          uploadFileId: doc.uploadFileId,
          size: doc.size,
          sha256: doc.sha256,
          mimeType: doc.mimeType,
          fileName: doc.fileName,
          attributes: doc.attributes.map(({ tl: _tl, ...rest }) => rest as DocumentAttributeRecord),
          video: doc.video,
          thumb: doc.thumb,
        }
      : undefined,
  };
  list.push(record);
  state.data.pts += 1;
  state.save();
  const isChan = t.chat ? isChannel(t.chat) : false;
  return new Api.Updates({
    updates: [
      new Api.UpdateMessageID({ id, randomId: big(randomId) }),
      isChan ? new Api.UpdateNewChannelMessage({ message, pts: state.data.pts, ptsCount: 1 }) : new Api.UpdateNewMessage({ message, pts: state.data.pts, ptsCount: 1 }),
    ],
    users: [userTl(self, self.id), ...(t.user && t.user.id !== self.id ? [userTl(t.user, self.id)] : [])],
    chats: t.chat ? [chatTl(t.chat, self.id)] : [],
    date,
    seq: 0,
  });
}

export function captionLimit(u: UserRecord): number {
  return u.premium ? 2048 : 1024;
}

on(Api.messages.UploadMedia, (ctx, req) => {
  const self = ctx.user();
  targetFor(ctx, self, req.peer);
  return mediaTl(ctx, documentFor(ctx, self, req.media));
});

on(Api.messages.SendMedia, (ctx, req) => {
  const self = ctx.user();
  const t = targetFor(ctx, self, req.peer);
  checkCanPost(t, self);
  if ([...req.message].length > captionLimit(self)) throw new RpcFailure(400, 'MEDIA_CAPTION_TOO_LONG');
  return post(ctx, self, t, req, documentFor(ctx, self, req.media));
});

on(Api.messages.SendMessage, (ctx, req) => {
  const self = ctx.user();
  const t = targetFor(ctx, self, req.peer);
  checkCanPost(t, self);
  if (!req.message.trim()) throw new RpcFailure(400, 'MESSAGE_EMPTY');
  if ([...req.message].length > 4096) throw new RpcFailure(400, 'MESSAGE_TOO_LONG');
  return post(ctx, self, t, req);
});
