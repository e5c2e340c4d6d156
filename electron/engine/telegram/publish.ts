import { EngineError, classify } from '../util/errors';
import { bounded } from '../util/deadline';
import { createLogger } from '../util/log';
import { sleep } from '../util/sleep';
import { editPostCaption, pinIndexMessage, postIndexMessage, type TelegramConnection } from './gramjs';
import type { StoredDocument, UploadProgress, UploadResume } from './types';

/**
 * The one place that knows Telegram's error codes and what each means for a part being published
 * (sources: core.telegram.org/api/files "Uploading files" and the method pages
 * core.telegram.org/method/messages.uploadMedia, /messages.sendMedia):
 * - UPLOAD_EXPIRED (the connection's name for FILE_PART_X_MISSING on uploadMedia): Telegram forgot
 *   the parts of an interrupted upload. The saved resume state is cleared and the file is uploaded
 *   again from zero, once per call.
 * - FILE_REFERENCE_EXPIRED / MEDIA_EMPTY on sendMedia: the stored document can no longer be sent;
 *   it is uploaded again and the same post (same random id) is sent with the new one.
 * - RANDOM_ID_DUPLICATE: a message with this random id was already delivered by an earlier attempt,
 *   so the part is posted (its message id is not known).
 * - FLOOD_WAIT: waits up to FLOOD_WAIT_CAP_SEC and tries again; longer waits go back to the
 *   scheduler with retryAfterSec.
 * - CHAT_WRITE_FORBIDDEN, CHANNEL_PRIVATE, USER_BANNED_IN_CHANNEL, CHAT_ADMIN_REQUIRED: this account
 *   cannot post there. Permanent, for that destination only, with what to do.
 */

const log = createLogger('telegram.publish');

export const FLOOD_WAIT_CAP_SEC = 60;

const WRITE_FORBIDDEN: Record<string, string> = {
  CHAT_WRITE_FORBIDDEN: 'this account may not write there',
  CHANNEL_PRIVATE: 'the chat is private and this account is not (or no longer) a member',
  USER_BANNED_IN_CHANNEL: 'this account is banned from sending messages there',
  CHAT_ADMIN_REQUIRED: 'posting there needs admin rights',
};

/** What the publisher stores about one part between attempts (the part's row in the store). */
export interface PartRecordKeeper {
  document(): StoredDocument | undefined;
  resume(): UploadResume | undefined;
  saveResume(state: UploadResume | null): void;
  saveDocument(doc: StoredDocument | null): void;
}

export interface PublishablePart {
  path: string;
  /** The file's size (a lost post is recognised by file name, size and caption). */
  bytes: number;
  /** The file name shown in Telegram. */
  fileName: string;
  durationSec: number;
  width: number;
  height: number;
  thumbPath?: string;
}

export interface PublishOptions {
  premium: boolean;
  /** Upload parts in flight (settings.telegram.uploadConcurrency, read at each upload). */
  inFlight: () => number;
  signal: AbortSignal;
}

export interface PostTarget {
  chat: string;
  topicId?: number;
  /** The destination's name, for messages. */
  name: string;
}

export class TelegramPublisher {
  constructor(
    private readonly connection: () => Promise<TelegramConnection>,
    private readonly options: PublishOptions,
  ) {}

  /** The part's document: stored, or uploaded now (resuming acknowledged chunks when Telegram still has them). */
  async document(part: PublishablePart, keeper: PartRecordKeeper, onProgress?: (p: UploadProgress) => void): Promise<StoredDocument> {
    const stored = keeper.document();
    if (stored) return stored;
    const conn = await this.connection();
    const resume = keeper.resume();
    try {
      return await this.upload(conn, part, keeper, resume, onProgress);
    } catch (error) {
      if (classify(error).code !== 'UPLOAD_EXPIRED') throw error;
      log.info(`${part.fileName}: Telegram no longer has the parts uploaded earlier; uploading again from the start`);
      keeper.saveResume(null);
      return this.upload(conn, part, keeper, undefined, onProgress);
    }
  }

