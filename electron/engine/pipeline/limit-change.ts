import { existsSync, rmSync } from 'node:fs';
import { segmentPath } from '../download/segments';
import { estimateMp4Bytes } from '../media/planner';
import { getMeta, setMeta } from '../store/meta';
import { logOperation } from '../store/operations';
import { dropPartsFrom } from '../store/part-tail';
import { partsOf, type PartRecord } from '../store/parts';
import { uploadsOf, type UploadRecord } from '../store/uploads';
import { createLogger } from '../util/log';
import type { VodContext } from './context';

const log = createLogger('pipeline');

/** One part as the decision sees it. */
export interface TailPart {
  idx: number;
  /** Built size, or the planned size's MP4 estimate while the part is not built. */
  sizeBytes: number;
  /** Posted or being sent (`sending`) in some destination, or posted as a whole. */
  sent: boolean;
  /** Telegram already holds the file (a stored document) or a part of it (a stored upload resume). */
  uploaded: boolean;
  /** Some of the file went up (upload_resume) but not all of it (no document). */
  partlyUploaded: boolean;
}

/**
 * The first part to plan again after the part limit changed from `stored` (the ceiling the VOD's
 * parts were planned under; undefined when unknown) to `ceiling`, or null to keep every part.
 * Only trailing parts Telegram holds nothing of are re-planned: parts already posted, being sent
 * or uploaded stay as they are (their numbering and posts must not move). A partly uploaded part
 * over the new ceiling goes too: Telegram refuses its upload (FILE_PARTS_INVALID) once the
 * account lost Premium, so its upload could never finish.
 */
export function firstPartToReplan(parts: readonly TailPart[], stored: number | undefined, ceiling: number): number | null {
  // Planned under this very limit: a restart keeps the plan as it is (a crash must not re-cut).
  if (stored === ceiling) return null;
  let start = parts.length;
  for (let i = parts.length - 1; i >= 0; i--) {
    const p = parts[i];
    const over = p.sizeBytes > ceiling;
    if (p.sent || (p.uploaded && !(p.partlyUploaded && over))) break;
    start = i;
  }
  const tail = parts.slice(start);
  if (tail.length === 0) return null;
  if (stored !== undefined) return tail[0].idx;
  // Unknown (a VOD planned before the limit was stored): only parts over the limit move.
  const firstOver = tail.findIndex((p) => p.sizeBytes > ceiling);
  return firstOver < 0 ? null : tail[firstOver].idx;
}

const limitKey = (vodId: string, generation: number) => `part-limit:${vodId}:${generation}`;

/** The decision's view of the stored parts and uploads. */
export function tailParts(parts: readonly PartRecord[], uploads: readonly UploadRecord[], ctx: Pick<VodContext, 'rules'>): TailPart[] {
  return parts.map((p) => {
    const mine = uploads.filter((u) => u.part_idx === p.idx);
    return {
      idx: p.idx,
      sizeBytes: p.bytes ?? estimateMp4Bytes(p.planned_bytes, p.duration, ctx.rules),
      sent: p.state === 'posted' || p.state === 'uploaded' || mine.some((u) => u.state === 'posted' || u.state === 'sending'),
      uploaded: p.upload_resume !== null || p.document !== null,
      partlyUploaded: p.upload_resume !== null && p.document === null,
    };
  });
}

/**
 * Called by the conductor once per attempt, before the stages start: when the part limit
 * (Telegram's 2000/4000 MiB by Premium, lowered by split.maxFileSizeMB) differs from the one the
 * VOD's parts were planned under, the parts not yet uploaded are forgotten (rows and files) and
 * the cut stage plans them again under the new limit. The attempt's limit is then stored.
 */
export function applyPartLimit(ctx: VodContext): void {
  const { db, vod, rules, folder } = ctx;
  const key = limitKey(vod.id, vod.generation);
  const storedText = getMeta(db, key);
  const stored = storedText === undefined ? undefined : Number(storedText);
  const parts = partsOf(db, vod.id);
  const from = firstPartToReplan(tailParts(parts, uploadsOf(db, vod.id, vod.generation), ctx), stored, rules.ceilingBytes);
  if (from !== null) {
    const dropped = parts.filter((p) => p.idx >= from);
    for (const p of dropped) for (const path of [p.path, p.thumb_path]) if (path) rmSync(path, { force: true });
    dropPartsFrom(db, vod.id, vod.generation, from, (idx) => !existsSync(segmentPath(folder.segments, idx)));
    log.info(`VOD ${vod.id}: the part limit is now ${rules.ceilingBytes} bytes (was ${stored ?? 'unknown'}): parts ${from}..${parts.length} are planned again`);
    logOperation(db, vod.id, 'part-limit', 'info', { from: stored ?? null, to: rules.ceilingBytes, replannedFrom: from, dropped: dropped.length });
  }
  setMeta(db, key, String(rules.ceilingBytes));
}
