/**
 * Issue 17 item 5: a temp file left in an archive folder by a crash or a cancelled copy (our one
 * pattern, util/temp-files.ts) is removed at the next start; a user's own files beside it, and a
 * file of that pattern outside our archive folders, are kept.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempPathFor } from '../../electron/engine/util/temp-files';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';
import { standInSettings, startTestEngine } from './helpers';

let twitch: TwitchStandIn;
let scratch: string;

beforeAll(async () => {
  twitch = await startTwitchStandIn({ users: [{ id: '1001', login: 'streamer', displayName: 'Streamer' }] });
  scratch = mkdtempSync(join(tmpdir(), 'tvb-sweep-'));
});
afterAll(async () => {
  await twitch?.close();
  rmSync(scratch, { recursive: true, force: true });
});

describe('temp files in folder destinations', () => {
  it("are removed at start; the user's files stay", async () => {
    const archive = join(scratch, 'NAS');
    const vodDir = join(archive, 'Streamer', '2026-11-01 Night [7601]');
    mkdirSync(vodDir, { recursive: true });
    const otherPid = process.pid === 4_000_001 ? 4_000_002 : 4_000_001;
    const leftovers = [tempPathFor(join(vodDir, 'part-01.mp4'), otherPid), tempPathFor(join(vodDir, 'metadata.json'), otherPid)];
    const kept = [
      join(vodDir, 'part-01.mp4'),
      join(vodDir, 'notes.txt'),
      join(vodDir, '.part-01.mp4.partial'),
      join(vodDir, '.notes.txt.tmp'),
      // Our pattern, but not inside one of our archive folders.
      tempPathFor(join(archive, 'Streamer', 'mine.mp4'), otherPid),
      tempPathFor(join(archive, 'mine.mp4'), otherPid),
    ];
    for (const file of [...leftovers, ...kept]) writeFileSync(file, 'x');
    const engine = await startTestEngine(standInSettings(twitch, { destinations: [{ kind: 'folder', name: 'NAS', path: archive }] }), { twitchClientSecret: twitch.clientSecret });
    try {
      await expect.poll(() => leftovers.filter((f) => existsSync(f)), { timeout: 30_000 }).toEqual([]);
      expect(kept.filter((f) => !existsSync(f))).toEqual([]);
    } finally {
      await engine.close();
    }
  }, 120_000);
});
