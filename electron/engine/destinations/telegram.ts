import { statSync } from 'node:fs';
import { destinationKey, type Destination } from '../../contract/settings';
import { chaptersForPart } from '../media/chapters';
import { storedChapters } from '../store/live';
import { logOperation } from '../store/operations';
import { getVod } from '../store/vods';
import { partsOf, updatePart, type PartRecord } from '../store/parts';
import { renderCaption, CAPTION_LIMIT, CAPTION_LIMIT_PREMIUM, type StoredDocument, type UploadResume } from '../telegram';
import { templateWhileTotalUnknown } from '../telegram/parts-unknown';
import type { PartRecordKeeper, PublishablePart, TelegramPublisher } from '../telegram/publish';
import { partName } from '../util/file-names';
import type { DeliveryJob, DeliveryTarget } from './index';

type Chat = Extract<Destination, { kind: 'telegram' }>;

/**
 * A Telegram chat (or forum topic). The part is uploaded once and its document stored on the part,
 * so every Telegram destination of the VOD posts the same upload.
 */
export function telegramTarget(dest: Chat, publisher: () => TelegramPublisher): DeliveryTarget {
  const target = { chat: dest.chatId, topicId: dest.topicId, name: dest.name };
  return {
    key: destinationKey(dest),
    name: dest.name,
    prepares: true,
    async prepare(part, job) {
      await publisher().document(publishable(job, part), keeper(job, part.idx), (p) => job.onUploadProgress(part.idx, p.fraction, p.speedBps));
    },
    async deliver(part, job, randomId, lost) {
      const text = caption(job, part);
      const sent = await publisher().post(publishable(job, part), keeper(job, part.idx), target, text, randomId, lost);
      return { ...sent, caption: text };
    },
    caption: (part, job) => caption(job, part),
    editCaption: (messageId, text) => publisher().editCaption(target, messageId, text),
    sendIndex: (html, randomId) => publisher().sendIndex(target, html, randomId),
    findPost: (part, job, text, after) => publisher().findPost(target, publishable(job, part), part.bytes ?? 0, text, after),
    pin: (messageId) => publisher().pin(target, messageId),
  };
}

function publishable(job: DeliveryJob, part: PartRecord): PublishablePart {
  const current = partsOf(job.db, job.vod.id).find((p) => p.idx === part.idx) ?? part;
  return {
    path: current.path as string,
    // The size Telegram shows for the document is the file's, as uploaded.
    bytes: statSync(current.path as string, { throwIfNoEntry: false })?.size ?? current.bytes ?? 0,
    fileName: `${job.vod.id}-${partName(part.idx)}.mp4`,
    durationSec: current.duration,
    width: current.width ?? 0,
    height: current.height ?? 0,
    thumbPath: current.thumb_path ?? undefined,
  };
}

/** The part's upload state lives on its row: `upload_resume` (acknowledged chunks) and `document`. */
function keeper(job: DeliveryJob, idx: number): PartRecordKeeper {
  const row = () => partsOf(job.db, job.vod.id).find((p) => p.idx === idx);
  return {
    document: () => {
      const doc = row()?.document;
      return doc ? (JSON.parse(doc) as StoredDocument) : undefined;
    },
    resume: () => {
      const resume = row()?.upload_resume;
      return resume ? (JSON.parse(resume) as UploadResume) : undefined;
    },
    saveResume: (state) => updatePart(job.db, job.vod.id, idx, { upload_resume: state ? JSON.stringify(state) : null }),
    saveDocument: (doc) => {
      const state = row()?.state;
      if (doc) {
        updatePart(job.db, job.vod.id, idx, { document: JSON.stringify(doc), ...(state === 'built' ? { state: 'uploaded' as const } : {}) });
        logOperation(job.db, job.vod.id, 'upload', 'ok', { part: idx });
      } else {
        // The document is no longer usable: the part goes back to "built" until it is uploaded again.
        updatePart(job.db, job.vod.id, idx, { document: null, ...(state === 'uploaded' ? { state: 'built' as const } : {}) });
      }
    },
  };
}

function caption(job: DeliveryJob, part: PartRecord): string {
  const t = job.settings().telegram;
  const vod = job.vod;
  const total = getVod(job.db, vod.id)?.parts_total ?? null;
  // A live VOD's part posted before the end: the total is not known yet (edited at the end).
  const template = total === null ? templateWhileTotalUnknown(t.captionTemplate, t.partsWhileLive) : t.captionTemplate;
  const chapters = chaptersForPart(storedChapters(job.db, vod.id), { startSec: part.start_sec, durationSec: part.duration });
  return renderCaption(
    { title: vod.title, channel: vod.channel_name, createdAt: vod.created_at, part: part.idx, parts: total ?? part.idx, durationSec: part.duration, url: vod.url, chapters },
    { template, dateFormat: t.dateFormat, timeZone: t.timeZone, limit: job.premium ? CAPTION_LIMIT_PREMIUM : CAPTION_LIMIT },
  );
}
