/**
 * Discovery on the engine's path: the engine started in-process against the Twitch stand-in,
 * with one good and several bad channels, and VODs that disappear from Twitch.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TwitchService } from '../../electron/engine/core/twitch-service';
import { discoverAll, sourceGoneSince } from '../../electron/engine/pipeline/discovery-runner';
import { markSegmentDone, saveSegmentList } from '../../electron/engine/store/segments';
import { getVod, updateVod } from '../../electron/engine/store/vods';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine, type TestEngine } from '../pipeline/helpers';

let twitch: TwitchStandIn;
let engine: TestEngine;
let archive: string;

beforeAll(async () => {
  twitch = await startTwitchStandIn({
    users: [
      { id: '501', login: 'good' },
      { id: '502', login: 'other' },
    ],
    // Live VODs stay out of the queue: discovery alone decides about them.
    vods: [
      { id: '7001', userId: '501', live: true },
      { id: '7002', userId: '501', live: true },
      { id: '7003', userId: '502', live: true },
    ],
  });
  archive = mkdtempSync(join(tmpdir(), 'tvb-disc-'));
  const settings = standInSettings(twitch, {
    twitch: { clientId: twitch.clientId, channels: [{ channel: 'good' }, { channel: 'renamed_away' }, { channel: 'other' }] },
    destinations: [{ kind: 'folder', name: 'NAS', path: archive }],
    vod: { autoCheck: false },
  });
  engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret });
  await engine.request('queue.pause', {});
});
afterAll(async () => {
  await engine?.close();
  await twitch?.close();
  rmSync(archive, { recursive: true, force: true });
});

const pass = () => discoverAll(engine.engine.db, engine.engine.settings, new TwitchService(engine.engine));

describe('discovery per channel', () => {
  it('an unknown channel is reported (status, notice, result) while the other channels are listed', async () => {
    const result = await pass();
    expect(result.channels).toBe(2);
    for (const id of ['7001', '7002', '7003']) expect(getVod(engine.engine.db, id)?.status).toBe('live');
    expect(result.channelProblems).toEqual([{ channel: 'renamed_away', message: expect.stringMatching(/no channel "renamed_away".*renamed/) }]);
    expect(engine.engine.status.channelProblems).toEqual(result.channelProblems);
    expect(engine.notices.filter((n) => n.kind === 'channelProblem')).toHaveLength(1);
    // Reported once, not at every pass.
    await pass();
    expect(engine.notices.filter((n) => n.kind === 'channelProblem')).toHaveLength(1);
  });

  it('a malformed channel entry and a suspended channel are problems of their own; the good ones go on', async () => {
    twitch.addVod({ id: '7004', userId: '502', live: true });
    const settings = engine.engine.settings;
    const result = await discoverAll(
      engine.engine.db,
      {
        ...settings,
        twitch: {
          ...settings.twitch,
          channels: [
            { channel: 'bad name!', destinations: [], liveMode: 'postWhileLive' as const },
            { channel: '501', destinations: [], liveMode: 'postWhileLive' as const },
            { channel: 'suspended_one', destinations: [], liveMode: 'postWhileLive' as const },
            { channel: 'other', destinations: [], liveMode: 'postWhileLive' as const },
          ],
        },
      },
      new TwitchService(engine.engine),
    );
    expect(result.channels).toBe(2);
    expect(result.inserted).toEqual(['7004']);
    expect(result.channelProblems.map((p) => p.channel)).toEqual(['bad name!', 'suspended_one']);
    expect(result.channelProblems[0].message).toMatch(/not a Twitch channel name/);
  });
});

describe('source gone', () => {
  it('a VOD missing from one answer is kept; after two more consecutive misses it fails as vanished', async () => {
    twitch.removeVod('7002');
    await pass();
    expect(getVod(engine.engine.db, '7002')).toMatchObject({ status: 'live', missing_since: expect.any(String) });
    await pass();
    expect(getVod(engine.engine.db, '7002')!.status).toBe('live');
    const third = await pass();
    expect(third.vanished).toEqual(['7002']);
    expect(getVod(engine.engine.db, '7002')).toMatchObject({ status: 'failed', error_class: 'permanent', last_error: expect.stringMatching(/no longer lists/) });
  });

  it('listed again within the grace: nothing happens, and the count starts over', async () => {
    twitch.removeVod('7001');
    await pass();
    await pass();
    twitch.addVod({ id: '7001', userId: '501', live: true });
    await pass();
    expect(getVod(engine.engine.db, '7001')).toMatchObject({ status: 'live', missing_since: null });
    twitch.removeVod('7001');
    await pass();
    await pass();
    expect(getVod(engine.engine.db, '7001')!.status).toBe('live');
  });

  it('work started and every segment on disk: not failed, finishes from the local copy; segments missing: fails with the reason', async () => {
    const db = engine.engine.db;
    twitch.addVod({ id: '7005', userId: '501' });
    twitch.addVod({ id: '7006', userId: '501' });
    await pass();
    for (const id of ['7005', '7006']) {
      saveSegmentList(
        db,
        id,
        [0, 1, 2].map((i) => ({ index: i, uri: `http://x/${i}.ts`, durationSec: 2, muted: false })),
      );
      updateVod(db, id, { status: 'pending', next_retry: '2099-01-01T00:00:00.000Z' });
    }
    for (const i of [0, 1, 2]) markSegmentDone(db, '7005', i, 100);
    markSegmentDone(db, '7006', 0, 100);
    twitch.removeVod('7005');
    twitch.removeVod('7006');
    for (let i = 0; i < 3; i++) await pass();
    expect(getVod(db, '7005')).toMatchObject({ status: 'pending' });
    expect(sourceGoneSince(db, '7005')).toEqual(expect.any(String));
    expect(getVod(db, '7006')).toMatchObject({ status: 'failed', last_error: expect.stringMatching(/2 of its 3 segments had not been downloaded/) });
  });
});
