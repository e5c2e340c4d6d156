import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partsOf } from '../../electron/engine/store/parts';
import { makeHls } from '../media/gen';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine, type TestEngine } from './helpers';

let twitch: TwitchStandIn;
let engine: TestEngine;
let scratch: string;

const size = (path: string) => execFileSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=width,height', '-of', 'csv=p=0', path]).toString().trim();

beforeAll(async () => {
  scratch = mkdtempSync(join(tmpdir(), 'tvb-reschange-'));
  // One continuous broadcast whose picture size changes after 6 s (the streamer changed settings).
  const a = await makeHls({ dir: scratch, prefix: 'a', seconds: 6, segmentSec: 2 });
  const b = await makeHls({ dir: scratch, prefix: 'b', seconds: 6, segmentSec: 2, width: 128, height: 72, tsOffsetSec: 6, firstIndex: a.length });
  const segments = [...a, ...b].map((s, i) => ({ name: `${i}.ts`, path: s.path, bytes: s.bytes, durationSec: s.durationSec }));
  twitch = await startTwitchStandIn({ users: [{ id: '31', login: 'switcher' }], vods: [{ id: '3100', userId: '31', title: 'Resolution change', hls: { segments } }] });
  engine = await startTestEngine(
    standInSettings(twitch, {
      twitch: { clientId: twitch.clientId, channels: [{ channel: 'switcher' }] },
      destinations: [{ kind: 'folder', name: 'NAS', path: join(scratch, 'archive') }],
    }),
    { twitchClientSecret: twitch.clientSecret },
  );
});
afterAll(async () => {
  await engine?.close();
  await twitch?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a picture size change mid-VOD', () => {
  it('starts a new part there, so no MP4 mixes two sizes', async () => {
    await engine.waitForStatus('3100', 'completed');
    expect(partsOf(engine.engine.db, '3100').map((p) => [p.first_segment, p.last_segment])).toEqual([
      [0, 2],
      [3, 5],
    ]);
    const dir = join(scratch, 'archive', 'switcher');
    const [vodDir] = readdirSync(dir);
    const files = readdirSync(join(dir, vodDir))
      .filter((f) => f.endsWith('.mp4'))
      .sort();
    expect(files.map((f) => size(join(dir, vodDir, f)))).toEqual(['160,90', '128,72']);
  });
});
