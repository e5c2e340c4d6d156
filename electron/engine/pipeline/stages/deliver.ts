import { rmSync } from 'node:fs';
import type { DeliveryJob, DeliveryTarget } from '../../destinations';
import { logOperation } from '../../store/operations';
import { partsOf, updatePart, type PartRecord } from '../../store/parts';
import { ensureUploads, markPosted, markSending, markUploadError, uploadsOf, type UploadKey } from '../../store/uploads';
import { classify, type ErrorClass } from '../../util/errors';
import { randomId64 } from '../../util/ids';
import { sleep } from '../../util/sleep';
import { throwIfStopped, type VodContext } from '../context';
import { setUploadCaption } from '../../store/live';
import { isFollowing, postsWhileLive } from '../live-state';
import { UploadSlotHold } from '../upload-slot';
import { planComplete } from './cut';
import { deliveryScope } from './delivery-scope';

/**
 * The deliver stage, two loops in part order: `prepare` (the Telegram upload) starts as soon as a
 * part is built, while later segments still download; deliveries wait until the plan is complete,
 * because every caption says "Part k/N". A destination that refuses for good (e.g. the account may
 * not write there) is marked failed and skipped; the others go on, and the VOD then fails with
 * that destination's reason (Retry now re-tries only what is missing).
 */
export async function deliverStage(ctx: VodContext): Promise<void> {
  const job = deliveryJob(ctx);
  const scope = deliveryScope(ctx);
  const refused = new Map<string, unknown>();
  const slot = new UploadSlotHold(ctx.slots.upload, ctx.signal, () => keepsUploadSlot(ctx));
  const preparing = scope.targets.filter((d) => d.prepares);
  try {
    const prepares = (async () => {
      if (preparing.length === 0) return;
      for (let index = 1; ; index++) {
        const part = await waitForPart(ctx, index, (p) => p.state !== 'planned');
        if (!part) return;
        if (part.state === 'posted' || !pendingFor(ctx, part, preparing, refused).length) continue;
        await slot.enter();
        try {
          ctx.progress.part(part.idx, { upload: 'active', uploadProgress: 0 });
          for (const target of pendingFor(ctx, part, preparing, refused)) await target.prepare(part, job);
        } finally {
          slot.leave();
        }
        ctx.progress.part(part.idx, { upload: 'done', uploadProgress: 1 });
        ctx.progress.changed();
        ctx.wake.notify();
      }
    })();
    const deliveries = (async () => {
      for (let index = 1; ; index++) {
        const part = await waitForPart(ctx, index, (p) => (planComplete(ctx) || postsWhileLive(ctx)) && readyToDeliver(ctx, p, preparing, refused));
        if (!part) return;
        await slot.enter();
        await deliverPart(ctx, job, scope.targets, part, refused).finally(() => slot.leave());
      }
    })();
    // One loop failing stops the other (the conductor aborts the attempt).
    await Promise.all([prepares, deliveries]);
  } finally {
    slot.giveBack();
  }
  const first = refused.values().next();
  if (!first.done) throw first.value;
  const leftOut = scope.leftOutFailure();
  if (leftOut) throw leftOut;
}

/**
 * One upload at a time across VODs. A live capture gives the slot back while it waits for its next
 * part, unless a part it just uploaded is still to be posted now (postWhileLive).
 */
function keepsUploadSlot(ctx: VodContext): boolean {
  if (!isFollowing(ctx.db, ctx.vod)) return true;
  return postsWhileLive(ctx) && partsOf(ctx.db, ctx.vod.id).some((p) => p.state === 'built' || p.state === 'uploaded');
}

function deliveryJob(ctx: VodContext): DeliveryJob {
  return {
    db: ctx.db,
    vod: ctx.vod,
    premium: ctx.premium,
    settings: ctx.settings,
    signal: ctx.signal,
    onUploadProgress: (index, fraction, speedBps) => ctx.progress.part(index, { upload: 'active', uploadProgress: fraction, uploadSpeedBps: speedBps }),
  };
}

/** Destinations among `targets` that still need this part. */
function pendingFor(ctx: VodContext, part: PartRecord, targets: readonly DeliveryTarget[], refused: Map<string, unknown>): DeliveryTarget[] {
  const posted = new Set(
    uploadsOf(ctx.db, ctx.vod.id, ctx.vod.generation)
      .filter((u) => u.part_idx === part.idx && u.state === 'posted')
      .map((u) => u.destination),
  );
  return targets.filter((t) => !posted.has(t.key) && !refused.has(t.key));
}

