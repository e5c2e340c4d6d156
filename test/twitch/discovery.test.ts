import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { VodStatus } from '../../electron/contract/domain';
import {
  COMPLETED_FROM_LOCAL_COPY,
  decideDiscovery,
  isLiveVideo,
  MISSED_CHECKS_BEFORE_GONE,
  orderVods,
  parseVodOrdering,
  VANISHED_REASON,
  vanishedOutcome,
} from '../../electron/engine/twitch/discovery';
import { parseTwitchDuration, type ArchiveVideo } from '../../electron/engine/twitch/videos';
import { formatDuration } from '../fakes/twitch/server';

const LIVE = 'https://vod-secure.twitch.tv/_404/404_processing_%{width}x%{height}.png';
const DONE = 'https://static-cdn.jtvnw.net/cf_vods/x/thumb0-%{width}x%{height}.jpg';

function video(id: string, live = false, extra: Partial<ArchiveVideo> = {}): ArchiveVideo {
  return {
    id,
    userId: '1',
    userLogin: 'a',
    userName: 'A',
    title: id,
    createdAt: '2026-01-01T00:00:00Z',
    durationSec: 60,
    url: '',
    thumbnailUrl: live ? LIVE : DONE,
    mutedSegments: [],
    ...extra,
  };
}

describe('parseTwitchDuration', () => {
  it('reads the Helix formats', () => {
    expect(parseTwitchDuration('3h2m1s')).toBe(10921);
    expect(parseTwitchDuration('4m35s')).toBe(275);
    expect(parseTwitchDuration('59s')).toBe(59);
    expect(parseTwitchDuration('1h0m0s')).toBe(3600);
  });
  it('rejects anything else with the input in the message', () => {
    for (const bad of ['', '3:02:01', '5', 'h', '1m1h']) expect(() => parseTwitchDuration(bad)).toThrow(JSON.stringify(bad));
  });
  it('round-trips the stand-in formatter', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 500_000 }), (s) => parseTwitchDuration(formatDuration(s)) === s));
  });
});

