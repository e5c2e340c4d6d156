/**
 * What the stages may do with a VOD that is still live, per channel (pure):
 * - 'postWhileLive' (default): follow the playlist, cut each part as soon as it is full and post
 *   it with a caption that leaves the total open; at the end every such caption is edited.
 * - 'postAfterEnd': follow and cut while live (the segments are saved before any muting), post
 *   only once the part count is known, so no caption ever needs an edit.
 * - 'waitForEnd': the legacy behaviour: nothing until the broadcast ends (what an imported legacy
 *   config keeps).
 */
import { DEFAULT_LIVE_MODE, LIVE_MODES, type LiveMode } from '../../contract/settings';

export { DEFAULT_LIVE_MODE, LIVE_MODES, type LiveMode };

export interface LiveStages {
  /** The fetch stage follows the growing playlist (else it waits for the end). */
  fetch: boolean;
  /** The cut stage builds parts that are full. */
  cut: boolean;
  /** The deliver stage posts built parts. */
  deliver: boolean;
  /** Captions are rendered without the total (and edited at the end). */
  totalUnknown: boolean;
}

export function liveStages(mode: LiveMode, vodIsLive: boolean): LiveStages {
  if (!vodIsLive) return { fetch: true, cut: true, deliver: true, totalUnknown: false };
  switch (mode) {
    case 'postWhileLive':
      return { fetch: true, cut: true, deliver: true, totalUnknown: true };
    case 'postAfterEnd':
      return { fetch: true, cut: true, deliver: false, totalUnknown: false };
    case 'waitForEnd':
      return { fetch: false, cut: false, deliver: false, totalUnknown: false };
  }
}

/** A stored post whose caption may need an edit once the VOD is complete. */
export interface PostedCaption {
  part: number;
  destination: string;
  messageId: number;
  /** The caption as sent (or as last edited). */
  caption: string;
  /** The edit was refused for good (the index carries the final numbering). */
  refused?: boolean;
}

/**
 * The edits still to make: every post whose stored caption differs from its final one and was not
 * refused, in part order. Recording the new caption after each edit makes this list shrink to
 * nothing; a crash in between repeats one edit, which Telegram answers MESSAGE_NOT_MODIFIED.
 */
export function pendingCaptionEdits(posts: readonly PostedCaption[], finalCaption: (part: number) => string): Array<PostedCaption & { finalCaption: string }> {
  return posts
    .filter((p) => !p.refused)
    .map((p) => ({ ...p, finalCaption: finalCaption(p.part) }))
    .filter((p) => p.finalCaption !== p.caption)
    .sort((a, b) => a.part - b.part || a.destination.localeCompare(b.destination));
}
