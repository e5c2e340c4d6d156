import { chmodSync, closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { registerSecret } from '../engine/util/redact';

/**
 * Secrets (tokens, Telegram session) live apart from settings, in one file of mode 0600.
 * With encryption available the file holds only `safeStorage` ciphertext: plaintext never touches
 * the disk. Without it (no keyring at all) the JSON is only base64-obfuscated, and `storageInfo`
 * says so for the UI. On Linux the `basic_text` backend "encrypts" with a hard-coded key: it is
 * reported as obfuscation too.
 */
export type SecretMap = Record<string, string | undefined>;

/** The part of Electron's safeStorage used here (injected, so tests can pass a fake). */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(cipher: Buffer): string;
  getSelectedStorageBackend?(): string;
}

interface FileV1 {
  v: 1;
  /** 'safeStorage': data is ciphertext; 'plain': data is base64 JSON (no encryption available). */
  format: 'safeStorage' | 'plain';
  data: string;
}

export interface StorageInfo {
  backend: string;
  encrypted: boolean;
  warning: string | null;
}

export function storageInfo(storage: SafeStorageLike, platform: NodeJS.Platform = process.platform): StorageInfo {
  const available = storage.isEncryptionAvailable();
  const backend = platform === 'linux' ? (storage.getSelectedStorageBackend?.() ?? 'unknown') : platform === 'darwin' ? 'keychain' : platform === 'win32' ? 'dpapi' : 'unknown';
  if (!available) {
    return { backend, encrypted: false, warning: 'No system keyring is available: secrets are stored unencrypted (only obfuscated) in a file readable by your user account only.' };
  }
  if (platform === 'linux' && (backend === 'basic_text' || backend === 'unknown')) {
    return {
      backend,
      encrypted: false,
      warning:
        'No keyring (GNOME Keyring / KWallet) was found: secrets are only obfuscated with a fixed key, in a file readable by your user account only. Install and unlock a keyring to encrypt them.',
    };
  }
  return { backend, encrypted: true, warning: null };
}

export class SecretStore {
  private cache: SecretMap | undefined;

  constructor(
    private readonly file: string,
    private readonly storage: SafeStorageLike,
  ) {}

  load(): SecretMap {
    if (this.cache) return { ...this.cache };
    if (!existsSync(this.file)) {
      this.cache = {};
      return {};
    }
    let parsed: FileV1;
    try {
      parsed = JSON.parse(readFileSync(this.file, 'utf8')) as FileV1;
    } catch {
      throw new Error(`The secrets file ${this.file} is not valid JSON. Delete it and sign in again.`);
    }
    if (parsed?.v !== 1 || typeof parsed.data !== 'string') throw new Error(`The secrets file ${this.file} has an unknown format.`);
    let json: string;
    if (parsed.format === 'safeStorage') {
      if (!this.storage.isEncryptionAvailable()) throw new Error('The secrets are encrypted but the system keyring is not available right now.');
      try {
        json = this.storage.decryptString(Buffer.from(parsed.data, 'base64'));
      } catch {
        throw new Error(`The secrets file ${this.file} could not be decrypted (was the keyring reset?). Sign in again.`);
      }
    } else {
      json = Buffer.from(parsed.data, 'base64').toString('utf8');
    }
    const map = JSON.parse(json) as SecretMap;
    for (const value of Object.values(map)) registerSecret(value);
    this.cache = map;
    return { ...map };
  }

  /**
   * Merges a patch (undefined / empty string deletes a key) and writes the file atomically.
   * A file that cannot be read any more (keyring reset) is moved aside to `<file>.unreadable`
   * rather than blocking every new sign-in forever.
   */
  update(patch: SecretMap): SecretMap {
    let current: SecretMap;
    try {
      current = this.load();
    } catch {
      renameSync(this.file, `${this.file}.unreadable`);
      this.cache = {};
      current = {};
    }
    const next: SecretMap = { ...current };
    for (const [key, value] of Object.entries(patch)) {
      if (value === undefined || value === '') delete next[key];
      else {
        registerSecret(value);
        next[key] = value;
      }
    }
    this.write(next);
    this.cache = next;
    return { ...next };
  }

  clear(): void {
    rmSync(this.file, { force: true });
    this.cache = {};
  }

  private write(map: SecretMap): void {
    const json = JSON.stringify(map);
    const encrypted = this.storage.isEncryptionAvailable();
    const body: FileV1 = encrypted
      ? { v: 1, format: 'safeStorage', data: this.storage.encryptString(json).toString('base64') }
      : { v: 1, format: 'plain', data: Buffer.from(json, 'utf8').toString('base64') };
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    // Created 0600 from the start: there is no moment when another user could read it.
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, JSON.stringify(body));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }
}
