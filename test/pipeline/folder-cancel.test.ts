/**
 * Issue 17 item 9: a folder destination whose directory creation never finishes (a hung NAS)
 * does not hold the VOD: Cancel returns it to a cancelled state within seconds, and the log says
 * what was cancelled. The hang is a shim of node:fs/promises' mkdir for paths in that folder only.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import type * as FsPromises from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { getVod } from '../../electron/engine/store/vods';
import { recentLogLines } from '../../electron/engine/util/log';
import { hlsCacheDir, makeHlsVod, type HlsVod } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine } from './helpers';

const hang = vi.hoisted(() => ({ prefix: '', calls: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof FsPromises>();
  const mkdir = ((path: Parameters<typeof real.mkdir>[0], options?: Parameters<typeof real.mkdir>[1]) => {
    if (hang.prefix && String(path).startsWith(hang.prefix)) {
      hang.calls++;
      return new Promise(() => {}); // never settles, like mkdir on a NAS that stopped answering
    }
    return real.mkdir(path, options);
  }) as typeof real.mkdir;
  return { ...real, mkdir, default: { ...real, mkdir } };
});

const params = { durationSec: 8, segmentSec: 2, width: 160, height: 90, videoKbps: 800 };
let hls: HlsVod;
let twitch: TwitchStandIn;
let scratch: string;

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('pipeline-folder-cancel', params), params);
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }] });
  twitch.addVod({ id: '7701', userId: '1001', title: 'Hung NAS', createdAt: '2026-11-05T10:00:00Z', hls });
  scratch = mkdtempSync(join(tmpdir(), 'tvb-hung-'));
}, 120_000);
afterAll(async () => {
  hang.prefix = '';
  await twitch?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('a folder destination that never answers', () => {
  it('is cancelled within seconds, and the log says what was cancelled', async () => {
    const archive = join(scratch, 'NAS');
    hang.prefix = archive;
    const engine = await startTestEngine(standInSettings(twitch, { destinations: [{ kind: 'folder', name: 'NAS', path: archive }] }), { twitchClientSecret: twitch.clientSecret });
    try {
      await expect.poll(() => hang.calls, { timeout: 60_000 }).toBeGreaterThan(0);
      expect(getVod(engine.engine.db, '7701')!.status).toBe('processing');
      await engine.request('vod.cancel', { vodId: '7701' });
      await expect.poll(() => getVod(engine.engine.db, '7701')!.error_class, { timeout: 10_000 }).toBe('cancelled');
      expect(getVod(engine.engine.db, '7701')!.status).toBe('failed');
      expect(
        recentLogLines(200)
          .map((l) => l.message)
          .join('\n'),
      ).toMatch(/Folder "NAS": cancelled while creating .*\[7701\]/);
    } finally {
      await engine.close();
    }
  }, 120_000);
});
