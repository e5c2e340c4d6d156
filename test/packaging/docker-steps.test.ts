/**
 * The Docker image's build steps (scripts/docker-build-steps.sh, the same script the Dockerfile
 * runs) without Docker: bundle headless mode, put the production packages beside it (copied from
 * node_modules instead of `npm ci`, offline), then run the result the way the image's ENTRYPOINT
 * does, `--config <volume>/config.json --data <volume>`, against the Twitch stand-in.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { hlsCacheDir, makeHlsVod } from '../fakes/hls';
import { startTwitchStandIn } from '../fakes/twitch/server';

const run = promisify(execFile);
const repo = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), 'tvb-docker-steps-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('Docker build steps (without Docker)', () => {
  it('produce /app with the headless bundle, its production packages and the licences; the entrypoint backs up a VOD into the volume', async () => {
    const app = join(tmp, 'app');
    await run('sh', [join(repo, 'scripts', 'docker-build-steps.sh'), app, '--deps', 'copy', '--no-ui'], { cwd: repo, maxBuffer: 16 * 1024 * 1024 });
    const entry = join(app, 'electron', 'engine', 'host', 'headless.js');
    expect(existsSync(entry)).toBe(true);
    for (const pkg of ['better-sqlite3', 'telegram', 'zod', 'ws']) expect(existsSync(join(app, 'node_modules', pkg, 'package.json')), pkg).toBe(true);
    for (const dev of ['vite', 'vitest', 'electron', 'electron-builder', 'ffmpeg-static']) expect(existsSync(join(app, 'node_modules', dev)), dev).toBe(false);
    expect(readFileSync(join(app, 'licenses', 'ffmpeg', 'SOURCE-OFFER.txt'), 'utf8')).toMatch(/written offer of source code/);
    expect(JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')).type).toBe('module');

    // The volume: config.json + secrets.json (0600), as README "Docker" describes.
    const params = { durationSec: 4, segmentSec: 2, width: 160, height: 90, videoKbps: 600 };
    const hls = await makeHlsVod(hlsCacheDir('docker-steps', params), params);
    const twitch = await startTwitchStandIn({ users: [{ id: '99', login: 'nasbox' }], vods: [{ id: '9900', userId: '99', title: 'On the NAS', hls }] });
    const data = join(tmp, 'data');
    mkdirSync(data);
    writeFileSync(
      join(data, 'config.json'),
      JSON.stringify({
        twitch: { clientId: twitch.clientId, channels: [{ channel: 'nasbox' }] },
        destinations: [{ kind: 'folder', name: 'NAS', path: 'archive' }],
        vod: { checkIntervalSec: 3600 },
        telegram: { postDelaySec: 0 },
        advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0 },
      }),
    );
    writeFileSync(join(data, 'secrets.json'), JSON.stringify({ twitchClientSecret: twitch.clientSecret }), { mode: 0o600 });
    // ENTRYPOINT ["node", "/app/electron/engine/host/headless.js"] CMD ["--config", "/data/config.json", "--data", "/data"]
    const child = spawn(process.execPath, [entry, '--config', join(data, 'config.json'), '--data', data], { cwd: data, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      const done = /VOD 9900 (?:"On the NAS" )?completed\/done/;
      const deadline = Date.now() + 90_000;
      while (!done.test(out) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (!done.test(out)) throw new Error(`The VOD did not complete (exit code ${child.exitCode}).\nstdout:\n${out}\nstderr:\n${err}`);
      expect(
        readdirSync(join(data, 'archive'), { recursive: true })
          .map(String)
          .some((f) => /\.(mp4|ts|mkv)$/.test(f)),
      ).toBe(true);
      expect(existsSync(join(data, 'vods.db'))).toBe(true);
      expect(existsSync(join(data, 'logs', 'engine.log')), readdirSync(data, { recursive: true }).map(String).join(', ')).toBe(true);
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(err).not.toContain(twitch.clientSecret);
    } finally {
      child.kill();
      await twitch.close();
    }
  }, 240_000);

  it('refuses unknown options clearly', async () => {
    await expect(run('sh', [join(repo, 'scripts', 'docker-build-steps.sh'), join(tmp, 'x'), '--bogus'], { cwd: repo })).rejects.toMatchObject({
      stderr: expect.stringContaining('unknown argument --bogus'),
    });
  });
});
