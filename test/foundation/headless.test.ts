import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'tvb-headless-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function headless(args: string[], env: NodeJS.ProcessEnv = {}) {
  try {
    const { stdout, stderr } = await run('npx', ['tsx', 'electron/engine/host/headless.ts', ...args], {
      env: { ...process.env, ...env },
      timeout: 60_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('headless mode', () => {
  it('exits 2 on {} naming the Twitch client id and every other missing field', async () => {
    const config = join(dir, 'empty.json');
    writeFileSync(config, '{}');
    const { code, stderr } = await headless(['--config', config]);
    expect(code).toBe(2);
    expect(stderr).toContain('twitch.clientId');
    expect(stderr).toContain('secrets.twitchClientSecret');
    expect(stderr).toContain('twitch.channels');
    expect(stderr).toContain('destinations');
  });

  it('says where a JSON syntax error is', async () => {
    const config = join(dir, 'broken.json');
    writeFileSync(config, '{\n  "twitch": {\n    "clientId": "x",\n  }\n}');
    const { code, stderr } = await headless(['--config', config]);
    expect(code).toBe(2);
    expect(stderr).toMatch(/line 4, column \d+/);
  });

  it('reads a legacy config.json as is, keeps its secrets out of messages, and names bad values', async () => {
    const config = join(dir, 'config.json');
    writeFileSync(
      config,
      JSON.stringify({
        TWITCH_CLIENT_ID: 'abc',
        TWITCH_CLIENT_SECRET: 'legacy-secret-value-123',
        TWITCH_CHANNEL_ID: '123456',
        TELEGRAM_CHANNELS: [{ id: 'my channel', name: 'Bad id' }],
        SPLIT_SETTINGS: { MAX_FILE_SIZE_MB: 1000, MIN_FILE_SIZE_MB: 1800 },
        EXTRA: true,
      }),
    );
    const { code, stderr } = await headless(['--config', config]);
    expect(code).toBe(2);
    expect(stderr).toContain('legacy config.json');
    expect(stderr).toContain('destinations.0.chatId');
    expect(stderr).not.toContain('legacy-secret-value-123');
  });

  it('takes secrets from the environment and still lists what is missing', async () => {
    const config = join(dir, 'partial.json');
    writeFileSync(config, JSON.stringify({ twitch: { clientId: 'abc', channels: [{ channel: 'somestreamer' }] } }));
    const { code, stderr } = await headless(['--config', config], { TVB_TWITCH_CLIENT_SECRET: 'from-env-secret' });
    expect(code).toBe(2);
    expect(stderr).not.toContain('secrets.twitchClientSecret');
    expect(stderr).toContain('destinations');
  });
});
