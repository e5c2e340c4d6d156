import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readLivePlaylist } from '../../electron/engine/download/follow';
import { HelixClient } from '../../electron/engine/twitch/helix';
import { listArchiveVideos } from '../../electron/engine/twitch/videos';
import type { TwitchEndpoints } from '../../electron/engine/twitch/endpoints';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tvb-standin-live-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('stand-in CLI, live mode', () => {
  it('replays a VOD as a broadcast that grows, and ends it on request', async () => {
    const file = join(root, 'opts.json');
    writeFileSync(
      file,
      JSON.stringify({
        users: [{ id: '9', login: 'dave' }],
        // 1 media second per wall second: the broadcast cannot end by itself within the test.
        media: [
          { vod: { id: '43', userId: '9' }, hls: { durationSec: 120, segmentSec: 2, width: 160, height: 90, videoKbps: 100 }, cacheKey: 'cli-live-test', live: { speed: 1 } },
        ],
      }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../fakes/twitch/cli.ts'), file], {
      cwd: resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((res) => createInterface({ input: child.stdout }).once('line', res));
      const info = JSON.parse(line) as { endpoints: TwitchEndpoints; origin: string; clientId: string; clientSecret: string };
      const url = `${info.origin}/media/43/chunked/index-dvr.m3u8`;
      const helix = new HelixClient({ endpoints: info.endpoints, clientId: info.clientId, clientSecret: info.clientSecret });
      expect((await listArchiveVideos(helix, '9'))[0]!.thumbnailUrl).toContain('404_processing');
      expect(readLivePlaylist(await (await fetch(url)).text(), url).ended).toBe(false);

      await fetch(`${info.origin}/_control/live`, { method: 'POST', body: JSON.stringify({ id: '43', live: false }) });
      const ended = readLivePlaylist(await (await fetch(url)).text(), url);
      expect(ended.ended).toBe(true);
      expect(ended.segments.length).toBeLessThan(60);
      expect((await listArchiveVideos(helix, '9'))[0]!.thumbnailUrl).not.toContain('404_processing');
    } finally {
      child.kill('SIGTERM');
    }
  }, 180_000);
});
