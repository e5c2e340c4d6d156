import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../electron/engine/store/database';
import { uploadsOf } from '../../electron/engine/store/uploads';
import { getVod, insertVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine, type TestEngine } from './helpers';

const params = { durationSec: 8, segmentSec: 2, width: 160, height: 90, videoKbps: 800 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let archive: string;
let engine: TestEngine;
let dataDir: string;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-controls', params), params);
  twitch = await startTwitchStandIn({
    users: [{ id: '2001', login: 'controls' }],
    vods: [
      { id: '3001', userId: '2001', title: 'First', createdAt: '2026-11-01T10:00:00Z', hls },
      { id: '3002', userId: '2001', title: 'Second', createdAt: '2026-11-02T10:00:00Z', hls },
    ],
  });
  archive = mkdtempSync(join(tmpdir(), 'tvb-controls-'));
});
afterAll(async () => {
  await engine?.close();
  await twitch?.close();
  rmSync(archive, { recursive: true, force: true });
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('queue controls', () => {
  it('removes stale work folders at start, keeps those of unfinished VODs', async () => {
    const settings = standInSettings(twitch, {
      twitch: { clientId: twitch.clientId, channels: [{ channel: 'controls' }] },
      destinations: [{ kind: 'folder', name: 'NAS', path: archive }],
      vod: { autoCheck: false },
    });
    // A data folder left behind by an earlier run: one finished VOD's folder, one unknown.
    const dir = (dataDir = mkdtempSync(join(tmpdir(), 'tvb-stale-')));
    const db = openDatabase(join(dir, 'vods.db'));
    insertVod(db, {
      id: '999',
      channel_id: '2001',
      channel_name: 'controls',
      title: 'old',
      created_at: '2026-01-01T00:00:00.000Z',
      duration: 1,
      duration_str: '1s',
      status: 'completed',
      url: '',
      thumbnail_url: '',
    });
    insertVod(db, {
      id: '998',
      channel_id: '2001',
      channel_name: 'controls',
      title: 'gave up',
      created_at: '2026-01-02T00:00:00.000Z',
      duration: 1,
      duration_str: '1s',
      status: 'failed',
      url: '',
      thumbnail_url: '',
    });
    db.close();
    for (const id of ['999', '998', '123']) mkdirSync(join(dir, 'work', id, 'segments'), { recursive: true });
    writeFileSync(join(dir, 'work', '999', 'segments', '0.ts'), 'x');
    engine = await startTestEngine({ ...settings, paths: { workDir: join(dir, 'work'), database: join(dir, 'vods.db') } }, { twitchClientSecret: twitch.clientSecret });
    // The failed VOD keeps its files: "Retry now" resumes from them.
    expect(readdirSync(join(dir, 'work'))).toEqual(['998']);
  });

  it('skips a VOD (never posted), backs up the other, then posts a completed one again on demand', async () => {
    await engine.request('queue.pause', {});
    await engine.request('queue.checkNow', {});
    await expect.poll(() => engine.engine.status.state).toBe('paused');
    // Paused: "check now" is remembered but nothing runs until resume.
    await engine.request('queue.resume', {});
    await expect.poll(() => getVod(engine.engine.db, '3002')?.status, { timeout: 30_000 }).toBeDefined();
    await engine.request('vod.skip', { vodId: '3002' });
    await engine.waitForStatus('3002', 'skipped');
    await engine.waitForStatus('3001', 'completed');
    expect(uploadsOf(engine.engine.db, '3002', 0).filter((u) => u.state === 'posted')).toEqual([]);
    const channelDir = join(archive, 'controls');
    expect(readdirSync(channelDir)).toHaveLength(1);

    await engine.request('vod.repost', { vodId: '3001' });
    await expect.poll(() => getVod(engine.engine.db, '3001')?.generation, { timeout: 10_000 }).toBe(1);
    await engine.waitForStatus('3001', 'completed');
    expect(uploadsOf(engine.engine.db, '3001', 1).every((u) => u.state === 'posted')).toBe(true);
    expect(uploadsOf(engine.engine.db, '3001', 0).length).toBeGreaterThan(0); // history kept
    expect(existsSync(join(dataDir, 'work', '3001'))).toBe(false);
  });

  it('answers a control for an unknown VOD with a clear error', async () => {
    const r = await engine.dispatch({ kind: 'request', id: 2, method: 'vod.retryNow', params: { vodId: '42' } });
    expect(r).toMatchObject({ ok: false, error: { message: 'No VOD 42 is known.' } });
  });

  it('lists history with search, escaping LIKE wildcards', async () => {
    const all = (await engine.request('history.list', { query: '' })) as { total: number };
    expect(all.total).toBe(4); // 3001, 3002 and the two rows the data folder came with
    const first = (await engine.request('history.list', { query: 'Firs', status: 'completed' })) as { rows: Array<{ id: string }> };
    expect(first.rows.map((r) => r.id)).toEqual(['3001']);
    const wildcard = (await engine.request('history.list', { query: '%' })) as { total: number };
    expect(wildcard.total).toBe(0);
  });
});
