/**
 * The end of a live capture (issue 15), once every part is posted everywhere and before the VOD is
 * marked completed: every caption posted with the total unknown is edited to its final text, then
 * one index message (or several, past 4096 characters) per Telegram destination, optionally pinned.
 * Exactly once through crashes: each edit's new caption is recorded after it (a repeat is
 * MESSAGE_NOT_MODIFIED, counted as done); each index message's random id is stored before its send
 * (a repeat is RANDOM_ID_DUPLICATE, nothing posted) and its message id after.
 */
import type { DeliveryJob, DeliveryTarget } from '../destinations';
import { ensureIndexPost, indexPostsOf, markCaptionRefused, markIndexPinned, markIndexPosted, setUploadCaption } from '../store/live';
import { logOperation } from '../store/operations';
import { partsOf, type PartRecord } from '../store/parts';
import { markPosted, uploadsOf, type UploadRecord } from '../store/uploads';
import { getVod } from '../store/vods';
import { renderIndexMessages, vodIndexHead, type IndexInput } from '../telegram/index-message';
import { classify } from '../util/errors';
import { randomId64 } from '../util/ids';
import { createLogger } from '../util/log';
import type { VodContext } from './context';
import { currentChapters } from './live-cut';
import { pendingCaptionEdits } from './live-mode';
import { livePhase } from './live-state';

const log = createLogger('pipeline');

/** No-op for an ordinary VOD or while something is still unposted (the conductor then retries). */
export async function finishLive(ctx: VodContext): Promise<void> {
  const { db, vod } = ctx;
  const job: DeliveryJob = { db, vod, premium: ctx.premium, settings: ctx.settings, signal: ctx.signal, onUploadProgress: () => {} };
  if (!livePhase(db, vod)) return;
  const parts = partsOf(db, vod.id);
  const uploads = uploadsOf(db, vod.id, vod.generation);
  if (parts.length === 0 || !uploads.every((u) => u.state === 'posted')) return;
  for (const target of ctx.destinations) await adoptLostPosts(ctx, job, target, parts);
  const recorded = uploadsOf(db, vod.id, vod.generation);
  for (const target of ctx.destinations) await editCaptions(ctx, job, target, parts, recorded);
  if (!ctx.settings().telegram.indexMessage) return;
  const input = await indexInput(ctx, parts);
  for (const target of ctx.destinations) await sendIndex(ctx, target, input, uploads);
}

/**
 * A post sent just before a kill has no recorded message id (the repeat was RANDOM_ID_DUPLICATE):
 * found by its stored caption among the chat's messages after the previous part's post, so its
 * caption can be edited too. Not found (or the account cannot look): it stays unedited and the
 * index carries its final numbering.
 */
async function adoptLostPosts(ctx: VodContext, job: DeliveryJob, target: DeliveryTarget, parts: PartRecord[]): Promise<void> {
  if (!target.findPost) return;
  const { db, vod } = ctx;
  const rows = uploadsOf(db, vod.id, vod.generation).filter((u) => u.destination === target.key);
  for (const u of rows) {
    if (u.state !== 'posted' || u.message_id !== null || !u.caption) continue;
    const part = parts.find((p) => p.idx === u.part_idx);
    if (!part) continue;
    const after = rows
      .filter((r) => r.part_idx < u.part_idx && r.message_id !== null)
      .map((r) => r.message_id!)
      .pop();
    const found = await target.findPost(part, job, u.caption, after).catch((error: unknown) => {
      log.warn(`VOD ${vod.id} part ${u.part_idx} in ${target.name}: could not look for the post (${classify(error).message})`);
      return undefined;
    });
    if (!found) continue;
    markPosted(db, { vodId: vod.id, generation: vod.generation, partIdx: u.part_idx, destination: target.key }, found.messageId, found.link);
    logOperation(db, vod.id, 'post-adopted', 'ok', { part: u.part_idx, destination: target.key, messageId: found.messageId });
  }
}

