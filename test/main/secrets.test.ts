import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretStore, storageInfo, type SafeStorageLike } from '../../electron/main/secrets';
import { redact } from '../../electron/engine/util/redact';

const tmp = mkdtempSync(join(tmpdir(), 'tvb-secrets-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Real AES-256-GCM with a random key: what a keyring-backed safeStorage does, minus the keyring. */
function fakeSafeStorage(available = true, backend = 'gnome_libsecret'): SafeStorageLike & { encrypted: number } {
  const key = randomBytes(32);
  return {
    encrypted: 0,
    isEncryptionAvailable: () => available,
    encryptString(plain) {
      this.encrypted++;
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString(cipher) {
      const d = createDecipheriv('aes-256-gcm', key, cipher.subarray(0, 12));
      d.setAuthTag(cipher.subarray(12, 28));
      return Buffer.concat([d.update(cipher.subarray(28)), d.final()]).toString('utf8');
    },
    getSelectedStorageBackend: () => backend,
  };
}

const session = `1BAAOMTQ5LjE1NC4xNjcuOTEAU${'x'.repeat(300)}`;
const token = 'oauth-user-token-abcdef0123456789';

/** Every spelling of a secret that would count as "plain text" on disk. */
function leaks(file: string, secret: string): boolean {
  const raw = readFileSync(file);
  const forms = [
    secret,
    Buffer.from(secret).toString('base64'),
    Buffer.from(JSON.stringify({ t: secret }))
      .toString('base64')
      .slice(4, 20),
  ];
  return forms.some((f) => raw.includes(f)) || raw.toString('latin1').includes(secret.slice(0, 16));
}

describe('SecretStore', () => {
  it('never writes a secret in plain text when encryption is available, and reads it back', () => {
    const file = join(tmp, 'enc.json');
    const storage = fakeSafeStorage();
    const store = new SecretStore(file, storage);
    store.update({ telegramSession: session, twitchUserToken: token });
    expect(storage.encrypted).toBe(1);
    expect(leaks(file, session)).toBe(false);
    expect(leaks(file, token)).toBe(false);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({ v: 1, format: 'safeStorage' });
    // A fresh store (next app start) decrypts it.
    expect(new SecretStore(file, storage).load()).toEqual({ telegramSession: session, twitchUserToken: token });
  });

  it('writes the file with mode 0600, atomically (no temp file left)', () => {
    const file = join(tmp, 'mode.json');
    const store = new SecretStore(file, fakeSafeStorage());
    store.update({ twitchClientSecret: 'client-secret-123456' });
    store.update({ twitchRefreshToken: 'refresh-123456' });
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(tmp).filter((f) => f.startsWith('mode.json'))).toEqual(['mode.json']);
  });

  it('merges patches and deletes keys set to undefined or empty', () => {
    const store = new SecretStore(join(tmp, 'merge.json'), fakeSafeStorage());
    store.update({ a: '1111', b: '2222' });
    expect(store.update({ a: undefined, c: '3333', b: '' })).toEqual({ c: '3333' });
  });

  it('registers loaded and stored secrets with the redactor', () => {
    const file = join(tmp, 'redact.json');
    const storage = fakeSafeStorage();
    new SecretStore(file, storage).update({ telegramBotToken: 'bot-token-value-xyz' });
    expect(redact('sent bot-token-value-xyz to the engine')).toBe('sent [redacted] to the engine');
  });

  it('without any encryption it obfuscates, and says so', () => {
    const file = join(tmp, 'plain.json');
    new SecretStore(file, fakeSafeStorage(false)).update({ twitchUserToken: token });
    expect(readFileSync(file, 'utf8')).not.toContain(token);
    expect(JSON.parse(readFileSync(file, 'utf8')).format).toBe('plain');
    expect(new SecretStore(file, fakeSafeStorage(false)).load()).toEqual({ twitchUserToken: token });
    expect(storageInfo(fakeSafeStorage(false), 'linux')).toMatchObject({ encrypted: false });
    expect(storageInfo(fakeSafeStorage(false), 'linux').warning).toMatch(/unencrypted/);
  });

  it('tells the UI that Linux basic_text only obfuscates; a keyring or macOS/Windows encrypts', () => {
    expect(storageInfo(fakeSafeStorage(true, 'basic_text'), 'linux')).toMatchObject({ backend: 'basic_text', encrypted: false });
    expect(storageInfo(fakeSafeStorage(true, 'basic_text'), 'linux').warning).toMatch(/only obfuscated/);
    expect(storageInfo(fakeSafeStorage(true, 'kwallet5'), 'linux')).toEqual({ backend: 'kwallet5', encrypted: true, warning: null });
    expect(storageInfo(fakeSafeStorage(true), 'darwin')).toEqual({ backend: 'keychain', encrypted: true, warning: null });
    expect(storageInfo(fakeSafeStorage(true), 'win32')).toEqual({ backend: 'dpapi', encrypted: true, warning: null });
  });

  it('reports a damaged or undecryptable file clearly, without echoing its content', () => {
    const file = join(tmp, 'damaged.json');
    new SecretStore(file, fakeSafeStorage()).update({ telegramSession: session });
    // Another key (keyring reset): cannot decrypt.
    expect(() => new SecretStore(file, fakeSafeStorage()).load()).toThrow(/could not be decrypted/);
    try {
      new SecretStore(file, fakeSafeStorage()).load();
    } catch (err) {
      expect((err as Error).message).not.toContain(session.slice(0, 20));
    }
    expect(() => new SecretStore(file, fakeSafeStorage(false)).load()).toThrow(/keyring is not available/);
  });
});

describe('SecretStore folder', () => {
  it('creates a missing data folder (first run)', () => {
    const file = join(tmp, 'first-run', 'nested', 'secrets.json');
    new SecretStore(file, fakeSafeStorage()).update({ twitchUserToken: 'tok-123456' });
    expect(statSync(file).isFile()).toBe(true);
  });
});

describe('SecretStore after a keyring reset', () => {
  it('moves the unreadable file aside so a new sign-in can be saved', () => {
    const file = join(tmp, 'reset.json');
    new SecretStore(file, fakeSafeStorage()).update({ telegramSession: session });
    const fresh = fakeSafeStorage(); // another key: the old file cannot be decrypted
    const store = new SecretStore(file, fresh);
    expect(() => store.load()).toThrow(/could not be decrypted/);
    expect(store.update({ twitchUserToken: token })).toEqual({ twitchUserToken: token });
    expect(new SecretStore(file, fresh).load()).toEqual({ twitchUserToken: token });
    expect(
      readdirSync(tmp)
        .filter((f) => f.startsWith('reset.json'))
        .sort(),
    ).toEqual(['reset.json', 'reset.json.unreadable']);
  });
});
