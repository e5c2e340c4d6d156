/**
 * The stand-in's world: accounts, chats, auth keys, finished uploads, documents and posted
 * messages. Kept as one JSON document, written atomically after every change when a file is
 * given, so it outlives a killed client (and a restarted server).
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomLongString } from './tl';

export interface UserRecord {
  id: number;
  accessHash: string;
  firstName: string;
  lastName?: string;
  username?: string;
  /** Present for people; bots have `botToken` instead. */
  phone?: string;
  /** The login code auth.signIn accepts. */
  code?: string;
  /** Where sendCode says the code went. */
  codeType?: 'app' | 'sms';
  /** 2FA password (checked with SRP); absent = no 2FA. */
  password?: string;
  hint?: string;
  premium?: boolean;
  bot?: boolean;
  botToken?: string;
}

export type ChatKind = 'channel' | 'supergroup' | 'forum' | 'group';

/**
 * An account's standing in a chat. 'admin' holds the admin rights an account needs to post in a
 * broadcast channel (post_messages); 'member' of a broadcast channel can only read; 'banned' is
 * a member of a supergroup whose send rights were taken (messages.sendMedia answers
 * USER_BANNED_IN_CHANNEL, core.telegram.org/method/messages.sendMedia "Possible errors").
 */
export type ChatRole = 'creator' | 'admin' | 'member' | 'banned';

/** The role `userId` has in `chat`. */
export function roleOf(chat: ChatRecord, userId: number): ChatRole {
  return chat.roles?.[String(userId)] ?? chat.role;
}

export interface TopicRecord {
  id: number;
  title: string;
}

export interface ChatRecord {
  /** Bare id (channels are addressed as -100<id>, basic groups as -<id>). */
  id: number;
  kind: ChatKind;
  title: string;
  accessHash: string;
  username?: string;
  /** The accounts' role: a broadcast channel accepts posts from 'creator' and 'admin' only. */
  role: ChatRole;
  /** A role per account id (decimal), overriding `role` for that account. */
  roles?: Record<string, ChatRole>;
  /** User ids that see the chat in their dialogs; absent = every account. */
  members?: number[];
  topics?: TopicRecord[];
  date: number;
}

export interface AuthKeyRecord {
  keyId: string;
  keyHex: string;
  userId?: number;
  createdAt: number;
}

export interface UploadRecord {
  /** `${ownerUserId}:${fileId}` */
  key: string;
  fileId: string;
  ownerUserId: number;
  big: boolean;
  parts: number;
  size: number;
  sha256: string;
  /** JPEG dimensions when the upload is a small JPEG (thumbnails). */
  jpeg?: { w: number; h: number };
  completedAt: number;
}

export interface DocumentAttributeRecord {
  type: string;
  [field: string]: unknown;
}

export interface DocumentRecord {
  id: string;
  accessHash: string;
  fileReferenceHex: string;
  date: number;
  mimeType: string;
  size: number;
  sha256: string;
  uploadFileId: string;
  fileName?: string;
  attributes: DocumentAttributeRecord[];
  video?: { duration: number; w: number; h: number; supportsStreaming: boolean };
  thumb?: { size: number; sha256: string; jpeg?: { w: number; h: number } };
}

export interface EntityRecord {
  type: string;
  offset: number;
  length: number;
  [field: string]: unknown;
}

export interface MessageRecord {
  id: number;
  chatId: string;
  date: number;
  text: string;
  entities: EntityRecord[];
  randomId: string;
  topicId?: number;
  fromUserId: number;
  silent?: boolean;
  /** Set by messages.editMessage (unix seconds). */
  editDate?: number;
  /** Set by messages.updatePinnedMessage. */
  pinned?: boolean;
  /** The Api.Message as sent back to the client (hex TL bytes), for dialogs. */
  tl: string;
  media?: {
    documentId: string;
    uploadFileId: string;
    size: number;
    sha256: string;
    mimeType: string;
    fileName?: string;
    attributes: DocumentAttributeRecord[];
    video?: DocumentRecord['video'];
    thumb?: DocumentRecord['thumb'];
  };
}

export interface StandInStateData {
  version: 1;
  rsaPrivateKeyPem: string;
  nextId: number;
  pts: number;
  users: UserRecord[];
  chats: ChatRecord[];
  authKeys: AuthKeyRecord[];
  uploads: UploadRecord[];
  documents: DocumentRecord[];
  /** Posted messages per chat id ("-100<id>" for channels, "-<id>" for groups, "<id>" for users). */
  messages: Record<string, MessageRecord[]>;
}

/** Seed input: ids and access hashes are filled in when absent. */
export type UserSeed = Omit<UserRecord, 'id' | 'accessHash'> & Partial<Pick<UserRecord, 'id' | 'accessHash'>>;
export type ChatSeed = Omit<ChatRecord, 'id' | 'accessHash' | 'date' | 'role'> & Partial<Pick<ChatRecord, 'id' | 'accessHash' | 'date' | 'role'>>;

