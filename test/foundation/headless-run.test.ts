/**
 * Headless mode with a complete configuration: plain progress lines when stdout is not a terminal,
 * hot reload (an invalid edit is rejected and the last good settings stay), and SIGTERM exits 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hlsCacheDir, makeHlsVod } from '../fakes/hls';
import { startTwitchStandIn, type TwitchStandIn } from '../fakes/twitch/server';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
let twitch: TwitchStandIn;
let dir: string;

beforeAll(async () => {
  const params = { durationSec: 6, segmentSec: 2, width: 160, height: 90, videoKbps: 600 };
  const hls = await makeHlsVod(hlsCacheDir('headless-run', params), params);
  twitch = await startTwitchStandIn({ users: [{ id: '77', login: 'headless' }], vods: [{ id: '7700', userId: '77', title: 'Headless run', hls }] });
  dir = mkdtempSync(join(tmpdir(), 'tvb-headless-run-'));
});
afterAll(async () => {
  await twitch?.close();
  rmSync(dir, { recursive: true, force: true });
});

const config = (checkIntervalSec: number) => ({
  twitch: { clientId: twitch.clientId, channels: [{ channel: 'headless' }] },
  destinations: [{ kind: 'folder', name: 'Archive', path: 'archive' }],
  vod: { checkIntervalSec },
  telegram: { postDelaySec: 0 },
  advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0 },
});

describe('headless run', () => {
  it('backs up, prints one line per step, reloads settings safely, and stops on SIGTERM with 0', async () => {
    const configFile = join(dir, 'settings.json');
    writeFileSync(configFile, JSON.stringify(config(600)));
    writeFileSync(join(dir, 'secrets.json'), JSON.stringify({ twitchClientSecret: twitch.clientSecret }), { mode: 0o600 });
    const child = spawn(process.execPath, ['--import', TSX, 'electron/engine/host/headless.ts', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

    await expect.poll(() => out, { timeout: 60_000 }).toMatch(/VOD 7700 completed\/done/);
    // The title once, in the first line about the VOD; then short lines.
    expect(out.match(/"Headless run"/g)).toHaveLength(1);
    expect(out).toMatch(/VOD 7700 downloading: \d+% of 3 segments/);
    expect(out).not.toContain('\x1b['); // no terminal control codes when not a terminal

    writeFileSync(configFile, JSON.stringify({ ...config(600), ordering: { field: 'title' } }));
    await expect.poll(() => err, { timeout: 20_000 }).toMatch(/settings change rejected, the previous settings stay in force[\s\S]*ordering\.field/);
    writeFileSync(configFile, JSON.stringify(config(900)));
    await expect.poll(() => err, { timeout: 20_000 }).toMatch(/settings reloaded/);

    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).not.toContain(twitch.clientSecret);
  });
});