  private async upload(
    conn: TelegramConnection,
    part: PublishablePart,
    keeper: PartRecordKeeper,
    resume: UploadResume | undefined,
    onProgress?: (p: UploadProgress) => void,
  ): Promise<StoredDocument> {
    const { signal } = this.options;
    const file = await this.withFloodWait(`upload of ${part.fileName}`, () =>
      conn.upload({
        path: part.path,
        name: part.fileName,
        resume,
        inFlight: this.options.inFlight(),
        premium: this.options.premium,
        signal,
        onPartAcked: (state) => keeper.saveResume(state),
        onProgress,
        onFloodWait: (seconds) => log.warn(`Telegram asked to wait ${seconds} s during the upload of ${part.fileName}`),
      }),
    );
    const meta = { durationSec: part.durationSec, width: part.width, height: part.height, fileName: part.fileName, thumbPath: part.thumbPath };
    const doc = await this.withFloodWait(`media of ${part.fileName}`, () => conn.uploadMedia(file, meta, signal));
    keeper.saveDocument(doc);
    return doc;
  }

  /**
   * Posts the part to one chat. `randomId` is recorded by the caller before this call: a repeat of
   * the same post is dropped by Telegram (RANDOM_ID_DUPLICATE) while Telegram remembers the id.
   * That memory is bounded, so when an earlier send's outcome is unknown (`lost`), the chat is
   * searched first and a post found there is adopted instead of sent again.
   */
  async post(
    part: PublishablePart,
    keeper: PartRecordKeeper,
    target: PostTarget,
    caption: string,
    randomId: string,
    lost?: { afterMessageId?: number },
  ): Promise<{ messageId: number | null; link: string | null }> {
    const conn = await this.connection();
    if (lost) {
      const found = await this.findLost(conn, part, target, caption, lost.afterMessageId);
      if (found) return found;
    }
    const send = async () => {
      const doc = await this.document(part, keeper);
      const sent = await this.withFloodWait(`post to ${target.name}`, () =>
        conn.post(doc, { chat: target.chat, topicId: target.topicId }, caption, { randomId, signal: this.options.signal }),
      );
      return { messageId: sent.messageId, link: sent.link ?? null };
    };
    try {
      return await send();
    } catch (error) {
      const code = classify(error).code;
      if (code === 'RANDOM_ID_DUPLICATE') return { messageId: null, link: null };
      if (code === 'FILE_REFERENCE_EXPIRED' || code === 'MEDIA_EMPTY') {
        keeper.saveDocument(null);
        keeper.saveResume(null);
        return send().catch((again: unknown) => {
          if (classify(again).code === 'RANDOM_ID_DUPLICATE') return { messageId: null, link: null };
          throw this.explain(again, target);
        });
      }
      throw this.explain(error, target);
    }
  }

  /**
   * The earlier post of this part in `target`, when Telegram has it: undefined when it is not
   * there, or when this account cannot look (FIND_UNSUPPORTED: then the same random id is sent,
   * which is all that is left). Any other error is thrown: the part is tried again later.
   */
  private async findLost(conn: TelegramConnection, part: PublishablePart, target: PostTarget, caption: string, afterMessageId?: number) {
    const query = { fileName: part.fileName, bytes: part.bytes, caption, afterMessageId };
    try {
      const found = await this.withFloodWait(`search of ${target.name}`, () => conn.findExistingPost({ chat: target.chat, topicId: target.topicId }, query));
      if (!found) return undefined;
      log.info(`${part.fileName}: already posted in ${target.name} (message ${found.messageId}) by an earlier attempt whose reply was lost; adopted`);
      return { messageId: found.messageId, link: found.link ?? null };
    } catch (error) {
      if (classify(error).code !== 'FIND_UNSUPPORTED') throw this.explain(error, target);
      log.info(`${part.fileName}: cannot look for an earlier post in ${target.name}; sending with the same random id`);
      return undefined;
    }
  }

