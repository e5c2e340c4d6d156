import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { configureLogFile, createLogger, onLogLine, type LogLine } from '../../electron/engine/util/log';
import { redact, registerSecret } from '../../electron/engine/util/redact';

const dir = mkdtempSync(join(tmpdir(), 'tvb-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('secrets never reach a log line', () => {
  const secrets = {
    clientSecret: 'q8w7e6r5t4y3u2i1o0p9a8s7d6f5g4',
    accessToken: 'abcdef0123456789abcdef01234567',
    session: `1${'AgE5bXlzZXNzaW9uc3RyaW5n'.repeat(15)}`,
    phone: '+39 333 123 4567',
    password: 'correct horse battery staple',
  };

  it('redacts registered secrets and credential-shaped text in the file and for listeners', () => {
    const file = join(dir, 'engine.log');
    configureLogFile(file, 'debug');
    for (const value of Object.values(secrets)) registerSecret(value);
    const seen: LogLine[] = [];
    const off = onLogLine((l) => seen.push(l));
    const log = createLogger('test');
    log.info(`token response ${JSON.stringify({ access_token: secrets.accessToken, expires_in: 5000 })}`);
    log.warn(`client secret was ${secrets.clientSecret}`);
    log.error('login failed', new Error(`for ${secrets.phone} with password ${secrets.password}`));
    log.info('session saved', { session: secrets.session });
    log.info('phone without spaces +393331234567 and digits 393331234567');
    log.debug('header Authorization: Bearer zzzzzzzzzzzzzzzzzzzzzz and OAuth header Authorization: OAuth yyyyyyyyyyyy');
    off();
    const text = readFileSync(file, 'utf8') + seen.map((l) => l.message).join('\n');
    for (const value of [...Object.values(secrets), '393331234567', 'zzzzzzzzzzzzzzzzzzzzzz', 'yyyyyyyyyyyy']) {
      expect(text).not.toContain(value);
    }
    expect(text).toContain('[redacted]');
    expect(seen).toHaveLength(6);
    configureLogFile(null);
  });

  it('leaves ordinary text alone', () => {
    expect(redact('Downloaded 12 segments of VOD 2001234567 in 3.2 s')).toBe('Downloaded 12 segments of VOD 2001234567 in 3.2 s');
    // Validation messages name fields like "token" or "code": the field names stay readable.
    expect(redact('params.token: must be a bot token; params.code: must be the 4-8 digit code')).toBe('params.token: must be a bot token; params.code: must be the 4-8 digit code');
    expect(redact('GET https://usher.example/vod/1.m3u8?sig=abc123&token=%7B%22x%22%7D&allow_source=true')).toBe(
      'GET https://usher.example/vod/1.m3u8?sig=[redacted]&token=[redacted]&allow_source=true',
    );
  });
});
