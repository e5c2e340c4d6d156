import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { chapterRequestBody, chaptersFromGql, fetchVodChapters } from '../../electron/engine/twitch/chapters';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { GQL_HASHES, LiveBroadcast } from '../fakes/twitch/live';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';

const PARAMS = { durationSec: 8, segmentSec: 2, width: 160, height: 90, videoKbps: 200 };
let vod: HlsVod;
beforeAll(async () => {
  vod = await makeHlsVod(hlsCacheDir('chapters-live', PARAMS), PARAMS);
}, 120_000);

let tw: TwitchStandIn | undefined;
afterEach(async () => {
  await tw?.close();
  tw = undefined;
});

describe('chaptersFromGql', () => {
  it('reads moments, skips incomplete ones, clamps negative durations, and keeps the open last one open', () => {
    const node = (positionMilliseconds: unknown, durationMilliseconds: unknown, description: string) => ({
      node: { positionMilliseconds, durationMilliseconds, description, details: { game: { id: '1', displayName: description } } },
    });
    const answer = [
      { data: { video: { id: '5', lengthSeconds: 9000, status: 'RECORDING', game: { id: '2', displayName: 'Music' } } } },
      {
        data: {
          video: { id: '5', moments: { edges: [node(4_350_000, -5, 'Elden Ring'), node(0, 4_350_000, 'Just Chatting'), node(null, 1000, 'Broken'), node(7_000_000, 0, 'Music')] } },
        },
      },
    ];
    expect(chaptersFromGql(answer, '5')).toEqual({
      recording: true,
      lengthSec: 9000,
      chapters: [
        { startSec: 0, durationSec: 4350, title: 'Just Chatting', gameId: '1' },
        { startSec: 4350, durationSec: null, title: 'Elden Ring', gameId: '1' },
        { startSec: 7000, durationSec: null, title: 'Music', gameId: '1' },
      ],
    });
  });

  it('takes the one category from VideoMetadata when no moments are listed, and says why when there is nothing', () => {
    const single = chaptersFromGql(
      [{ data: { video: { lengthSeconds: 60, status: 'RECORDED', game: { id: '7', displayName: 'Chess' } } } }, { data: { video: { moments: { edges: [] } } } }],
      '5',
    );
    expect(single).toEqual({ recording: false, lengthSec: 60, chapters: [{ startSec: 0, durationSec: null, title: 'Chess', gameId: '7' }] });
    expect(() => chaptersFromGql([{ errors: [{ message: 'PersistedQueryNotFound' }] }], '5')).toThrow(/PersistedQueryNotFound/);
    expect(() => chaptersFromGql([{ data: { video: null } }, { data: { video: null } }], '5')).toThrow(/knows no VOD 5/);
  });

  it('asks with the persisted queries the stand-in (and Twitch) accept', () => {
    const body = JSON.parse(chapterRequestBody('5')) as Array<{ operationName: keyof typeof GQL_HASHES; extensions: { persistedQuery: { sha256Hash: string } } }>;
    for (const op of body) expect(op.extensions.persistedQuery.sha256Hash).toBe(GQL_HASHES[op.operationName]);
  });
});

describe('fetchVodChapters against the stand-in', () => {
  it('sees chapters appear during a broadcast, the last one open while recording, closed after', async () => {
    let t = 0;
    tw = await startTwitchStandIn({ users: [{ id: '3', login: 'erin' }] });
    const broadcast = new LiveBroadcast({
      media: vod,
      clock: () => t,
      chapters: [
        { startSec: 0, game: 'Just Chatting' },
        { startSec: 4, game: 'Elden Ring' },
      ],
    });
    tw.addVod({ id: '42', userId: '3', hls: vod, broadcast });
    const get = () => fetchVodChapters({ vodId: '42', endpoints: tw!.endpoints });

    t = 2_500;
    const early = await get();
    expect(early.recording).toBe(true);
    expect(early.chapters).toEqual([{ startSec: 0, durationSec: null, title: 'Just Chatting', gameId: expect.any(String) }]);

    t = 5_000;
    const mid = await get();
    expect(mid.chapters.map((c) => [c.title, c.startSec, c.durationSec])).toEqual([
      ['Just Chatting', 0, 4],
      ['Elden Ring', 4, null],
    ]);

    t = 60_000;
    const done = await get();
    expect(done.recording).toBe(false);
    expect(done.chapters.at(-1)!.durationSec).toBeCloseTo(vod.durationSec - 4, 0);
  });

  it('reports an unknown VOD as not found and a GQL outage as transient', async () => {
    tw = await startTwitchStandIn({});
    await expect(fetchVodChapters({ vodId: '404', endpoints: tw.endpoints })).rejects.toMatchObject({ errorClass: 'permanent', code: 'vod_not_found' });
    tw.setFault({ kind: 'status', target: 'gql', status: 503 });
    await expect(fetchVodChapters({ vodId: '404', endpoints: tw.endpoints })).rejects.toMatchObject({ errorClass: 'transient', code: 'HTTP_503' });
  });
});
