/**
 * The queue loop waits once per turn (for the next check, a retry, or a wake-up) and must not
 * leave anything behind per turn: issue 17 saw an abort listener added on every turn and never
 * removed (Node's MaxListenersExceededWarning after 10 turns).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine } from './helpers';

let twitch: TwitchStandIn;
let archive: string;

beforeAll(async () => {
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer' }] });
  archive = mkdtempSync(join(tmpdir(), 'tvb-loop-'));
});

afterAll(async () => {
  await twitch?.close();
  rmSync(archive, { recursive: true, force: true });
});

it('runs many turns of the queue loop without piling up abort listeners', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => void warnings.push(w);
  process.on('warning', onWarning);
  const engine = await startTestEngine(standInSettings(twitch, { destinations: [{ kind: 'folder', name: 'NAS', path: archive }] }), {
    twitchClientSecret: twitch.clientSecret,
  });
  try {
    const listings = () => twitch.stats.requests['GET /helix/videos'] ?? 0;
    for (let turn = 1; turn <= 30; turn++) {
      const before = listings();
      await engine.request('queue.checkNow');
      // Each check is one full turn: discovery ran (the channel's archive was listed) and the loop waits again.
      await expect.poll(listings, { timeout: 30_000, interval: 10 }).toBeGreaterThan(before);
    }
    await new Promise((r) => setTimeout(r, 100)); // warnings are emitted on the next tick
    expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning').map((w) => w.message)).toEqual([]);
  } finally {
    process.off('warning', onWarning);
    await engine.close();
  }
}, 120_000);
