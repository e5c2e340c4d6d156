/**
 * Turning an uploaded file into a stored video document, posting it (or a text) to one
 * destination, and finding a post of ours again after a send whose answer was lost.
 */
import { readFile } from 'node:fs/promises';
import { Api } from 'telegram';
import { HTMLParser } from 'telegram/extensions/html';
import { EngineError } from '../../util/errors';
import { createLogger } from '../../util/log';
import { missingPart, rpcInfo, toEngineError } from '../rpcErrors';
import { uploadFile, type PartTransport } from '../uploader';
import type { Destination, ExistingPostQuery, PeerEntry, PostResult, StoredDocument, UploadedFile, VideoMeta } from '../types';
import { randomId64 } from '../../util/ids';
import { big } from './common';
import { inputChannel, inputPeer, messageLink, resolve, withPeer, type Rpc } from './peers';

const log = createLogger('telegram');

/** How many messages after the last recorded one are looked at for a lost post. */
const FIND_WINDOW = 100;

function inputFile(file: UploadedFile): Api.TypeInputFile {
  return file.big
    ? new Api.InputFileBig({ id: big(file.fileId), parts: file.totalParts, name: file.name })
    : new Api.InputFile({ id: big(file.fileId), parts: file.totalParts, name: file.name, md5Checksum: '' });
}

/** The file name Telegram shows for a part (`.mp4` appended when missing). */
function videoFileName(name: string): string {
  return /\.mp4$/i.test(name) ? name : `${name}.mp4`;
}

/**
 * Turns an uploaded part into a stored, streamable video document (uploaded once, then sent to
 * every destination). The thumbnail is uploaded here too, over `thumbTransport`.
 */
export async function uploadMedia(rpc: Rpc, thumbTransport: () => PartTransport, file: UploadedFile, meta: VideoMeta, signal?: AbortSignal): Promise<StoredDocument> {
  const fileName = videoFileName(meta.fileName);
  let thumb: Api.TypeInputFile | undefined;
  if (meta.thumbPath) {
    const size = (await readFile(meta.thumbPath).catch(() => Buffer.alloc(0))).length;
    if (size > 0 && size <= 200 * 1024) {
      thumb = inputFile(await uploadFile(thumbTransport(), { path: meta.thumbPath, name: 'thumb.jpg', inFlight: 1, signal }));
    } else log.warn(`thumbnail ${meta.thumbPath} skipped (missing or over 200 KB)`);
  }
  const media = new Api.InputMediaUploadedDocument({
    file: inputFile({ ...file, name: fileName }),
    thumb,
    mimeType: 'video/mp4',
    attributes: [
      new Api.DocumentAttributeVideo({ duration: Math.max(0, Math.round(meta.durationSec)), w: meta.width, h: meta.height, supportsStreaming: true }),
      new Api.DocumentAttributeFilename({ fileName }),
    ],
  });
  let result: Api.TypeMessageMedia;
  try {
    result = await rpc.client.invoke(new Api.messages.UploadMedia({ peer: new Api.InputPeerSelf(), media }));
  } catch (err) {
    const part = missingPart(err);
    if (part !== undefined) {
      // Telegram forgot (or never got) the parts: the caller must upload again from scratch.
      throw new EngineError('transient', 'UPLOAD_EXPIRED', `Telegram no longer has part ${part} of ${file.name}; uploading again`, { cause: err });
    }
    throw toEngineError(err, 'media upload');
  }
  if (!(result instanceof Api.MessageMediaDocument) || !(result.document instanceof Api.Document)) {
    throw new EngineError('transient', 'MEDIA_EMPTY', `Telegram returned no document for ${file.name}`);
  }
  const d = result.document;
  return { id: d.id.toString(), accessHash: d.accessHash.toString(), fileReference: Buffer.from(d.fileReference).toString('base64') };
}

function replyTo(dest: Destination): Api.InputReplyToMessage | undefined {
  return dest.topicId ? new Api.InputReplyToMessage({ replyToMsgId: dest.topicId, topMsgId: dest.topicId }) : undefined;
}

/**
 * Posts a stored document to ONE destination (the caller records the message id before the
 * next). `randomId` (decimal) makes a retried send idempotent on Telegram's side, for as long as
 * Telegram remembers it.
 */
export async function post(rpc: Rpc, doc: StoredDocument, dest: Destination, captionHtml: string, options: { randomId?: string } = {}): Promise<PostResult> {
  const [message, entities] = HTMLParser.parse(captionHtml);
  const media = new Api.InputMediaDocument({
    id: new Api.InputDocument({ id: big(doc.id), accessHash: big(doc.accessHash), fileReference: Buffer.from(doc.fileReference, 'base64') }),
  });
  const randomId = big(options.randomId ?? randomId64());
  return withPeer(rpc, dest.chat, async (entry) => {
    let updates: Api.TypeUpdates;
    try {
      updates = await rpc.client.invoke(new Api.messages.SendMedia({ peer: inputPeer(entry), media, message, entities, randomId, replyTo: replyTo(dest) }));
    } catch (err) {
      const info = rpcInfo(err);
      if (info?.message === 'FILE_REFERENCE_EXPIRED' || info?.message === 'MEDIA_EMPTY') {
        throw new EngineError('transient', 'FILE_REFERENCE_EXPIRED', 'The uploaded document is no longer usable; it has to be uploaded again', { cause: err });
      }
      throw toEngineError(err, `post to ${dest.chat}`, dest.chat);
    }
    const messageId = sentMessageId(updates);
    if (messageId === undefined) throw new EngineError('transient', 'POST_NO_ID', `Telegram accepted the post to ${dest.chat} but returned no message id`);
    return { messageId, link: messageLink(entry, messageId, dest.topicId) };
  });
}

