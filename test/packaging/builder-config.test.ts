/**
 * electron-builder.yml, checked point by point against electron-builder 26.17 as installed: its
 * own schema validation, its own default deb dependency list (read from its source), and the
 * options its mac/win/linux code reads. Plus the release workflow that feeds it secrets.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';

vi.mock('electron', () => import('../main/electron-mock'));
const { APP_USER_MODEL_ID } = await import('../../electron/main/notifications');

const repo = process.cwd();
const require = createRequire(import.meta.url);
const yaml = require('js-yaml') as { load(text: string): unknown };
type Target = { target: string; arch: string[] };
type Config = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const config = yaml.load(readFileSync(join(repo, 'electron-builder.yml'), 'utf8')) as Config;
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as Config;
const workflow = readFileSync(join(repo, '.github', 'workflows', 'release.yml'), 'utf8');
const builderLib = join(repo, 'node_modules', 'app-builder-lib');

describe('electron-builder.yml', () => {
  it("passes electron-builder's own configuration validation (its scheme.json)", async () => {
    const { validateConfiguration } = require(join(builderLib, 'out', 'util', 'config', 'config.js')) as {
      validateConfiguration(c: unknown, debug: { isEnabled: boolean; add(): void }): Promise<void>;
    };
    await expect(validateConfiguration(structuredClone(config), { isEnabled: false, add: () => undefined })).resolves.toBeUndefined();
    // And the check is real: an unknown option is refused.
    await expect(validateConfiguration({ ...structuredClone(config), mac: { ...config.mac, notAnOption: 1 } }, { isEnabled: false, add: () => undefined })).rejects.toThrow(
      /configuration\.mac should be/,
    );
  });

  it('targets NSIS, dmg + zip for x64 and arm64, AppImage and deb', () => {
    expect(config.win.target).toEqual([{ target: 'nsis', arch: ['x64'] }]);
    expect(config.mac.target).toEqual([
      { target: 'dmg', arch: ['x64', 'arm64'] },
      { target: 'zip', arch: ['x64', 'arm64'] },
    ]);
    expect((config.linux.target as Target[]).map((t) => t.target)).toEqual(['AppImage', 'deb']);
  });

  it('uses the same app id as the Windows AppUserModelID (else notifications do not show)', () => {
    expect(config.appId).toBe(APP_USER_MODEL_ID);
  });

  it("deb depends start with electron-builder's whole default list (a custom list replaces it)", () => {
    const source = readFileSync(join(builderLib, 'out', 'targets', 'FpmTarget.js'), 'utf8');
    const defaults = /case "deb":\s*return (\[[^\]]+\])/.exec(source);
    expect(defaults, 'FpmTarget.js getDefaultDepends deb list').not.toBeNull();
    const list = JSON.parse(defaults![1]!) as string[];
    expect(list).toContain('libgtk-3-0');
    for (const dep of list) expect(config.deb.depends, dep).toContain(dep);
    expect(config.deb.recommends).toContain('libappindicator3-1');
  });

  it('Linux: desktop entry for AppImage and deb, named after desktopName, with sized icons', () => {
    expect(config.linux.desktop.entry).toMatchObject({ Comment: expect.any(String), Keywords: expect.stringMatching(/;$/) });
    // Exec is electron-builder's (LinuxTargetHelper throws when set here).
    expect(config.linux.desktop.entry.Exec).toBeUndefined();
    expect(config.linux.syncDesktopName).toBe(true);
    expect(pkg.desktopName).toBe(`${config.linux.executableName}.desktop`);
    const icons = readdirSync(join(repo, config.linux.icon));
    for (const size of [16, 32, 48, 64, 128, 256, 512]) expect(icons, `${size}px`).toContain(`${size}x${size}.png`);
    expect(config.linux.category).toBe('AudioVideo');
  });

  it('macOS: ad-hoc signature by default, hardened runtime with the entitlements Electron needs', () => {
    expect(config.mac.identity).toBe('-');
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.mac.notarize).toBeUndefined(); // env-driven (MacTargetHelper.getNotarizeOptions)
    for (const key of ['entitlements', 'entitlementsInherit']) {
      const plist = readFileSync(join(repo, config.mac[key]), 'utf8');
      for (const ent of ['com.apple.security.cs.allow-jit', 'com.apple.security.cs.allow-unsigned-executable-memory', 'com.apple.security.cs.disable-library-validation']) {
        expect(plist, `${key}: ${ent}`).toMatch(new RegExp(`<key>${ent.replace(/\./g, '\\.')}</key>\\s*<true/>`));
      }
    }
  });

  it('Windows: per-user NSIS, signed only when the certificate secret exists', () => {
    expect(config.nsis).toMatchObject({ oneClick: true, perMachine: false });
    expect(config.win.signtoolOptions.signingHashAlgorithms).toEqual(['sha256']);
    expect(workflow).toMatch(/WIN_CSC_LINK: \$\{\{ secrets\.WIN_CSC_LINK \}\}/);
    expect(workflow).toMatch(/WIN_CSC_KEY_PASSWORD: \$\{\{ secrets\.WIN_CSC_KEY_PASSWORD \}\}/);
  });

  it('release workflow: signs and notarizes macOS builds only with the secrets, and publishes update metadata on tags', () => {
    expect(workflow).toMatch(/CSC_LINK="\$\{MAC_CSC_LINK\}"/);
    expect(workflow).toMatch(/-c\.mac\.identity="\$\{MAC_SIGN_IDENTITY\}"/);
    for (const v of ['APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID']) expect(workflow).toContain(`${v}: \${{ secrets.${v} }}`);
    // The old workflow turned identity discovery off, which left the app unsigned.
    expect(workflow).not.toMatch(/CSC_IDENTITY_AUTO_DISCOVERY/);
    expect(workflow).toMatch(/refs\/tags\/v\* \]\]; then args\+=\(--publish always\)/);
    expect(workflow).toMatch(/GH_TOKEN: \$\{\{ secrets\.GITHUB_TOKEN \}\}/);
    expect(workflow).toContain('release/*/latest*.yml');
    expect(config.publish).toEqual({ provider: 'github', releaseType: 'draft' });
  });

  it('unpacks native code, ships the tools per platform-arch and their licences outside the asar', () => {
    expect(config.asarUnpack).toEqual(['**/node_modules/better-sqlite3/**']);
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'resources/bin/${platform}-${arch}', to: 'bin/${platform}-${arch}' }));
    expect(config.extraResources).toContainEqual({ from: 'resources/licenses', to: 'licenses' });
    expect(config.extraResources).toContainEqual(expect.objectContaining({ from: 'resources/tray', to: 'tray' }));
    for (const f of ['README.txt', 'ffmpeg/GPL-3.0.txt', 'ffmpeg/SOURCE-OFFER.txt', 'yt-dlp/README.txt']) expect(existsSync(join(repo, 'resources', 'licenses', f)), f).toBe(true);
    expect(readFileSync(join(repo, 'resources', 'licenses', 'ffmpeg', 'GPL-3.0.txt'), 'utf8')).toMatch(/GNU GENERAL PUBLIC LICENSE\s+Version 3/);
    expect(config.npmRebuild).toBe(true);
  });

  it('packs ffmpeg once: ffmpeg-static is excluded and the afterPack hook refuses a package without the bundled tools', async () => {
    expect(config.files).toContain('!**/node_modules/ffmpeg-static/**');
    expect(config.afterPack).toBe('./scripts/after-pack.mjs');
    // @ts-expect-error: a plain .mjs script without type declarations
    const { checkPackedApp } = (await import('../../scripts/after-pack.mjs')) as { checkPackedApp(dir: string, p: string, a: string): string[] };
    const dir = mkdtempSync(join(tmpdir(), 'tvb-afterpack-'));
    try {
      expect(checkPackedApp(dir, 'win32', 'x64').join('\n')).toMatch(
        /bin[\\/]win32-x64[\\/]ffmpeg\.exe is missing: run `node scripts\/fetch-binaries\.mjs --platform win32 --arch x64`[\s\S]*licenses\/ffmpeg\/GPL-3\.0\.txt is missing/,
      );
      mkdirSync(join(dir, 'bin', 'linux-x64'), { recursive: true });
      for (const t of ['ffmpeg', 'ffprobe', 'yt-dlp']) writeFileSync(join(dir, 'bin', 'linux-x64', t), '');
      for (const f of ['README.txt', 'ffmpeg/GPL-3.0.txt', 'ffmpeg/SOURCE-OFFER.txt']) {
        mkdirSync(join(dir, 'licenses', 'ffmpeg'), { recursive: true });
        writeFileSync(join(dir, 'licenses', f), 'x');
      }
      expect(checkPackedApp(dir, 'linux', 'x64')).toEqual([]);
      mkdirSync(join(dir, 'app.asar.unpacked', 'node_modules', 'ffmpeg-static'), { recursive: true });
      expect(checkPackedApp(dir, 'linux', 'x64')).toEqual(['app.asar.unpacked holds ffmpeg-static although the bundled ffmpeg is shipped']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('points at icon files that exist', () => {
    for (const icon of [config.win.icon, config.mac.icon, config.linux.icon]) expect(existsSync(join(repo, icon)), icon).toBe(true);
  });

  it("engines names the Node that Electron 45's tooling and ESLint need", () => {
    expect(pkg.engines.node).toBe('>=22.13');
    expect(require(join(repo, 'node_modules', 'electron', 'package.json')).engines.node).toMatch(/22\.12/);
  });
});
