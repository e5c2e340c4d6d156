/**
 * An installed app on a machine without ffmpeg on PATH: the only tools are the ones bundled under
 * `resources/bin/<platform>-<arch>` (here: links to the system's). A whole VOD must back up with a
 * thumbnail per part, and so must one that needs the whole-file fallback (yt-dlp, then ffmpeg).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partsOf } from '../../electron/engine/store/parts';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine, type TestEngine } from './helpers';

const params = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 1600 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let scratch: string;
let resources: string;
let archive: string;
const savedPath = process.env.PATH;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-bundled-tools', params), params);
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }] });
  scratch = mkdtempSync(join(tmpdir(), 'tvb-bundled-'));
  resources = join(scratch, 'resources');
  archive = join(scratch, 'archive');
  const bin = join(resources, 'bin', `${process.platform}-${process.arch}`);
  mkdirSync(bin, { recursive: true });
  for (const tool of ['ffmpeg', 'ffprobe', 'yt-dlp']) symlinkSync(`/usr/bin/${tool}`, join(bin, tool));
  // Nothing on PATH: a tool found anywhere but the bundled folder would be a bug.
  process.env.PATH = '';
}, 120_000);

afterAll(async () => {
  process.env.PATH = savedPath;
  await twitch?.close();
  rmSync(scratch, { recursive: true, force: true });
});

async function backUp(vodId: string, login: string): Promise<{ engine: TestEngine; files: string[] }> {
  const settings = standInSettings(twitch, {
    twitch: { clientId: twitch.clientId, channels: [{ channel: login }] },
    destinations: [{ kind: 'folder', name: 'Archive', path: archive }],
  });
  const engine = await startTestEngine(settings, { twitchClientSecret: twitch.clientSecret }, { resourcesDir: resources });
  await engine.waitForStatus(vodId, 'completed', 120_000);
  const channelDir = join(archive, login);
  const [vodDir] = readdirSync(channelDir).filter((d) => d.includes(`[${vodId}]`));
  return { engine, files: readdirSync(join(channelDir, vodDir)).sort() };
}

describe('bundled tools only (PATH empty)', () => {
  it('backs up a VOD with a thumbnail for every part', async () => {
    twitch.addUser({ id: '2001', login: 'bundled' });
    twitch.addVod({ id: '7201', userId: '2001', title: 'Bundled tools', createdAt: '2026-11-01T10:00:00Z', hls });
    const { engine, files } = await backUp('7201', 'bundled');
    try {
      const parts = partsOf(engine.engine.db, '7201');
      expect(parts.length).toBeGreaterThanOrEqual(2);
      for (const p of parts) {
        const base = `part-${String(p.idx).padStart(2, '0')}`;
        expect(files).toContain(`${base}.mp4`);
        expect(files).toContain(`${base}.jpg`);
      }
    } finally {
      await engine.close();
    }
  }, 180_000);

  it('the whole-file fallback (yt-dlp, then ffmpeg) works with the bundled tools', async () => {
    twitch.addUser({ id: '2002', login: 'bundledwhole' });
    twitch.addVod({ id: '7202', userId: '2002', title: 'Bundled whole file', createdAt: '2026-11-01T10:00:00Z', hls });
    twitch.setFault({ kind: 'status', target: 'segment', status: 404, segment: 0, times: 1 });
    const { engine, files } = await backUp('7202', 'bundledwhole');
    try {
      const ops = engine.engine.db.prepare(`SELECT operation_type, status FROM operations WHERE vod_id = ?`).all('7202') as Array<{ operation_type: string; status: string }>;
      expect(ops).toContainEqual({ operation_type: 'download-whole-file', status: 'ok' });
      const parts = partsOf(engine.engine.db, '7202');
      expect(parts.length).toBeGreaterThanOrEqual(2);
      for (const p of parts) expect(files).toContain(`part-${String(p.idx).padStart(2, '0')}.jpg`);
    } finally {
      twitch.clearFaults();
      await engine.close();
    }
  }, 180_000);
});