async function editCaptions(ctx: VodContext, job: DeliveryJob, target: DeliveryTarget, parts: PartRecord[], uploads: UploadRecord[]): Promise<void> {
  if (!target.caption || !target.editCaption) return;
  const { db, vod } = ctx;
  const byIdx = new Map(parts.map((p) => [p.idx, p]));
  const posts = uploads
    // A post whose id is unknown (sent before a crash, found as RANDOM_ID_DUPLICATE) cannot be edited: the index numbers it.
    .filter((u) => u.destination === target.key && u.message_id !== null)
    .map((u) => ({ part: u.part_idx, destination: u.destination, messageId: u.message_id!, caption: u.caption ?? '', refused: u.edit_state === 'refused' }));
  for (const edit of pendingCaptionEdits(posts, (idx) => target.caption!(byIdx.get(idx)!, job))) {
    const key = { vodId: vod.id, generation: vod.generation, partIdx: edit.part, destination: target.key };
    const out = await target.editCaption(edit.messageId, edit.finalCaption);
    if (out.kind === 'done') {
      setUploadCaption(db, key, edit.finalCaption);
      logOperation(db, vod.id, 'caption-edit', 'ok', { part: edit.part, destination: target.key });
    } else {
      markCaptionRefused(db, key, `Telegram refused the caption edit: ${out.reason}`);
      logOperation(db, vod.id, 'caption-edit', 'failed', { part: edit.part, destination: target.key, reason: out.reason });
      log.warn(`VOD ${vod.id} part ${edit.part} in ${target.name}: the caption edit was refused (${out.reason}); the index carries the final numbering`);
    }
  }
}

async function indexInput(ctx: VodContext, parts: PartRecord[]): Promise<Omit<IndexInput, 'parts'> & { spans: PartRecord[] }> {
  const vod = getVod(ctx.db, ctx.vod.id) ?? ctx.vod;
  const chapters = await currentChapters(ctx, true);
  const t = ctx.settings().telegram;
  return {
    ...vodIndexHead(vod, parts, chapters),
    dateFormat: t.dateFormat,
    timeZone: t.timeZone || undefined,
    spans: parts,
  };
}

async function sendIndex(ctx: VodContext, target: DeliveryTarget, base: Awaited<ReturnType<typeof indexInput>>, uploads: UploadRecord[]): Promise<void> {
  if (!target.sendIndex) return;
  const { db, vod } = ctx;
  const linkOf = new Map(uploads.filter((u) => u.destination === target.key).map((u) => [u.part_idx, u.link]));
  const { spans, ...rest } = base;
  const messages = renderIndexMessages({ ...rest, parts: spans.map((p) => ({ part: p.idx, durationSec: p.duration, link: linkOf.get(p.idx) ?? null })) });
  for (const [seq, html] of messages.entries()) {
    const row = ensureIndexPost(db, vod.id, vod.generation, target.key, seq, randomId64());
    if (row.message_id !== null) continue;
    const sent = await target.sendIndex(html, row.random_id);
    // 0: posted before a crash, its id unknown (Telegram answered RANDOM_ID_DUPLICATE).
    markIndexPosted(db, vod.id, vod.generation, target.key, seq, sent.messageId ?? 0);
    logOperation(db, vod.id, 'index', 'ok', { destination: target.key, message: seq + 1, of: messages.length });
  }
  if (ctx.settings().telegram.pinIndex && target.pin) {
    const first = indexPostsOf(db, vod.id, vod.generation, target.key)[0];
    if (first && first.message_id && !first.pinned) {
      const out = await target.pin(first.message_id);
      if (out.kind === 'refused') log.warn(`VOD ${vod.id}: the index in ${target.name} was not pinned (${out.reason})`);
      markIndexPinned(db, vod.id, vod.generation, target.key, first.seq);
    }
  }
}
