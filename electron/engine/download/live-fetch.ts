/**
 * The live fetch: follows a growing playlist (follow.ts) and fetches each batch of new segments
 * with the ordinary segment fetcher (segments.ts) while the follower keeps polling, so a slow
 * segment never delays noticing the next ones. Each batch is handed to `onListed` (commit it to
 * the store) before any of it is fetched, so after a crash the stored list says where to resume
 * (`follow.fromIndex`), and the stored segments not done yet are passed back as `resume`.
 */
import { cancelled } from '../util/sleep';
import { followPlaylist, type FollowEvent, type FollowOptions, type FollowedSegment } from './follow';
import { fetchSegments, type FetchSegmentsOptions, type SegmentTask } from './segments';

export interface LiveFetchOptions {
  follow: Omit<FollowOptions, 'signal'>;
  fetch: Omit<FetchSegmentsOptions, 'segments' | 'signal'>;
  /** The task for a listed segment (URL choice: see playlist.ts `segmentSources`). */
  toTask: (segment: FollowedSegment) => SegmentTask;
  /** A new batch, before it is fetched: record it (index, URL, duration, stream key). */
  onListed: (segments: FollowedSegment[], totalSec: number) => void | Promise<void>;
  /** Stored segments still to fetch after a restart (listed before it, not done); fetched first. */
  resume?: SegmentTask[];
  signal?: AbortSignal;
}

export interface LiveFetchResult {
  reason: Extract<FollowEvent, { kind: 'end' }>['reason'];
  segmentCount: number;
  totalSec: number;
  segmentsFetched: number;
}

/** Runs until the broadcast has ended and every listed segment is fetched (or something fails). */
export async function followAndFetch(opts: LiveFetchOptions): Promise<LiveFetchResult> {
  const local = new AbortController();
  const onOuterAbort = () => local.abort();
  opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
  const queue: SegmentTask[] = [...(opts.resume ?? [])];
  let firstError: unknown;
  let end: Extract<FollowEvent, { kind: 'end' }> | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    wake?.();
    wake = undefined;
  };

  const follower = (async () => {
    for await (const ev of followPlaylist({ ...opts.follow, signal: local.signal })) {
      if (ev.kind === 'segments') {
        await opts.onListed(ev.segments, ev.totalSec);
        queue.push(...ev.segments.map(opts.toTask));
      } else end = ev;
      notify();
    }
  })();

  let segmentsFetched = 0;
  const fetcher = (async () => {
    while (!end || queue.length > 0) {
      if (local.signal.aborted) throw cancelled();
      if (queue.length === 0) {
        // The listener goes with the wait: a broadcast idles between segments thousands of times.
        await new Promise<void>((resolve) => {
          const done = () => {
            local.signal.removeEventListener('abort', done);
            resolve();
          };
          wake = done;
          local.signal.addEventListener('abort', done, { once: true });
        });
        continue;
      }
      const batch = queue.splice(0, queue.length);
      const r = await fetchSegments({ ...opts.fetch, segments: batch, signal: local.signal });
      segmentsFetched += r.segmentsFetched;
    }
  })();

  try {
    // The first failure stops the other side too.
    await Promise.all([follower.catch(fail), fetcher.catch(fail)]);
  } finally {
    opts.signal?.removeEventListener('abort', onOuterAbort);
  }
  if (firstError !== undefined) throw firstError;
  return { reason: end!.reason, segmentCount: end!.segmentCount, totalSec: end!.totalSec, segmentsFetched };

  function fail(err: unknown): void {
    firstError ??= err;
    local.abort();
    notify();
  }
}
