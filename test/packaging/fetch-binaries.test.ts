import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import * as fb from '../../scripts/fetch-binaries.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'tvb-fetch-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Asset {
  asset: string;
  url: string;
  sha256: string | null;
  checksums: string | null;
  kind: string;
  extract: Record<string, string>;
}
interface Manifest {
  tools: Record<string, { version: string; license: string }>;
  licenses: Array<{ asset: string; url: string; sha256: string | null; to: string }>;
  targets: Record<string, Asset[]>;
}

describe('build/binaries.json: one manifest pins every bundled tool per target', () => {
  const manifest = fb.loadManifest() as Manifest;

  it('covers every installer target with ffmpeg, ffprobe and yt-dlp from versioned URLs (never "latest")', () => {
    expect(Object.keys(manifest.targets).sort()).toEqual(['darwin-arm64', 'darwin-x64', 'linux-arm64', 'linux-x64', 'win32-x64']);
    for (const [target, assets] of Object.entries(manifest.targets)) {
      expect(assets.flatMap((a) => Object.values(a.extract)).sort(), target).toEqual(['ffmpeg', 'ffprobe', 'yt-dlp']);
      for (const a of assets) {
        expect(a.url, a.asset).toMatch(/^https:\/\//);
        expect(a.url, a.asset).not.toMatch(/latest/);
        expect(a.url.includes(manifest.tools['yt-dlp']!.version) || a.url.includes(manifest.tools.ffmpeg!.version), `${a.url} names its version`).toBe(true);
        expect(a.sha256 === null || /^[0-9a-f]{64}$/.test(a.sha256), a.asset).toBe(true);
      }
    }
    expect(manifest.targets['win32-x64']!.flatMap((a) => Object.keys(a.extract))).toEqual(['yt-dlp.exe', 'bin/ffmpeg.exe', 'bin/ffprobe.exe']);
  });

  it('rejects a malformed manifest, naming the place', () => {
    const bad = join(tmp, 'bad.json');
    writeFileSync(bad, JSON.stringify({ targets: { 'linux-x64': [{ asset: 'a', url: 'ftp://x', sha256: 'XYZ', kind: 'rar', extract: { a: 'ffmpeg' } }] } }));
    expect(() => fb.loadManifest(bad)).toThrow(
      /targets\.linux-x64\[0\]: url must be http\(s\)[\s\S]*sha256 must be[\s\S]*kind must be[\s\S]*must provide exactly ffmpeg, ffprobe, yt-dlp/,
    );
    expect(() => fb.planFor(manifest, 'linux', 'ia32')).toThrow(/No binaries for linux-ia32; supported targets/);
  });

  it('parses arguments and reads sha256sum lists', () => {
    expect(() => fb.parseArgs(['--platform'])).toThrow(/--platform needs a value/);
    expect(() => fb.parseArgs(['--bogus'])).toThrow(/Unknown argument --bogus/);
    expect(fb.parseArgs(['--platform', 'win32', '--arch', 'x64', '--force', '--pin'])).toMatchObject({ platform: 'win32', arch: 'x64', force: true, pin: true });
    const a = 'a'.repeat(64);
    const b = 'B'.repeat(64);
    expect(fb.checksumFor(`${a}  yt-dlp_linux\n${b} *yt-dlp.exe\n`, 'yt-dlp.exe')).toBe('b'.repeat(64));
    expect(fb.checksumFor(`${a}\n`, 'whatever.zip')).toBe(a);
    expect(() => fb.checksumFor(`${a}  one\n${b}  two\n`, 'three')).toThrow(/does not mention three/);
  });
});

describe('fetch-binaries against a local server with fake artefacts', () => {
  const files = new Map<string, Buffer>();
  let server: Server;
  let base = '';
  const script = (label: string) => Buffer.from(`#!/bin/sh\necho ${label}\n`);
  const manifestPath = join(tmp, 'manifest.json');
  let ff: Buffer;
  let yt: Buffer;
  const licence = Buffer.from('Third-party licences of the yt-dlp executable\n');

  const writeManifest = (pins: { ff: string | null; yt: string | null; lic: string | null }) => {
    const m: Manifest = {
      tools: { 'yt-dlp': { version: '2099.01.01', license: 'x' }, ffmpeg: { version: '7.1', license: 'GPL' } },
      licenses: [{ asset: 'yt-lic', url: `${base}/yt/THIRD_PARTY_LICENSES.txt`, sha256: pins.lic, to: 'yt-dlp/THIRD_PARTY_LICENSES.txt' }],
      targets: {
        'linux-x64': [
          { asset: 'yt-dlp_linux', url: `${base}/yt/yt-dlp_linux`, sha256: pins.yt, checksums: `${base}/yt/SHA2-256SUMS`, kind: 'file', extract: { 'yt-dlp_linux': 'yt-dlp' } },
          {
            asset: 'ff.tar.xz',
            url: `${base}/btbn/ff.tar.xz`,
            sha256: pins.ff,
            checksums: `${base}/btbn/checksums.sha256`,
            kind: 'tar.xz',
            extract: { 'bin/ffmpeg': 'ffmpeg', 'bin/ffprobe': 'ffprobe' },
          },
        ],
      },
    };
    writeFileSync(manifestPath, JSON.stringify(m, null, 2));
  };

  beforeAll(async () => {
    // A BtbN-style tar.xz (ffmpeg-*/bin/{ffmpeg,ffprobe}) and yt-dlp's single-file asset.
    const src = join(tmp, 'src', 'ffmpeg-n7.1-linux64-gpl-7.1', 'bin');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'ffmpeg'), script('fake ffmpeg'));
    writeFileSync(join(src, 'ffprobe'), script('fake ffprobe'));
    execFileSync('tar', ['-cJf', join(tmp, 'ff.tar.xz'), '-C', join(tmp, 'src'), 'ffmpeg-n7.1-linux64-gpl-7.1']);
    ff = readFileSync(join(tmp, 'ff.tar.xz'));
    yt = script('fake yt-dlp');
    files.set('/btbn/ff.tar.xz', ff);
    files.set('/btbn/checksums.sha256', Buffer.from(`${fb.sha256(ff)}  ff.tar.xz\n`));
    files.set('/yt/yt-dlp_linux', yt);
    files.set('/yt/SHA2-256SUMS', Buffer.from(`${'0'.repeat(64)}  yt-dlp.exe\n${fb.sha256(yt)}  yt-dlp_linux\n`));
    files.set('/yt/THIRD_PARTY_LICENSES.txt', licence);
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body ?? 'missing');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const run = (out: string, extra: Record<string, unknown> = {}) =>
    fb.fetchBinaries({ platform: 'linux', arch: 'x64', out, licensesOut: join(out, 'licenses'), manifest: manifestPath, log: () => undefined, ...extra });

  it('refuses an unpinned asset before downloading it', async () => {
    writeManifest({ ff: null, yt: null, lic: null });
    await expect(run(join(tmp, 'out-unpinned'))).rejects.toThrow(/yt-dlp_linux is not pinned \(sha256 is null in the manifest\); run `node scripts\/fetch-binaries.mjs --pin`/);
    expect(existsSync(join(tmp, 'out-unpinned'))).toBe(false);
  });

  it('--pin fills the hashes after checking them against the upstream lists, and rejects a list that disagrees', async () => {
    writeManifest({ ff: null, yt: null, lic: null });
    files.set('/btbn/checksums.sha256', Buffer.from(`${'f'.repeat(64)}  ff.tar.xz\n`));
    await expect(fb.pinManifest({ manifest: manifestPath, log: () => undefined })).rejects.toThrow(/Checksum mismatch for ff\.tar\.xz: upstream .* says f{64}/);
    expect((JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest).targets['linux-x64']![0]!.sha256).toBeNull();
    files.set('/btbn/checksums.sha256', Buffer.from(`${fb.sha256(ff)}  ff.tar.xz\n`));
    expect(await fb.pinManifest({ manifest: manifestPath, log: () => undefined })).toEqual(['yt-dlp_linux', 'ff.tar.xz', 'yt-lic']);
    const pinned = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
    expect(pinned.targets['linux-x64']!.map((a) => a.sha256)).toEqual([fb.sha256(yt), fb.sha256(ff)]);
    expect(pinned.licenses[0]!.sha256).toBe(fb.sha256(licence));
  });

  it('installs the three tools, executable, and the licence files, with a record of what was verified', async () => {
    writeManifest({ ff: fb.sha256(ff), yt: fb.sha256(yt), lic: fb.sha256(licence) });
    const out = join(tmp, 'out-ok');
    const result = await run(out);
    expect(result.installed).toEqual(['ffmpeg', 'ffprobe', 'yt-dlp']);
    for (const tool of ['ffmpeg', 'ffprobe', 'yt-dlp']) {
      expect(statSync(join(out, tool)).mode & 0o111).not.toBe(0);
      expect(execFileSync(join(out, tool)).toString()).toBe(`fake ${tool}\n`);
    }
    expect(readFileSync(join(out, 'licenses', 'yt-dlp', 'THIRD_PARTY_LICENSES.txt'))).toEqual(licence);
    const record = JSON.parse(readFileSync(join(out, 'sources.json'), 'utf8'));
    expect(record.files.map((f: { sha256: string }) => f.sha256)).toEqual([fb.sha256(yt), fb.sha256(ff)]);
    // A second run with the same pins downloads nothing.
    expect((await run(out)).skipped).toBe(true);
  });

  it('rejects an artefact whose hash differs from the pin and installs nothing', async () => {
    writeManifest({ ff: fb.sha256(ff), yt: fb.sha256(yt), lic: fb.sha256(licence) });
    files.set('/btbn/ff.tar.xz', Buffer.concat([ff, Buffer.from('tampered')]));
    const out = join(tmp, 'out-bad');
    await expect(run(out)).rejects.toThrow(
      /Checksum mismatch for ff\.tar\.xz: expected [0-9a-f]{64}, got [0-9a-f]{64}\. The download is corrupt or was tampered with; nothing was installed\./,
    );
    expect(existsSync(out)).toBe(false);
    files.set('/btbn/ff.tar.xz', ff);
  });

  it('reports a missing asset with its URL', async () => {
    writeManifest({ ff: fb.sha256(ff), yt: fb.sha256(yt), lic: fb.sha256(licence) });
    files.delete('/yt/THIRD_PARTY_LICENSES.txt');
    await expect(run(join(tmp, 'out-404'))).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/yt\/THIRD_PARTY_LICENSES\.txt answered 404/);
    expect(existsSync(join(tmp, 'out-404'))).toBe(false);
  });
});