describe('decideDiscovery', () => {
  it('inserts new VODs as pending or live, promotes finished live ones, counts a missing one', () => {
    const d = decideDiscovery({
      known: { a: 'live', b: 'live', c: 'completed', d: 'pending', e: 'pending', f: 'failed' },
      fetched: [video('n1'), video('n2', true), video('a'), video('b', true), video('c'), video('d')],
    });
    expect(d.insert).toEqual([
      { video: video('n1'), status: 'pending' },
      { video: video('n2', true), status: 'live' },
    ]);
    expect(d.becamePending.map((v) => v.id)).toEqual(['a']);
    expect(d.stillLive.map((v) => v.id)).toEqual(['b']);
    expect(d.missing).toEqual([{ id: 'e', misses: 1 }]);
    expect(d.vanished).toEqual([]);
  });

  it('a VOD absent from one answer gets a grace of two more consecutive checks', () => {
    expect(MISSED_CHECKS_BEFORE_GONE).toBe(3);
    const known = { e: 'pending', p: 'processing' } as const;
    const second = decideDiscovery({
      known,
      fetched: [],
      misses: new Map([
        ['e', 1],
        ['p', 1],
      ]),
    });
    expect(second.missing).toEqual([
      { id: 'e', misses: 2 },
      { id: 'p', misses: 2 },
    ]);
    expect(second.vanished).toEqual([]);
    const third = decideDiscovery({
      known,
      fetched: [],
      misses: new Map([
        ['e', 2],
        ['p', 2],
      ]),
    });
    expect(third.vanished).toEqual([
      { id: 'e', reason: VANISHED_REASON, status: 'pending' },
      { id: 'p', reason: VANISHED_REASON, status: 'processing' },
    ]);
    // Listed again in between: the count starts over.
    const back = decideDiscovery({ known, fetched: [video('e')], misses: new Map([['e', 2]]) });
    expect(back.reappeared).toEqual(['e']);
    expect(back.vanished.map((v) => v.id)).toEqual([]);
  });

  it('vanished after work started: finish from the local copy only if every segment is on disk', () => {
    expect(vanishedOutcome({ segmentsTotal: 10, segmentsOnDisk: 10 })).toEqual({ action: 'finishFromLocalCopy', note: COMPLETED_FROM_LOCAL_COPY });
    const partial = vanishedOutcome({ segmentsTotal: 10, segmentsOnDisk: 7 });
    expect(partial).toMatchObject({ action: 'fail', reason: expect.stringMatching(/3 of its 10 segments had not been downloaded/) });
    expect(vanishedOutcome({ segmentsTotal: 0, segmentsOnDisk: 0 })).toEqual({ action: 'fail', reason: VANISHED_REASON });
  });

  it('uses the configured live phrases', () => {
    const custom = video('x', false, { thumbnailUrl: 'https://cdn/processing-thumb.png' });
    expect(decideDiscovery({ known: {}, fetched: [custom], livePhrases: ['processing-thumb'] }).insert[0].status).toBe('live');
    expect(decideDiscovery({ known: {}, fetched: [custom] }).insert[0].status).toBe('pending');
    expect(isLiveVideo(video('y', true), [''])).toBe(false);
  });

  const statusArb = fc.constantFrom<VodStatus>('pending', 'live', 'processing', 'completed', 'failed', 'skipped');
  const ids = fc.uniqueArray(fc.integer({ min: 1, max: 60 }).map(String), { maxLength: 40 });

  it('never re-queues completed, failed, skipped or processing VODs, and touches each id at most once', () => {
    fc.assert(
      fc.property(
        ids,
        ids,
        fc.array(statusArb, { minLength: 40, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        (knownIds, fetchedIds, statuses, lives) => {
          const known = new Map(knownIds.map((id, i) => [id, statuses[i]] as const));
          const fetched = fetchedIds.map((id, i) => video(id, lives[i]));
          const d = decideDiscovery({ known, fetched });
          const touched = [
            ...d.insert.map((x) => x.video.id),
            ...d.becamePending.map((v) => v.id),
            ...d.stillLive.map((v) => v.id),
            ...d.missing.map((v) => v.id),
            ...d.vanished.map((v) => v.id),
          ];
          expect(new Set(touched).size).toBe(touched.length);
          for (const id of touched) {
            const s = known.get(id);
            expect(s === undefined || s === 'pending' || s === 'live' || s === 'processing').toBe(true);
          }
          // Only queued or live VODs are ever put back in the queue.
          for (const v of d.becamePending) expect(known.get(v.id)).toBe('live');
          // Every fetched unknown id is inserted, with the right status.
          for (const v of fetched) if (!known.has(v.id)) expect(d.insert.find((x) => x.video.id === v.id)?.status).toBe(isLiveVideo(v) ? 'live' : 'pending');
          // Missing (first miss, no earlier misses given) = known pending/live/processing not fetched, exactly.
          const fetchedSet = new Set(fetchedIds);
          const expectMissing = [...known].filter(([id, s]) => ['pending', 'live', 'processing'].includes(s) && !fetchedSet.has(id)).map(([id]) => id);
          expect(d.missing.map((v) => v.id).sort()).toEqual(expectMissing.sort());
          expect(d.vanished).toEqual([]);
          // Known live ones that are listed are either promoted or still live.
          for (const [id, s] of known) if (s === 'live' && fetchedSet.has(id)) expect(d.becamePending.some((v) => v.id === id) !== d.stillLive.some((v) => v.id === id)).toBe(true);
        },
      ),
    );
  });

  it('is idempotent: applying the decision and deciding again inserts nothing', () => {
    fc.assert(
      fc.property(ids, fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }), (fetchedIds, lives) => {
        const fetched = fetchedIds.map((id, i) => video(id, lives[i]));
        const first = decideDiscovery({ known: {}, fetched });
        const known = new Map(first.insert.map((x) => [x.video.id, x.status] as const));
        const second = decideDiscovery({ known, fetched });
        expect(second.insert).toEqual([]);
        expect(second.becamePending).toEqual([]);
        expect(second.vanished).toEqual([]);
      }),
    );
  });
});

describe('orderVods', () => {
  const list = [
    video('1', false, { createdAt: '2026-01-03T00:00:00Z', durationSec: 10 }),
    video('2', false, { createdAt: '2026-01-01T00:00:00Z', durationSec: 30 }),
    video('3', false, { createdAt: '2026-01-02T00:00:00Z', durationSec: 10 }),
  ];
  it('orders by created_at or duration, both directions, with a total tie-break', () => {
    expect(orderVods(list, 'created_at', 'asc').map((v) => v.id)).toEqual(['2', '3', '1']);
    expect(orderVods(list, 'created_at', 'desc').map((v) => v.id)).toEqual(['1', '3', '2']);
    expect(orderVods(list, 'duration', 'asc').map((v) => v.id)).toEqual(['3', '1', '2']);
    expect(orderVods(list, 'duration', 'desc').map((v) => v.id)).toEqual(['2', '1', '3']);
  });
  it('validates the setting instead of trusting it', () => {
    expect(parseVodOrdering('duration', 'DESC')).toEqual({ by: 'duration', direction: 'desc' });
    expect(() => parseVodOrdering('created_at; DROP TABLE vods', 'asc')).toThrow(/created_at/);
    expect(() => parseVodOrdering('created_at', 'sideways')).toThrow(/asc/);
  });
});
