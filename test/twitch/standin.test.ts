import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decideDiscovery } from '../../electron/engine/twitch/discovery';
import type { TwitchEndpoints } from '../../electron/engine/twitch/endpoints';
import { DEFAULT_TWITCH_ENDPOINTS, resolveEndpoints } from '../../electron/engine/twitch/endpoints';
import { HelixClient } from '../../electron/engine/twitch/helix';
import { listArchiveVideos } from '../../electron/engine/twitch/videos';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';

let root: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'tvb-standin-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('endpoints', () => {
  it('defaults to Twitch, takes settings, then environment overrides, and rejects bad URLs', () => {
    expect(resolveEndpoints()).toEqual(DEFAULT_TWITCH_ENDPOINTS);
    const e = resolveEndpoints({ helixUrl: 'http://127.0.0.1:1/helix/' }, { TWITCH_GQL_URL: 'http://127.0.0.1:2/gql' });
    expect(e.helixUrl).toBe('http://127.0.0.1:1/helix');
    expect(e.gqlUrl).toBe('http://127.0.0.1:2/gql');
    expect(e.authUrl).toBe(DEFAULT_TWITCH_ENDPOINTS.authUrl);
    expect(() => resolveEndpoints({ usherUrl: 'ftp://x' })).toThrow(/usherUrl.*http/);
    expect(() => resolveEndpoints({ authUrl: 'not a url' })).toThrow(/authUrl/);
  });
});

describe('discovery against the stand-in', () => {
  let tw: TwitchStandIn;
  afterEach(async () => tw.close());

  it('follows a VOD from live to pending, and notices a pending VOD that vanished (after the grace)', async () => {
    tw = await startTwitchStandIn({ users: [{ id: '7', login: 'carol' }] });
    tw.addVod({ id: '1', userId: '7' });
    tw.addVod({ id: '2', userId: '7', live: true });
    const helix = new HelixClient({ endpoints: tw.endpoints, clientId: tw.clientId, clientSecret: tw.clientSecret });
    const known = new Map<string, 'pending' | 'live'>();
    const first = decideDiscovery({ known, fetched: await listArchiveVideos(helix, '7') });
    expect(first.insert.map((x) => [x.video.id, x.status]).sort()).toEqual([
      ['1', 'pending'],
      ['2', 'live'],
    ]);
    for (const x of first.insert) known.set(x.video.id, x.status);

    tw.setVodLive('2', false);
    tw.removeVod('1');
    const second = decideDiscovery({ known, fetched: await listArchiveVideos(helix, '7') });
    expect(second.becamePending.map((v) => v.id)).toEqual(['2']);
    // Missing from one answer: counted, not yet vanished (grace of two more checks).
    expect(second.missing).toEqual([{ id: '1', misses: 1 }]);
    expect(second.vanished).toEqual([]);
    expect(second.insert).toEqual([]);
    const third = decideDiscovery({ known, fetched: await listArchiveVideos(helix, '7'), misses: new Map([['1', 2]]) });
    expect(third.vanished.map((v) => v.id)).toEqual(['1']);
  });
});

describe('stand-in CLI', () => {
  it('starts as a process from a JSON file, prints its endpoints, and is controllable over HTTP', async () => {
    const file = join(root, 'opts.json');
    writeFileSync(
      file,
      JSON.stringify({
        users: [{ id: '9', login: 'dave' }],
        media: [{ vod: { id: '42', userId: '9' }, hls: { durationSec: 4, segmentSec: 2, width: 160, height: 90, videoKbps: 200 }, cacheKey: 'cli-test' }],
      }),
    );
    const child = spawn(process.execPath, ['--import', 'tsx', resolve(__dirname, '../fakes/twitch/cli.ts'), file], {
      cwd: resolve(__dirname, '../..'),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    try {
      const line = await new Promise<string>((res) => createInterface({ input: child.stdout }).once('line', res));
      const info = JSON.parse(line) as { endpoints: TwitchEndpoints; origin: string; clientId: string; clientSecret: string };
      expect(info.endpoints.helixUrl).toBe(`${info.origin}/helix`);
      const helix = new HelixClient({ endpoints: info.endpoints, clientId: info.clientId, clientSecret: info.clientSecret });
      expect((await listArchiveVideos(helix, '9')).map((v) => v.id)).toEqual(['42']);

      await fetch(`${info.origin}/_control/live`, { method: 'POST', body: JSON.stringify({ id: '42', live: true }) });
      const [live] = await listArchiveVideos(helix, '9');
      expect(live.thumbnailUrl).toContain('404_processing');

      await fetch(`${info.origin}/_control/fault`, { method: 'POST', body: JSON.stringify({ kind: 'status', target: 'helix', status: 500, times: 1 }) });
      await listArchiveVideos(new HelixClient({ endpoints: info.endpoints, clientId: info.clientId, clientSecret: info.clientSecret, backoff: { baseMs: 5, maxMs: 10 } }), '9');
      const stats = (await (await fetch(`${info.origin}/_control/stats`)).json()) as { helixLog: Array<{ status: number }> };
      expect(stats.helixLog.map((l) => l.status)).toEqual([200, 200, 500, 200]);
    } finally {
      child.kill('SIGTERM');
    }
  });
});
