/**
 * The backup scope on the engine's discovery path: only broadcasts in the channel's scope are
 * added, and a known VOD outside the scope is not taken for one Twitch stopped listing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TwitchService } from '../../electron/engine/core/twitch-service';
import { discoverAll } from '../../electron/engine/pipeline/discovery-runner';
import { getMeta } from '../../electron/engine/store/meta';
import { getVod, insertVod } from '../../electron/engine/store/vods';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine, type TestEngine } from '../pipeline/helpers';

let twitch: TwitchStandIn;
let engine: TestEngine;
let archive: string;

beforeAll(async () => {
  twitch = await startTwitchStandIn({
    users: [{ id: '501', login: 'good' }],
    vods: [
      { id: '8001', userId: '501', title: 'Oldest', createdAt: '2026-10-01T18:00:00Z' },
      { id: '8002', userId: '501', title: 'Older', createdAt: '2026-10-02T18:00:00Z' },
      { id: '8003', userId: '501', title: 'Newest', createdAt: '2026-10-03T18:00:00Z' },
    ],
  });
  archive = mkdtempSync(join(tmpdir(), 'tvb-scope-'));
  const settings = standInSettings(twitch, {
    twitch: { clientId: twitch.clientId, channels: [{ channel: 'good', backup: { mode: 'last', last: 1 } }] },
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

it('adds only the broadcasts in scope, and never counts a known one outside it as missing', async () => {
  const db = engine.engine.db;
  // Backed up before the scope was narrowed: Twitch still lists it, the scope no longer covers it.
  insertVod(db, {
    id: '8001',
    channel_id: '501',
    channel_name: 'good',
    title: 'Oldest',
    created_at: '2026-10-01T18:00:00.000Z',
    duration: 60,
    duration_str: '1m',
    status: 'completed',
    url: '',
    thumbnail_url: '',
  });
  const pass = () => discoverAll(db, engine.engine.settings, new TwitchService(engine.engine));
  await pass();
  // The engine's own first pass at start may have added it already.
  expect(getVod(db, '8003')?.title).toBe('Newest');
  expect(getVod(db, '8002')).toBeUndefined();
  for (let i = 0; i < 5; i++) await pass();
  expect(getMeta(db, 'discovery-misses:8001')).toBeUndefined();
  expect(getVod(db, '8001')?.missing_since ?? null).toBeNull();
  expect(getVod(db, '8001')?.status).toBe('completed');
  expect(getVod(db, '8002')).toBeUndefined();
});
