import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partsOf } from '../../electron/engine/store/parts';
import { uploadsOf } from '../../electron/engine/store/uploads';
import { getVod } from '../../electron/engine/store/vods';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine, type TestEngine } from './helpers';

const params = { durationSec: 30, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let archive: string;
let engine: TestEngine;

const probeDuration = (path: string) => Number(execFileSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', path]).toString().trim());

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-folder', params), params);
  twitch = await startTwitchStandIn({
    users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }],
    vods: [
      { id: '5001', userId: '1001', title: 'Hostile <b>title</b> / with: path*chars? and emoji 🎮', createdAt: '2026-11-20T18:00:00Z', hls },
      { id: '5002', userId: '1001', title: 'Still live', live: true, hls },
    ],
  });
  archive = mkdtempSync(join(tmpdir(), 'tvb-archive-'));
  engine = await startTestEngine(
    // The legacy live mode: a VOD still being broadcast waits for its end (live archiving: live.test.ts).
    standInSettings(twitch, {
      twitch: { clientId: twitch.clientId, channels: [{ channel: 'streamer', liveMode: 'waitForEnd' }] },
      destinations: [{ kind: 'folder', name: 'NAS', path: archive }],
    }),
    { twitchClientSecret: twitch.clientSecret },
  );
});

afterAll(async () => {
  await engine?.close();
  await twitch?.close();
  rmSync(archive, { recursive: true, force: true });
});

describe('pipeline to a local folder (no Telegram account needed)', () => {
  it('discovers, downloads, cuts and delivers every part, losing nothing, then cleans up', async () => {
    await engine.waitForStatus('5001', 'completed');
    const db = engine.engine.db;
    const parts = partsOf(db, '5001');
    expect(parts.length).toBeGreaterThanOrEqual(3);
    expect(parts.every((p) => p.state === 'posted')).toBe(true);
    expect(uploadsOf(db, '5001', 0).every((u) => u.state === 'posted')).toBe(true);

    const channelDir = join(archive, 'Streamer');
    const [vodDir] = readdirSync(channelDir);
    expect(vodDir).toMatch(/^2026-11-20 Hostile <b>title<\/b>|^2026-11-20 Hostile b title/);
    expect(vodDir).not.toMatch(/[/:*?]/);
    const files = readdirSync(join(channelDir, vodDir)).sort();
    const mp4s = files.filter((f) => f.endsWith('.mp4'));
    expect(mp4s).toHaveLength(parts.length);
    expect(files).toContain('metadata.json');

    const total = mp4s.reduce((sum, f) => sum + probeDuration(join(channelDir, vodDir, f)), 0);
    expect(Math.abs(total - hls.durationSec)).toBeLessThan(0.1 * parts.length + 0.05);
    for (const f of mp4s) expect(readFileSync(join(channelDir, vodDir, f)).length).toBeLessThan(2_000_000);

    const meta = JSON.parse(readFileSync(join(channelDir, vodDir, 'metadata.json'), 'utf8'));
    expect(meta.vod.id).toBe('5001');
    expect(meta.parts).toHaveLength(parts.length);
    expect(meta.partsTotal).toBe(parts.length);

    // Every segment fetched exactly once; the work folder is gone.
    for (const s of hls.segments) expect(twitch.stats.segmentFetchCount('5001', s.index)).toBe(1);
    expect(existsSync(join(engine.dir, 'work', '5001'))).toBe(false);
    // The UI's copy of each part thumbnail outlives the work folder.
    for (const p of parts) expect(existsSync(join(engine.dir, 'thumbnails', `5001-p${p.idx}.jpg`))).toBe(true);
    expect(engine.notices.map((n) => n.kind)).toContain('vodCompleted');
  });

  it('leaves a VOD that is still live waiting when its channel waits for the end, and never downloads it', async () => {
    expect(getVod(engine.engine.db, '5002')?.status).toBe('live');
    expect(twitch.stats.segmentFetchCount('5002', 0)).toBe(0);
  });
});
