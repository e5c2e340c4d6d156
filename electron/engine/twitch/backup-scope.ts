import type { BackupScope } from '../../contract/settings';

/**
 * Which of a channel's broadcasts the user asked to back up (issue 13 item 1). Pure: the
 * discovery runner calls `inScope` on the videos it is about to insert; the wizard's and
 * settings' preview calls `scopePreview` on the same list, so both say the same thing.
 */

export interface ScopeVideo {
  id: string;
  /** ISO 8601. */
  createdAt: string;
  title: string;
  durationSec: number;
  /** Game/category name, when the listing carries one (Helix /videos does not). */
  category?: string;
}

export type ScopeReason = 'beforeSince' | 'notInLast' | 'tooOld' | 'titleNotIncluded' | 'titleExcluded' | 'categoryNotIncluded' | 'categoryExcluded';
export interface ScopeVerdict {
  id: string;
  keep: boolean;
  reason: ScopeReason | null;
}

const DAY_MS = 86_400_000;
const has = (text: string, words: readonly string[]) => words.some((w) => text.toLocaleLowerCase().includes(w.toLocaleLowerCase()));

function wordsReason(v: ScopeVideo, s: BackupScope): ScopeReason | null {
  if (s.titleInclude.length && !has(v.title, s.titleInclude)) return 'titleNotIncluded';
  if (has(v.title, s.titleExclude)) return 'titleExcluded';
  // An unknown category passes: filtering on what we cannot see would drop broadcasts silently.
  if (v.category != null && s.categoryInclude.length && !has(v.category, s.categoryInclude)) return 'categoryNotIncluded';
  if (v.category != null && has(v.category, s.categoryExclude)) return 'categoryExcluded';
  return null;
}

/** One verdict per video, in the order given. `now` in ms. */
export function scopeVerdicts(scope: BackupScope | undefined, videos: readonly ScopeVideo[], now: number): ScopeVerdict[] {
  if (!scope) return videos.map((v) => ({ id: v.id, keep: true, reason: null }));
  const since = Date.parse(scope.since);
  const newest =
    scope.mode === 'last'
      ? new Set(
          videos
            .slice()
            .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt))
            .slice(0, scope.last)
            .map((v) => v.id),
        )
      : null;
  return videos.map((v) => {
    const created = Date.parse(v.createdAt);
    let reason: ScopeReason | null;
    // `new` and `since` differ only in how the date was chosen; a missing date keeps everything
    // rather than nothing (the schema refuses it anyway).
    if ((scope.mode === 'new' || scope.mode === 'since') && !Number.isNaN(since) && created < since) reason = 'beforeSince';
    else if (newest && !newest.has(v.id)) reason = 'notInLast';
    else if (scope.maxAgeDays > 0 && now - created > scope.maxAgeDays * DAY_MS) reason = 'tooOld';
    else reason = wordsReason(v, scope);
    return { id: v.id, keep: reason == null, reason };
  });
}

/** Ids of the videos to back up. */
export function inScope(scope: BackupScope | undefined, videos: readonly ScopeVideo[], now: number): Set<string> {
  return new Set(
    scopeVerdicts(scope, videos, now)
      .filter((v) => v.keep)
      .map((v) => v.id),
  );
}

/**
 * Twitch's recommended top bitrate for a source rendition is 6,000 kbps video plus 160 kbps
 * audio (https://help.twitch.tv/s/article/broadcasting-guidelines); the estimate uses it, so it
 * errs on the large side for disk space.
 */
export const ESTIMATE_BYTES_PER_SEC = ((6000 + 160) * 1000) / 8;

export interface ScopePreview {
  vods: number;
  durationSec: number;
  /** Rough size at the source bitrate above. */
  estimatedBytes: number;
  skipped: number;
}

export function scopePreview(scope: BackupScope | undefined, videos: readonly ScopeVideo[], now: number): ScopePreview {
  const keep = inScope(scope, videos, now);
  const kept = videos.filter((v) => keep.has(v.id));
  const durationSec = kept.reduce((s, v) => s + v.durationSec, 0);
  return { vods: kept.length, durationSec, estimatedBytes: Math.round(durationSec * ESTIMATE_BYTES_PER_SEC), skipped: videos.length - kept.length };
}
