/** At most this many ordinary VODs in flight: one downloading while the one before it uploads. */
const MAX_ACTIVE_VODS = 2;

interface Candidate {
  /** A broadcast still being recorded (or about to be): see live-state.ts isLiveCapture. */
  capture: boolean;
}

/**
 * Whether a due VOD may start beside those already running. A live capture lasts as long as its
 * broadcast (hours) at the stream's own pace, so it never takes one of the ordinary VODs' places:
 * the VODs behind it are not held up for the broadcast.
 */
export function mayStart(candidate: Candidate, active: readonly Candidate[]): boolean {
  return candidate.capture || active.filter((a) => !a.capture).length < MAX_ACTIVE_VODS;
}
