/**
 * The live-archiving calls on a chat reference (issue 15): a posted part's caption edited to its
 * final text, the VOD's index message sent with a stored random id, and pinned. The chat is
 * resolved as for posts (peers.ts `withPeer`); the calls themselves are in edit.ts and index-post.ts.
 */
import type { Destination } from '../types';
import { editCaption, type EditOutcome } from './edit';
import { pinMessage, sendIndexMessage } from './index-post';
import { inputPeer, messageLink, withPeer, type Rpc } from './peers';

export function editPostCaption(rpc: Rpc, dest: Destination, messageId: number, captionHtml: string): Promise<EditOutcome> {
  return withPeer(rpc, dest.chat, (entry) => editCaption(rpc.client, inputPeer(entry), messageId, captionHtml));
}

/** Sends one index message; the message id is null when Telegram had the random id already (a repeat after a crash). */
export function postIndexMessage(rpc: Rpc, dest: Destination, html: string, randomId: string): Promise<{ messageId: number | null; link: string | null }> {
  return withPeer(rpc, dest.chat, async (entry) => {
    const { messageId } = await sendIndexMessage(rpc.client, inputPeer(entry), html, randomId, dest.topicId);
    return { messageId, link: messageId === null ? null : (messageLink(entry, messageId, dest.topicId) ?? null) };
  });
}

export function pinIndexMessage(rpc: Rpc, dest: Destination, messageId: number): Promise<{ kind: 'pinned' } | { kind: 'refused'; reason: string }> {
  return withPeer(rpc, dest.chat, (entry) => pinMessage(rpc.client, inputPeer(entry), messageId));
}
