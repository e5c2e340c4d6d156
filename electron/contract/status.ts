import type { EngineStatus, VodRow } from './domain';

/**
 * The one status model the user sees: the window's header, the tray icon and tooltip and the
 * taskbar/dock progress all call `appStatus`, so they can never disagree (issue 13 item 2).
 *
 * The engine's own state says what the scheduler is doing; the user also needs to know what is
 * wrong with the queue: an idle scheduler with a VOD failing and waiting to retry is "retrying",
 * not "idle", and a VOD that failed for good "needs attention".
 */

export type StatusKind = 'idle' | 'working' | 'paused' | 'retrying' | 'attention';
export type AttentionReason = 'setupNeeded' | 'loginNeeded' | 'diskLow' | 'vodFailed' | 'channelProblem' | 'held';

/** What the status needs from the queue: small enough to cross to the main process with the status. */
export interface QueueFacts {
  /** VODs being processed now. */
  active: number;
  /** VODs waiting their turn (pending, live). */
  waiting: number;
  /** VODs failed for good (no retry left) among the shown rows. */
  failed: number;
  /** Earliest scheduled retry of a VOD that failed and will be tried again. */
  nextRetryAt: string | null;
  /** Overall progress of the VODs being processed, 0..1, or null when nothing runs. */
  progress: number | null;
  /** VODs whose broadcast is being recorded now (live archiving). */
  recording?: number;
}

export interface AppStatus {
  kind: StatusKind;
  reason: AttentionReason | null;
  /** When `retrying`: the earliest retry. */
  retryAt: string | null;
  /** 0..1 for the taskbar bar, null for none. */
  progress: number | null;
  facts: QueueFacts;
}

export const NO_FACTS: QueueFacts = { active: 0, waiting: 0, failed: 0, nextRetryAt: null, progress: null };

/**
 * Fraction of one VOD's work done: the download and the uploads weigh 45% each, the posts 10%,
 * so a VOD whose parts are uploaded but not yet posted everywhere never reads 100%.
 */
export function vodProgress(v: VodRow): number {
  if (v.status === 'completed' || v.status === 'skipped') return 1;
  const d = v.download;
  const down = d && d.segmentsTotal > 0 ? Math.min(1, d.segmentsDone / d.segmentsTotal) : v.parts.length > 0 ? 1 : 0;
  const total = v.partsTotal ?? v.parts.length;
  const up = total > 0 ? Math.min(1, v.parts.reduce((s, p) => s + (p.upload === 'done' ? 1 : p.uploadProgress), 0) / total) : 0;
  const posts = v.parts.flatMap((p) => p.posts);
  const posted = total > 0 && posts.length > 0 ? (posts.filter((p) => p.state === 'done').length / posts.length) * (v.parts.length / total) : 0;
  return 0.45 * down + 0.45 * up + 0.1 * posted;
}

export function queueFacts(vods: VodRow[]): QueueFacts {
  const active = vods.filter((v) => v.status === 'processing');
  const retryTimes = vods
    .filter((v) => (v.status === 'pending' || v.status === 'processing') && v.lastError && v.nextRetryAt)
    .map((v) => v.nextRetryAt as string)
    .sort();
  return {
    active: active.length,
    waiting: vods.filter((v) => v.status === 'pending' || v.status === 'live').length,
    failed: vods.filter((v) => v.status === 'failed').length,
    nextRetryAt: retryTimes[0] ?? null,
    progress: active.length ? active.reduce((s, v) => s + vodProgress(v), 0) / active.length : null,
    recording: active.filter((v) => v.recording).length,
  };
}

/**
 * Priority: what the user must act on first (setup, login, a held queue, low disk, a failed VOD,
 * a channel the last discovery pass could not check),
 * then what they chose (paused), then work, then a retry that is pending, then idle.
 * `lowDiskBytes`: below this much free space the disk counts as low (0 = never).
 */
export function appStatus(status: EngineStatus, facts: QueueFacts, lowDiskBytes = 0): AppStatus {
  const base = { retryAt: null, progress: facts.progress, facts };
  const attention = (reason: AttentionReason): AppStatus => ({ ...base, kind: 'attention', reason });
  if (status.state === 'setupNeeded') return attention('setupNeeded');
  if (status.state === 'loginNeeded') return attention('loginNeeded');
  if (status.state === 'error') return attention('held');
  if (lowDiskBytes > 0 && status.diskFreeBytes != null && status.diskFreeBytes < lowDiskBytes) return attention('diskLow');
  if (facts.failed > 0) return attention('vodFailed');
  if ((status.channelProblems?.length ?? 0) > 0) return attention('channelProblem');
  if (status.state === 'paused') return { ...base, kind: 'paused', reason: null };
  if (status.state === 'working' || facts.active > 0) return { ...base, kind: 'working', reason: null };
  if (facts.nextRetryAt) return { ...base, kind: 'retrying', reason: null, retryAt: facts.nextRetryAt };
  return { ...base, kind: 'idle', reason: null };
}

/**
 * The shell-text key naming a status that is not a problem or a retry: "Recording" while a
 * broadcast is being backed up as it runs, else the kind ("Working", "Paused", "Idle").
 */
export function statusWordKey(s: AppStatus): 'status.recording' | `status.${StatusKind}` {
  return s.kind === 'working' && (s.facts.recording ?? 0) > 0 ? 'status.recording' : `status.${s.kind}`;
}
