import nodeLog from 'electron-log/node';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineToHost } from '../../electron/contract/host';
import { createLogger } from '../../electron/engine/util/log';
import { registerSecret } from '../../electron/engine/util/redact';

import { LOG_MAX_BYTES, createAppLog } from '../../electron/main/log-file';

const dir = mkdtempSync(join(tmpdir(), 'tvb-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('one log file, written by main', () => {
  const file = join(dir, 'twitch-vod-backup.log');
  const sink = nodeLog.create({ logId: 'log-test' });
  const appLog = createAppLog(file, 'info', sink as never, 4096);

  it("holds main's own lines and the engine's lines sent over the host channel, redacted, at the set level", () => {
    registerSecret('s3cr3t-token-value');
    createLogger('main.test').info('main says hello with s3cr3t-token-value');
    // What the engine sends (engine/host/utility.ts) passes the host contract, then main writes it.
    const message = EngineToHost.parse({ type: 'log', line: { time: new Date().toISOString(), level: 'warn', scope: 'scheduler', message: 'engine line' } });
    if (message.type !== 'log') throw new Error('not a log message');
    appLog.write(message.line);
    appLog.write({ time: '', level: 'debug', scope: 'scheduler', message: 'too detailed' });
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/\[info\]\s*\(main\.test\)\s*main says hello with \[redacted/);
    expect(text).not.toContain('s3cr3t-token-value');
    expect(text).toMatch(/\[warn\]\s*\(scheduler\)\s*engine line/);
    expect(text).not.toContain('too detailed');
    appLog.setLevel('debug');
    appLog.write({ time: '', level: 'debug', scope: 'scheduler', message: 'now detailed' });
    expect(readFileSync(file, 'utf8')).toContain('now detailed');
  });

  it('rotates at the size the README names (5 MiB in the app), keeping one old file', () => {
    expect(LOG_MAX_BYTES).toBe(5 * 1024 * 1024);
    for (let i = 0; i < 100; i++) appLog.write({ time: '', level: 'info', scope: 'engine', message: `line ${i} ${'x'.repeat(60)}` });
    expect(existsSync(join(dir, 'twitch-vod-backup.old.log'))).toBe(true);
    expect(readFileSync(file).length).toBeLessThanOrEqual(4096 + 200);
  });

  it('the host contract refuses a malformed log line', () => {
    expect(EngineToHost.safeParse({ type: 'log', line: { level: 'loud', scope: 'x', message: 'y', time: '' } }).success).toBe(false);
  });
});
