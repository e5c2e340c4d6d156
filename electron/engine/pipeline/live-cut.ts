/**
 * What the cut stage adds for live archiving (issue 15): the plan of a live capture (parts posted
 * during the broadcast never change: media/live-plan.ts) and each part's chapters (GQL, as the
 * web player and yt-dlp ask: twitch/chapters.ts), written into the MP4 in the same ffmpeg run.
 */
import { join } from 'node:path';
import { chaptersForPart, writePartChapters } from '../media/chapters';
import { planLiveParts } from '../media/live-plan';
import type { DroppedTail, PlannedPart, SplitRules, Unit } from '../media/planner';
import { fetchedChapters, storeChapters, type StoredChapter } from '../store/live';
import type { PartRecord } from '../store/parts';
import { fetchVodChapters } from '../twitch/chapters';
import { classify } from '../util/errors';
import { createLogger } from '../util/log';
import type { VodContext } from './context';

const log = createLogger('pipeline');

/**
 * The parts to add after `recorded` for a live capture, numbered and timed relative to the last
 * recorded part (as `planParts` answers, so the cut stage inserts them the same way).
 */
export function planLiveAfter(units: Unit[], recorded: readonly PartRecord[], rules: SplitRules, ended: boolean): { parts: PlannedPart[]; dropped: DroppedTail | null } {
  const settled: PlannedPart[] = recorded.map((p) => ({
    index: p.idx,
    firstUnit: p.first_segment,
    lastUnit: p.last_segment,
    bytes: p.planned_bytes,
    durationSec: p.duration,
    startSec: p.start_sec,
    estimatedBytes: p.planned_bytes,
  }));
  const plan = planLiveParts({ units, rules, settled, ended });
  return { parts: plan.parts.map((p) => ({ ...p, index: p.index - settled.length })), dropped: plan.dropped };
}

/**
 * The VOD's chapters now: fetched again while it is recorded (a category change adds one), once
 * otherwise; kept in the store for captions, edits and the index. A failed query means no new
 * chapters (logged), never a failed part.
 */
export async function currentChapters(ctx: VodContext, refresh: boolean): Promise<StoredChapter[]> {
  const fetched = fetchedChapters(ctx.db, ctx.vod.id);
  if (!refresh && fetched !== undefined) return fetched;
  const known = fetched ?? [];
  try {
    const info = await fetchVodChapters({ vodId: ctx.vod.id, endpoints: ctx.settings().advanced.twitch, playbackToken: ctx.twitchPlaybackToken(), signal: ctx.signal });
    storeChapters(ctx.db, ctx.vod.id, info.chapters);
    return info.chapters;
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    log.warn(`VOD ${ctx.vod.id}: no chapters (${classify(error).message})`);
    return known;
  }
}

/** The part's FFMETADATA chapter file for `buildPart({ chaptersFile })`, or undefined when it has none. */
export async function partChaptersFile(ctx: VodContext, part: PartRecord, refresh: boolean): Promise<string | undefined> {
  const chapters = chaptersForPart(await currentChapters(ctx, refresh), { startSec: part.start_sec, durationSec: part.duration });
  return writePartChapters(join(ctx.folder.parts, `${part.first_segment}-${part.last_segment}.ffmeta`), chapters);
}
