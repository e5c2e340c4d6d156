/**
 * The Telegram module's own types. Nothing here depends on GramJS: the rest of the product talks
 * to these, and only ./gramjs translates them to and from the `telegram` package.
 */

/** Telegram's own upload limits. */
export const PART_SIZE = 512 * 1024;
export const MAX_PARTS = 4000;
export const MAX_PARTS_PREMIUM = 8000;
/** Files above this go through upload.saveBigFilePart. */
export const BIG_FILE_THRESHOLD = 10 * 1024 * 1024;

/** A test server ("Telegram server (testing)" setting), or Telegram's own test DCs. */
export interface TestServer {
  host: string;
  port: number;
  /** PEM of the server's RSA public key (PKCS#1 or SPKI). */
  publicKeyPem: string;
  dcId: number;
}

export interface ConnectOptions {
  apiId: number;
  apiHash: string;
  /** Stored session string ('' for none). */
  session?: string;
  /** Called with the new session string whenever it changes ('' after logout). Store it encrypted. */
  onSession?: (session: string) => void | Promise<void>;
  testServer?: TestServer;
  /** Seconds; GramJS's own per-request connection timeout. */
  timeoutSec?: number;
}

/** A chat the pipeline may send to, with what is needed to address it after a restart. */
export interface PeerEntry {
  /** Bot-API style id: `-100…` channel/supergroup, `-…` basic group, positive user. */
  id: string;
  kind: 'channel' | 'chat' | 'user';
  /** Decimal string; '0' for basic groups. */
  accessHash: string;
  username?: string;
  title?: string;
}

/**
 * Backed by SQLite in the pipeline, by a Map in tests. One entry per real peer id: a username is
 * a field of it, never a key of its own (an `@name` key once came back as a broken id).
 */
export interface PeerCache {
  /** By Bot-API style id (`-100…`, `-…`, user id). */
  get(id: string): PeerEntry | undefined;
  /** By username, without `@`, any case. */
  byUsername(username: string): PeerEntry | undefined;
  put(entry: PeerEntry): void;
  /** Drops an entry Telegram no longer accepts (its hash is looked up again). */
  forget(id: string): void;
}

export function memoryPeerCache(): PeerCache & { entries: Map<string, PeerEntry> } {
  const entries = new Map<string, PeerEntry>();
  return {
    entries,
    get: (id) => entries.get(id),
    byUsername: (username) => [...entries.values()].find((e) => e.username?.toLowerCase() === username.toLowerCase()),
    put: (entry) => void entries.set(entry.id, entry),
    forget: (id) => void entries.delete(id),
  };
}

/** Whether the account can post in a destination (checked when settings are saved). */
export interface PostCheck {
  /** The destination as given (`-100…`, `@name`, `me`). */
  chat: string;
  canPost: boolean;
  /** The chat's title when it could be resolved. */
  title?: string;
  /** Why not, and what to do (when canPost is false). */
  reason?: string;
}

/** What identifies one of our posts in a chat, to find it after a send whose answer was lost. */
export interface ExistingPostQuery {
  /** The document's file name as given to uploadMedia (`.mp4` is appended when missing). */
  fileName: string;
  /** The document's size in bytes. */
  bytes: number;
  /** The caption HTML as given to post. */
  caption: string;
  /** The last message id recorded in that chat before the send (channel ids are sequential). */
  afterMessageId?: number;
}

/** One place to post: a chat id (`-100…`, `-…`, `@username`, `me`) and, for forums, a topic. */
export interface Destination {
  chat: string;
  topicId?: number;
}

/**
 * What `upload` records after every acknowledged part, so a restart sends only missing parts.
 * Its size does not grow with the parts acknowledged (written after each of up to 8000 parts).
 */
export interface UploadResume {
  /** Random 64-bit file id, decimal string. */
  fileId: string;
  partSize: number;
  totalParts: number;
  /** Acknowledged parts as a bitmap, base64: part p is bit (p & 7) of byte p >> 3. */
  ackedBits?: string;
  /** Acknowledged parts as a list: records stored by earlier versions (still read, no longer written). */
  acked?: number[];
  /** ISO time the upload began; Telegram forgets parts within a day. */
  startedAt: string;
  /** File size when the upload began (a changed file cannot be resumed). */
  size: number;
}

/** An uploaded (not yet sent) file: valid once, for about a day. */
export interface UploadedFile {
  fileId: string;
  totalParts: number;
  name: string;
  size: number;
  big: boolean;
  /** True when some parts were already on Telegram's side from an earlier run. */
  resumed: boolean;
}

export interface UploadProgress {
  /** 0..1 */
  fraction: number;
  bytesSent: number;
  totalBytes: number;
  partsAcked: number;
  totalParts: number;
  /** Bytes per second over this run. */
  speedBps: number;
}

export interface UploadOptions {
  path: string;
  /** File name Telegram shows; default the path's base name. */
  name?: string;
  resume?: UploadResume;
  /** Parts in flight (setting), default 8. */
  inFlight?: number;
  /** Connections to the home DC the parts are spread over, default min(4, inFlight). */
  connections?: number;
  /** Per-part timeout, default 60 s. */
  partTimeoutMs?: number;
  /** Attempts per part (timeouts and transient errors), default 5. */
  partAttempts?: number;
  /** A FLOOD_WAIT longer than this stops the upload with a transient error; default 120 s. */
  floodWaitCapSec?: number;
  premium?: boolean;
  signal?: AbortSignal;
  /** After each acknowledged part (0-based `part`), with every part acknowledged so far in `state.ackedBits`. */
  onPartAcked?: (state: UploadResume, part: number) => void | Promise<void>;
  onProgress?: (progress: UploadProgress) => void;
  onFloodWait?: (seconds: number) => void;
}

/** A document Telegram stores: reusable for any number of sends; storable as plain data. */
export interface StoredDocument {
  id: string;
  accessHash: string;
  /** base64 */
  fileReference: string;
}

export interface VideoMeta {
  durationSec: number;
  width: number;
  height: number;
  /** Shown name; `.mp4` is appended if missing. */
  fileName: string;
  /** JPEG, <= 320 px per side. */
  thumbPath?: string;
}

export interface PostResult {
  messageId: number;
  link?: string;
}
