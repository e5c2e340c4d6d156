/**
 * Pure rules about Telegram destinations: what a chat reference names, and whether the account's
 * rights in a chat let it post a video there. No GramJS here (gramjs/peers.ts feeds these).
 */
import { EngineError } from '../util/errors';

export type ChatRef =
  | { kind: 'self' }
  | { kind: 'username'; username: string }
  /** `-100<id>`: a channel, supergroup or forum; `id` is the bare channel id. */
  | { kind: 'channel'; id: string }
  /** `-<id>`: a basic group. */
  | { kind: 'chat'; id: string }
  | { kind: 'user'; id: string };

/** Telegram usernames: 5-32 characters, a letter first, then letters, digits, underscores. */
const USERNAME = /^@([A-Za-z][A-Za-z0-9_]{3,31})$/;

/** Reads a destination as typed in settings: `-100…`, `-…`, `@name`, `t.me/name`, a user id or `me`. */
export function parseChatRef(chat: string): ChatRef {
  const ref = chat.trim().replace(/^(?:https?:\/\/)?t\.me\//i, '@');
  if (ref === 'me' || ref === 'self') return { kind: 'self' };
  const name = USERNAME.exec(ref);
  if (name) return { kind: 'username', username: name[1]!.toLowerCase() };
  if (/^-100\d{1,16}$/.test(ref)) return { kind: 'channel', id: ref.slice(4) };
  if (/^-\d{1,16}$/.test(ref)) return { kind: 'chat', id: ref.slice(1) };
  if (/^\d{1,20}$/.test(ref)) return { kind: 'user', id: ref };
  throw new EngineError('permanent', 'CHAT_ID_INVALID', `Telegram: "${chat}" is not a chat id (-100…), a group id (-…) or an @username`);
}

/** The account's standing in a channel/supergroup, as Telegram's Channel object tells it. */
export interface ChannelRights {
  broadcast: boolean;
  left: boolean;
  creator: boolean;
  /** Admin rights; undefined when not an admin. */
  admin?: { postMessages: boolean };
  /** The account's own restrictions. */
  banned?: { sendMessages: boolean; sendMedia: boolean };
  /** What every member may not do. */
  defaultBanned?: { sendMessages: boolean; sendMedia: boolean };
}

/**
 * Why the account cannot post a video here, or undefined when it can. Broadcast channels take posts
 * from the creator and admins with post_messages only (core.telegram.org/api/channel, "Channels");
 * in a supergroup, restrictions on sending messages or media stop a non-admin
 * (core.telegram.org/api/rights).
 */
export function cannotPostReason(r: ChannelRights): string | undefined {
  if (r.left) return 'this account is not a member: join the chat (a bot must be added to it)';
  if (r.creator) return undefined;
  if (r.broadcast) {
    return r.admin?.postMessages ? undefined : 'only admins with "Post messages" can post in this channel: make this account one';
  }
  if (r.admin) return undefined;
  if (r.banned?.sendMessages || r.banned?.sendMedia) return 'this account is restricted from sending media in this group: lift the restriction';
  if (r.defaultBanned?.sendMessages || r.defaultBanned?.sendMedia) return 'members may not send media in this group: allow it, or make this account an admin';
  return undefined;
}