/** Sends a text message (alerts). */
export async function sendText(rpc: Rpc, dest: Destination, html: string): Promise<PostResult> {
  const [message, entities] = HTMLParser.parse(html);
  const randomId = big(randomId64());
  return withPeer(rpc, dest.chat, async (entry) => {
    const updates = await rpc.call(
      new Api.messages.SendMessage({ peer: inputPeer(entry), message, entities, randomId, noWebpage: true, replyTo: replyTo(dest) }),
      `message to ${dest.chat}`,
      dest.chat,
    );
    const messageId = sentMessageId(updates) ?? 0;
    return { messageId, link: messageLink(entry, messageId, dest.topicId) };
  });
}

/** The new message's id in what SendMedia/SendMessage returned. */
export function sentMessageId(updates: Api.TypeUpdates): number | undefined {
  if (updates instanceof Api.UpdateShortSentMessage) return updates.id;
  if (updates instanceof Api.Updates || updates instanceof Api.UpdatesCombined) {
    for (const u of updates.updates) {
      if ((u instanceof Api.UpdateNewChannelMessage || u instanceof Api.UpdateNewMessage) && 'id' in u.message) return u.message.id;
    }
    for (const u of updates.updates) if (u instanceof Api.UpdateMessageID) return u.id;
  }
  return undefined;
}

/** True when `m` is our video post: same file name and size, same caption text, same topic. */
function isOurPost(m: Api.TypeMessage, want: { fileName: string; bytes: number; text: string; topicId?: number }): m is Api.Message {
  if (!(m instanceof Api.Message) || !(m.media instanceof Api.MessageMediaDocument) || !(m.media.document instanceof Api.Document)) return false;
  const doc = m.media.document;
  const name = doc.attributes.find((a): a is Api.DocumentAttributeFilename => a instanceof Api.DocumentAttributeFilename)?.fileName;
  if (name !== want.fileName || Number(doc.size.toString()) !== want.bytes || m.message !== want.text) return false;
  if (!want.topicId) return true;
  const reply = m.replyTo instanceof Api.MessageReplyHeader ? m.replyTo : undefined;
  return reply?.replyToTopId === want.topicId || reply?.replyToMsgId === want.topicId;
}

/**
 * Looks in `dest` for a post of ours made after `afterMessageId` (see ExistingPostQuery), so a
 * part whose send outcome is unknown is adopted instead of posted twice. Users read the history
 * (messages.getHistory, "Only users can use this method"); bots cannot, so they fetch the ids
 * after the last recorded one with channels.getMessages (channel message ids are sequential).
 * Returns undefined when no such post is there. Throws EngineError('permanent',
 * 'FIND_UNSUPPORTED') where the account cannot look (a bot in a basic group or private chat, or a
 * bot with no message id recorded in that chat yet): the caller decides whether to send anyway.
 */
export async function findExistingPost(rpc: Rpc, dest: Destination, query: ExistingPostQuery): Promise<PostResult | undefined> {
  const entry = await resolve(rpc, dest.chat);
  const want = { fileName: videoFileName(query.fileName), bytes: query.bytes, text: HTMLParser.parse(query.caption)[0], topicId: dest.topicId };
  const after = query.afterMessageId ?? 0;
  const messages = (await rpc.account()).bot ? await botWindow(rpc, entry, dest.chat, query.afterMessageId) : await userWindow(rpc, entry, dest.chat, after);
  const found = messages.filter((m) => m.id > after && isOurPost(m, want)).sort((a, b) => a.id - b.id)[0];
  return found ? { messageId: found.id, link: messageLink(entry, found.id, dest.topicId) } : undefined;
}

async function userWindow(rpc: Rpc, entry: PeerEntry, chat: string, after: number): Promise<Api.TypeMessage[]> {
  const res = await rpc.call(
    new Api.messages.GetHistory({ peer: inputPeer(entry), offsetId: 0, offsetDate: 0, addOffset: 0, limit: FIND_WINDOW, maxId: 0, minId: after, hash: big(0) }),
    `history of ${chat}`,
    chat,
  );
  return res instanceof Api.messages.MessagesNotModified ? [] : res.messages;
}

async function botWindow(rpc: Rpc, entry: PeerEntry, chat: string, after: number | undefined): Promise<Api.TypeMessage[]> {
  if (entry.kind !== 'channel' || after === undefined) {
    throw new EngineError('permanent', 'FIND_UNSUPPORTED', `Telegram: a bot cannot read ${chat}'s history to check for an earlier post`);
  }
  const id = Array.from({ length: FIND_WINDOW }, (_, i) => new Api.InputMessageID({ id: after + 1 + i }));
  const res = await rpc.call(new Api.channels.GetMessages({ channel: inputChannel(entry), id }), `messages of ${chat}`, chat);
  return res instanceof Api.messages.MessagesNotModified ? [] : res.messages;
}
