/**
 * Edits a posted part's caption (`messages.editMessage`, core.telegram.org/method/messages.editMessage):
 * for a media message `message` is the new caption. Edits are idempotent by nature, which is what
 * keeps them exactly-once across crashes: editing to the text already there answers
 * MESSAGE_NOT_MODIFIED, counted as done, so an edit repeated after a kill changes nothing.
 * Refusals that no retry can fix (the message was deleted, the account may not edit it, the
 * caption is too long) come back as `refused` for the caller to record; the index message then
 * carries the final numbering. Flood waits, network trouble and a lost login throw as usual.
 */
import { Api, type TelegramClient } from 'telegram';
import { HTMLParser } from 'telegram/extensions/html';
import { rpcInfo, toEngineError } from '../rpcErrors';

export type EditOutcome = { kind: 'edited' } | { kind: 'unchanged' } | { kind: 'refused'; reason: string };

/** Errors of messages.editMessage that mean "this edit will never succeed" (method page). */
export const EDIT_REFUSALS = new Set([
  'MESSAGE_ID_INVALID',
  'MESSAGE_EDIT_TIME_EXPIRED',
  'MESSAGE_AUTHOR_REQUIRED',
  'CHAT_WRITE_FORBIDDEN',
  'CHAT_ADMIN_REQUIRED',
  'MEDIA_CAPTION_TOO_LONG',
  'MESSAGE_TOO_LONG',
  'PEER_ID_INVALID',
  'CHANNEL_PRIVATE',
  'CHANNEL_INVALID',
]);

/** Sets the caption (Telegram HTML, as captions are rendered) of message `messageId` in `peer`. */
export async function editCaption(client: TelegramClient, peer: Api.TypeInputPeer, messageId: number, captionHtml: string): Promise<EditOutcome> {
  const [message, entities] = HTMLParser.parse(captionHtml);
  try {
    await client.invoke(new Api.messages.EditMessage({ peer, id: messageId, message, entities }));
    return { kind: 'edited' };
  } catch (err) {
    const name = rpcInfo(err)?.message;
    if (name === 'MESSAGE_NOT_MODIFIED') return { kind: 'unchanged' };
    if (name && EDIT_REFUSALS.has(name)) return { kind: 'refused', reason: name };
    throw toEngineError(err, `caption edit of message ${messageId}`);
  }
}