  /** Sends a text message (the scheduler's alerts), with the same waits as a post. */
  async sendText(target: Omit<PostTarget, 'name'>, html: string): Promise<void> {
    const conn = await this.connection();
    await this.withFloodWait(`alert to ${target.chat}`, () => conn.sendText({ chat: target.chat, topicId: target.topicId }, html));
  }

  /**
   * Edits a posted part's caption to `caption` (live posts, at the end): 'done' (edited, or it was
   * already that text: a repeat after a crash), or 'refused' with Telegram's reason (for good).
   */
  async editCaption(target: PostTarget, messageId: number, caption: string): Promise<{ kind: 'done' } | { kind: 'refused'; reason: string }> {
    const conn = await this.connection();
    const out = await this.withFloodWait(`caption edit in ${target.name}`, () => editPostCaption(conn, { chat: target.chat, topicId: target.topicId }, messageId, caption));
    return out.kind === 'refused' ? out : { kind: 'done' };
  }

  /** Sends one index message with its stored random id (a repeat posts nothing: RANDOM_ID_DUPLICATE). */
  async sendIndex(target: PostTarget, html: string, randomId: string): Promise<{ messageId: number | null; link: string | null }> {
    const conn = await this.connection();
    try {
      return await this.withFloodWait(`index message to ${target.name}`, () => postIndexMessage(conn, { chat: target.chat, topicId: target.topicId }, html, randomId));
    } catch (error) {
      throw this.explain(error, target);
    }
  }

  /**
   * The message id of a post whose send outcome was lost (sent, then a kill before its id was
   * recorded: a repeat answered RANDOM_ID_DUPLICATE), found in the chat's newest messages.
   */
  async findPost(
    target: PostTarget,
    part: PublishablePart,
    bytes: number,
    caption: string,
    afterMessageId?: number,
  ): Promise<{ messageId: number; link: string | null } | undefined> {
    const conn = await this.connection();
    const found = await conn.findExistingPost({ chat: target.chat, topicId: target.topicId }, { fileName: part.fileName, bytes, caption, afterMessageId });
    return found ? { messageId: found.messageId, link: found.link ?? null } : undefined;
  }

  /** Pins the index message; a refusal (no right to pin) is returned, pinning being optional. */
  async pin(target: PostTarget, messageId: number): Promise<{ kind: 'pinned' } | { kind: 'refused'; reason: string }> {
    const conn = await this.connection();
    return this.withFloodWait(`pin in ${target.name}`, () => pinIndexMessage(conn, { chat: target.chat, topicId: target.topicId }, messageId));
  }

  private async withFloodWait<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        // Cancel stops waiting at once, whatever the step (the deadlines themselves are per RPC).
        return await bounded(call(), { ms: Infinity, what, code: 'TELEGRAM_TIMEOUT', signal: this.options.signal });
      } catch (error) {
        const info = classify(error);
        const wait = info.code === 'FLOOD_WAIT' ? (info.retryAfterSec ?? 1) : undefined;
        if (wait === undefined || wait > FLOOD_WAIT_CAP_SEC || attempt >= 3) throw error;
        log.warn(`Telegram asked to wait ${wait} s (${what}); waiting`);
        await sleep(wait * 1000, this.options.signal);
      }
    }
  }

  private explain(error: unknown, target: PostTarget): unknown {
    const info = classify(error);
    const why = WRITE_FORBIDDEN[info.code];
    if (!why) return error;
    return new EngineError(
      'permanent',
      info.code,
      `This Telegram account cannot post in "${target.name}" (${target.chat}): ${why}. Add the account to that chat with the right to post messages (for a channel: as an admin with "Post messages"), or choose another chat under Settings > Destinations; then use Retry now.`,
      { cause: error },
    );
  }
}
