import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import * as native from '../../scripts/rebuild-electron-native.mjs';

const root = mkdtempSync(join(tmpdir(), 'tvb-native-stamp-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const write = (path: string, text: string) => {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
};
const setVersions = (electron: string, sqlite: string) => {
  write(join(root, 'node_modules', 'electron', 'package.json'), JSON.stringify({ version: electron }));
  write(join(root, 'node_modules', 'better-sqlite3', 'package.json'), JSON.stringify({ version: sqlite }));
};

describe('npm prestart: the Electron build of better-sqlite3 is made only when needed', () => {
  it('asks for a build when there is none, none when the stamp matches, and again after an upgrade', () => {
    setVersions('45.4.1', '12.9.0');
    expect(native.rebuildReason(root)).toMatch(/no Electron build/);
    write(native.nativeOutput(root), 'binary');
    expect(native.rebuildReason(root)).toMatch(/no readable stamp/);
    write(native.stampFile(root), JSON.stringify(native.wantedStamp(root)));
    expect(native.rebuildReason(root)).toBeNull();
    setVersions('46.0.0', '12.9.0');
    expect(native.rebuildReason(root)).toBe('electron changed (45.4.1 -> 46.0.0)');
    write(native.stampFile(root), JSON.stringify(native.wantedStamp(root)));
    setVersions('46.0.0', '12.10.0');
    expect(native.rebuildReason(root)).toBe('betterSqlite3 changed (12.9.0 -> 12.10.0)');
    write(native.stampFile(root), JSON.stringify(native.wantedStamp(root)));
    expect(native.rebuildReason(root, { ...native.wantedStamp(root), arch: 'other' })).toMatch(/^arch changed/);
  });

  it('is wired as npm prestart', async () => {
    const pkg = (await import('../../package.json', { with: { type: 'json' } })).default as { scripts: Record<string, string> };
    expect(pkg.scripts.prestart).toBe('node scripts/rebuild-electron-native.mjs --if-needed');
  });
});