/** Built, and uploaded when a destination prepares (the upload is shared by every Telegram chat). */
function readyToDeliver(ctx: VodContext, part: PartRecord, preparing: readonly DeliveryTarget[], refused: Map<string, unknown>): boolean {
  if (part.state === 'planned') return false;
  if (part.state !== 'built' || preparing.length === 0) return true;
  return pendingFor(ctx, part, preparing, refused).length === 0;
}

/** Resolves with part `index` once `ready` holds for it, or undefined after the last part. */
async function waitForPart(ctx: VodContext, index: number, ready: (part: PartRecord) => boolean): Promise<PartRecord | undefined> {
  for (;;) {
    throwIfStopped(ctx.signal);
    const part = partsOf(ctx.db, ctx.vod.id).find((p) => p.idx === index);
    if (part && ready(part)) return part;
    if (!part && planComplete(ctx)) return undefined;
    await ctx.wake.wait(ctx.signal);
  }
}

const DESTINATION_ONLY: ReadonlySet<ErrorClass> = new Set(['permanent']);

async function deliverPart(ctx: VodContext, job: DeliveryJob, targets: readonly DeliveryTarget[], part: PartRecord, refused: Map<string, unknown>): Promise<void> {
  const { db, vod } = ctx;
  ensureUploads(
    db,
    vod.id,
    vod.generation,
    part.idx,
    targets.map((d) => d.key),
  );
  const pending = () => uploadsOf(db, vod.id, vod.generation).filter((u) => u.part_idx === part.idx && u.state !== 'posted');
  if (part.state !== 'posted' && pending().length > 0) ctx.progress.stage('posting');
  for (const target of targets) {
    const row = pending().find((u) => u.destination === target.key);
    if (!row || refused.has(target.key)) continue;
    throwIfStopped(ctx.signal);
    const key: UploadKey = { vodId: vod.id, generation: vod.generation, partIdx: part.idx, destination: target.key };
    const randomId = row.random_id ?? randomId64();
    // A row already `sending` was sent before with an unknown outcome (a crash, a lost reply).
    const lost = row.state === 'sending' ? { afterMessageId: row.after_message_id ?? undefined } : undefined;
    markSending(db, key, randomId);
    try {
      const current = partsOf(db, vod.id).find((p) => p.idx === part.idx) ?? part;
      // Before the first send too: a post whose reply is lost in a crash is found by this caption (live-finish.ts).
      if (target.caption && row.caption === null) setUploadCaption(db, key, target.caption(current, job));
      const sent = await target.deliver(current, job, randomId, lost);
      markPosted(db, key, sent.messageId, sent.link);
      // What the post says now: a live post's caption is edited to its final text at the end.
      // (A repeat answered RANDOM_ID_DUPLICATE posted nothing: the message carries the caption stored before.)
      if (sent.caption !== undefined && sent.messageId !== null) setUploadCaption(db, key, sent.caption);
      logOperation(db, vod.id, 'post', 'ok', { part: part.idx, destination: target.key });
    } catch (error) {
      const info = classify(error);
      markUploadError(db, key, info.message);
      if (!DESTINATION_ONLY.has(info.errorClass) || ctx.signal.aborted) throw error;
      // This destination refuses for good: the others still get every part.
      refused.set(target.key, error);
      logOperation(db, vod.id, 'post', 'failed', { part: part.idx, destination: target.key, message: info.message });
      continue;
    }
    await target.afterPart?.(job);
    ctx.progress.changed();
    const delay = ctx.settings().telegram.postDelaySec;
    if (delay > 0) await sleep(delay * 1000, ctx.signal);
  }
  if (pending().length === 0) partDelivered(ctx, part);
}

function partDelivered(ctx: VodContext, part: PartRecord): void {
  updatePart(ctx.db, ctx.vod.id, part.idx, { state: 'posted' });
  const current = partsOf(ctx.db, ctx.vod.id).find((p) => p.idx === part.idx) ?? part;
  for (const path of [current.path, current.thumb_path]) if (path) rmSync(path, { force: true });
  ctx.progress.changed();
}
