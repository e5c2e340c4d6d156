/** Records -> GramJS Api objects. */
import { createHash } from 'node:crypto';
import { Api } from 'telegram';
import { BinaryReader } from 'telegram/extensions';
import { roleOf } from './state';
import type { ChatRecord, DocumentRecord, StandInState, UserRecord } from './state';
import { big, nowSec } from './tl';

/**
 * The access hash `viewerId` sees for a resource: account-bound, so a hash one account got is
 * refused from another (Telethon v2 glossary, docs.telethon.dev/en/v2/concepts/glossary.html,
 * "access hash: Account-bound integer ... every account will see a different value for the same
 * resource"). Without a viewer, the resource's own value.
 */
export function accessHashFor(hash: string, viewerId?: number): string {
  if (viewerId === undefined) return hash;
  return createHash('sha256').update(`${hash}:${viewerId}`).digest().readBigInt64LE(0).toString();
}

export function userTl(u: UserRecord, selfId?: number): Api.User {
  return new Api.User({
    id: big(u.id),
    accessHash: big(accessHashFor(u.accessHash, selfId)),
    self: u.id === selfId,
    firstName: u.firstName,
    lastName: u.lastName,
    username: u.username,
    phone: u.phone?.replace(/^\+/, ''),
    bot: u.bot,
    botInfoVersion: u.bot ? 1 : undefined,
    premium: u.premium,
  });
}

export function isChannel(c: ChatRecord): boolean {
  return c.kind !== 'group';
}

/**
 * A chat as `viewerId` sees it: `creator`, `adminRights` and `bannedRights` are the viewer's own
 * (core.telegram.org/constructor/channel: "admin_rights: Admin rights of the user in this
 * channel", "banned_rights: Banned rights of the user in this channel").
 */
export function chatTl(c: ChatRecord, viewerId?: number): Api.Channel | Api.Chat {
  const participantsCount = c.members?.length ?? 1;
  const role = viewerId === undefined ? c.role : roleOf(c, viewerId);
  if (!isChannel(c)) {
    return new Api.Chat({
      id: big(c.id),
      title: c.title,
      photo: new Api.ChatPhotoEmpty(),
      participantsCount,
      date: c.date,
      version: 1,
      creator: role === 'creator',
    });
  }
  return new Api.Channel({
    id: big(c.id),
    accessHash: big(accessHashFor(c.accessHash, viewerId)),
    title: c.title,
    username: c.username,
    photo: new Api.ChatPhotoEmpty(),
    date: c.date,
    broadcast: c.kind === 'channel',
    megagroup: c.kind === 'supergroup' || c.kind === 'forum',
    forum: c.kind === 'forum',
    // A public channel resolved by someone outside it comes back with `left` set.
    left: viewerId !== undefined && c.members !== undefined && !c.members.includes(viewerId) ? true : undefined,
    creator: role === 'creator',
    adminRights:
      role === 'admin'
        ? new Api.ChatAdminRights({
            postMessages: true,
            editMessages: true,
            deleteMessages: true,
            inviteUsers: true,
            pinMessages: true,
            manageTopics: true,
            other: true,
          })
        : undefined,
    bannedRights: role === 'banned' ? new Api.ChatBannedRights({ sendMessages: true, sendMedia: true, untilDate: 0 }) : undefined,
    participantsCount,
  });
}

export function peerTl(c: ChatRecord): Api.PeerChannel | Api.PeerChat {
  return isChannel(c) ? new Api.PeerChannel({ channelId: big(c.id) }) : new Api.PeerChat({ chatId: big(c.id) });
}

/** The chat's id as a Bot API style marked id ("-100<id>" / "-<id>"), used as the message key. */
export function chatKeyOf(c: ChatRecord): string {
  return isChannel(c) ? `-100${c.id}` : `-${c.id}`;
}

export function documentTl(d: DocumentRecord, dcId: number): Api.Document {
  return new Api.Document({
    id: big(d.id),
    accessHash: big(d.accessHash),
    fileReference: Buffer.from(d.fileReferenceHex, 'hex'),
    date: d.date,
    mimeType: d.mimeType,
    size: big(d.size),
    dcId,
    attributes: d.attributes.map((a) => fromHex(String(a.tl)) as Api.TypeDocumentAttribute),
    thumbs: d.thumb ? [new Api.PhotoSize({ type: 'm', w: d.thumb.jpeg?.w ?? 320, h: d.thumb.jpeg?.h ?? 180, size: d.thumb.size })] : undefined,
  });
}

export function fromHex(hex: string): unknown {
  return new BinaryReader(Buffer.from(hex, 'hex')).tgReadObject();
}

/** A message as stored (its TL bytes are kept at posting time). */
export function messageTl(state: StandInState, chatKey: string, id: number): Api.Message | undefined {
  const m = state.data.messages[chatKey]?.find((x) => x.id === id);
  return m?.tl ? (fromHex(m.tl) as Api.Message) : undefined;
}

export function configTl(dcId: number, host: string, port: number, premium: boolean): Api.Config {
  // Every DC id points at the stand-in, so whichever DC a session names, GramJS finds us.
  const dcOptions = [1, 2, 3, 4, 5].map((id) => new Api.DcOption({ id, ipAddress: host, port }));
  const now = nowSec();
  return new Api.Config({
    date: now,
    expires: now + 3600,
    testMode: false,
    thisDc: dcId,
    dcOptions,
    dcTxtDomainName: 'standin.invalid',
    chatSizeMax: 200,
    megagroupSizeMax: 200000,
    forwardedCountMax: 100,
    onlineUpdatePeriodMs: 210000,
    offlineBlurTimeoutMs: 5000,
    offlineIdleTimeoutMs: 30000,
    onlineCloudTimeoutMs: 300000,
    notifyCloudDelayMs: 30000,
    notifyDefaultDelayMs: 1500,
    pushChatPeriodMs: 60000,
    pushChatLimit: 2,
    editTimeLimit: 172800,
    revokeTimeLimit: 172800,
    revokePmTimeLimit: 2147483647,
    ratingEDecay: 2419200,
    stickersRecentLimit: 200,
    channelsReadMediaPeriod: 604800,
    callReceiveTimeoutMs: 20000,
    callRingTimeoutMs: 90000,
    callConnectTimeoutMs: 30000,
    callPacketTimeoutMs: 10000,
    meUrlPrefix: 'https://t.me/',
    captionLengthMax: premium ? 2048 : 1024,
    messageLengthMax: 4096,
    webfileDcId: dcId,
  });
}
