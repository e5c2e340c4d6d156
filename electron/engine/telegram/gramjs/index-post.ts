/**
 * Posting a VOD's index (the messages of telegram/index-message.ts) exactly once, and pinning it.
 * - `messages.sendMessage` with a random id the caller stored before the call: Telegram refuses a
 *   repeated random id (RANDOM_ID_DUPLICATE, core.telegram.org/method/messages.sendMessage), so a
 *   send repeated after a crash posts nothing twice; its message id is then unknown (null).
 * - `messages.updatePinnedMessage` (core.telegram.org/method/messages.updatePinnedMessage):
 *   CHAT_NOT_MODIFIED (already pinned) counts as done; CHAT_ADMIN_REQUIRED / PIN_RESTRICTED /
 *   CHAT_WRITE_FORBIDDEN / MESSAGE_ID_INVALID are refusals the caller records (pinning is optional).
 */
import { Api, helpers, type TelegramClient } from 'telegram';
import { HTMLParser } from 'telegram/extensions/html';
import { rpcInfo, toEngineError } from '../rpcErrors';
import { sentMessageId } from './posting';

export interface IndexSendResult {
  /** Null when Telegram had this random id already (sent before a crash). */
  messageId: number | null;
}

/** Sends one index message with its stored random id (decimal string). */
export async function sendIndexMessage(client: TelegramClient, peer: Api.TypeInputPeer, html: string, randomId: string, topicId?: number): Promise<IndexSendResult> {
  const [message, entities] = HTMLParser.parse(html);
  try {
    const updates = await client.invoke(
      new Api.messages.SendMessage({
        peer,
        message,
        entities,
        randomId: helpers.returnBigInt(randomId),
        noWebpage: true,
        replyTo: topicId ? new Api.InputReplyToMessage({ replyToMsgId: topicId, topMsgId: topicId }) : undefined,
      }),
    );
    return { messageId: sentMessageId(updates) ?? null };
  } catch (err) {
    if (rpcInfo(err)?.message === 'RANDOM_ID_DUPLICATE') return { messageId: null };
    throw toEngineError(err, 'index message');
  }
}

export const PIN_REFUSALS = new Set(['CHAT_ADMIN_REQUIRED', 'PIN_RESTRICTED', 'CHAT_WRITE_FORBIDDEN', 'MESSAGE_ID_INVALID', 'USER_BANNED_IN_CHANNEL']);

/** Pins a message without notifying members; `refused` when the account may not. */
export async function pinMessage(client: TelegramClient, peer: Api.TypeInputPeer, messageId: number): Promise<{ kind: 'pinned' } | { kind: 'refused'; reason: string }> {
  try {
    await client.invoke(new Api.messages.UpdatePinnedMessage({ peer, id: messageId, silent: true }));
    return { kind: 'pinned' };
  } catch (err) {
    const name = rpcInfo(err)?.message;
    if (name === 'CHAT_NOT_MODIFIED') return { kind: 'pinned' };
    if (name && PIN_REFUSALS.has(name)) return { kind: 'refused', reason: name };
    throw toEngineError(err, `pin of message ${messageId}`);
  }
}