/** The default accounts and chats, used when neither a state file nor seeds are given. */
export function defaultSeed(): { users: UserSeed[]; chats: ChatSeed[] } {
  return {
    users: [
      { phone: '+15550000001', code: '12345', codeType: 'app', firstName: 'Alice', username: 'alice' },
      { phone: '+15550000002', code: '22222', codeType: 'sms', firstName: 'Bob', password: 'hunter2', hint: 'the usual' },
      { phone: '+15550000003', code: '33333', codeType: 'app', firstName: 'Carol', premium: true },
      { firstName: 'Backup Bot', username: 'vod_backup_bot', bot: true, botToken: '123456:STANDIN-BOT-TOKEN' },
    ],
    chats: [
      { kind: 'channel', title: 'VOD Archive', username: 'vod_archive' },
      { kind: 'supergroup', title: 'VOD Chat' },
      {
        kind: 'forum',
        title: 'VOD Forum',
        topics: [
          { id: 2, title: 'Streams' },
          { id: 3, title: 'Clips' },
        ],
      },
      { kind: 'group', title: 'Old Group' },
      { kind: 'channel', title: 'Read Only News', role: 'member' },
    ],
  };
}

export class StandInState {
  private constructor(
    readonly data: StandInStateData,
    private readonly file: string | undefined,
  ) {}

  /** Loads `file` when it exists; otherwise starts from the seeds (written to `file` when given). */
  static open(opts: { file?: string; users?: UserSeed[]; chats?: ChatSeed[]; newPrivateKeyPem: () => string }): StandInState {
    if (opts.file && existsSync(opts.file)) {
      let data: StandInStateData;
      try {
        data = JSON.parse(readFileSync(opts.file, 'utf8')) as StandInStateData;
      } catch (cause) {
        throw new Error(`Telegram stand-in: state file ${opts.file} is not valid JSON`, { cause });
      }
      if (data.version !== 1 || !Array.isArray(data.users) || typeof data.rsaPrivateKeyPem !== 'string') {
        throw new Error(`Telegram stand-in: state file ${opts.file} has an unknown format`);
      }
      return new StandInState(data, opts.file);
    }
    const seed = opts.users || opts.chats ? { users: opts.users ?? [], chats: opts.chats ?? [] } : defaultSeed();
    const state = new StandInState(
      {
        version: 1,
        rsaPrivateKeyPem: opts.newPrivateKeyPem(),
        nextId: 1000,
        pts: 1,
        users: [],
        chats: [],
        authKeys: [],
        uploads: [],
        documents: [],
        messages: {},
      },
      opts.file,
    );
    for (const u of seed.users) state.addUser(u);
    for (const c of seed.chats) state.addChat(c);
    state.save();
    return state;
  }

  newId(): number {
    return ++this.data.nextId;
  }

  addUser(seed: UserSeed): UserRecord {
    if (!seed.bot && !seed.phone) throw new Error('Telegram stand-in: a user seed needs a phone (or bot: true)');
    if (seed.bot && !seed.botToken) throw new Error(`Telegram stand-in: bot ${seed.firstName} needs a botToken`);
    const user: UserRecord = { ...seed, id: seed.id ?? 7_000_000 + this.newId(), accessHash: seed.accessHash ?? randomLongString() };
    this.data.users.push(user);
    this.save();
    return user;
  }

  addChat(seed: ChatSeed): ChatRecord {
    const chat: ChatRecord = {
      ...seed,
      id: seed.id ?? 1_500_000_000 + this.newId(),
      accessHash: seed.accessHash ?? randomLongString(),
      date: seed.date ?? Math.floor(Date.now() / 1000),
      role: seed.role ?? 'creator',
    };
    if (chat.kind === 'forum' && !chat.topics) chat.topics = [{ id: 1, title: 'General' }];
    this.data.chats.push(chat);
    this.save();
    return chat;
  }

  userById(id: number): UserRecord | undefined {
    return this.data.users.find((u) => u.id === id);
  }

  userByPhone(phone: string): UserRecord | undefined {
    const norm = normalizePhone(phone);
    return this.data.users.find((u) => u.phone !== undefined && normalizePhone(u.phone) === norm);
  }

  authKey(keyId: string): AuthKeyRecord | undefined {
    return this.data.authKeys.find((k) => k.keyId === keyId);
  }

  /** Writes the whole document atomically (temp file + rename). No-op without a file. */
  save(): void {
    if (!this.file) return;
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.data, null, 1));
    renameSync(tmp, this.file);
  }
}

export function normalizePhone(phone: string): string {
  return phone.replace(/[^0-9]/g, '');
}
