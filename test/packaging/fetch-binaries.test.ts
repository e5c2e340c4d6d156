import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import * as fb from '../../scripts/fetch-binaries.mjs';

const tmp = mkdtempSync(join(tmpdir(), 'tvb-fetch-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('fetch-binaries: plan', () => {
  it('picks yt-dlp, ffmpeg and ffprobe for every target, each with a checksum source', () => {
    for (const target of fb.TARGETS as string[]) {
      const [platform, arch] = target.split('-');
      const plan = fb.planDownloads(platform, arch) as Array<{ url: string; checksum: { url: string; name: string }; extract: Array<{ member: string; tool: string }> }>;
      expect(plan.flatMap((p) => p.extract.map((e) => e.tool)).sort()).toEqual(['ffmpeg', 'ffprobe', 'yt-dlp']);
      for (const item of plan) {
        expect(item.url).toMatch(/^https:\/\//);
        expect(item.checksum.url).toMatch(/^https:\/\//);
      }
    }
  });

  it('uses the platform assets and .exe names on Windows', () => {
    const win = fb.planDownloads('win32', 'x64') as Array<{ url: string; extract: Array<{ member: string }> }>;
    expect(win[0]!.url).toMatch(/yt-dlp\.exe$/);
    expect(win[1]!.url).toMatch(/win64-gpl-7\.1\.zip$/);
    expect(win[1]!.extract.map((e) => e.member)).toEqual(['bin/ffmpeg.exe', 'bin/ffprobe.exe']);
    expect((fb.planDownloads('linux', 'arm64') as Array<{ url: string }>)[0]!.url).toMatch(/yt-dlp_linux_aarch64$/);
    const mac = fb.planDownloads('darwin', 'arm64') as Array<{ url: string }>;
    expect(mac.map((m) => m.url).slice(1)).toEqual([
      'https://ffmpeg.martin-riedl.de/redirect/latest/macos/arm64/release/ffmpeg.zip',
      'https://ffmpeg.martin-riedl.de/redirect/latest/macos/arm64/release/ffprobe.zip',
    ]);
    expect((fb.planDownloads('linux', 'x64', { ytDlpVersion: '2025.01.26' }) as Array<{ url: string }>)[0]!.url).toBe(
      'https://github.com/yt-dlp/yt-dlp/releases/download/2025.01.26/yt-dlp_linux',
    );
  });

  it('refuses unknown targets and bad arguments clearly', () => {
    expect(() => fb.planDownloads('linux', 'ia32')).toThrow(/No binaries for linux-ia32; supported targets/);
    expect(() => fb.parseArgs(['--platform'])).toThrow(/--platform needs a value/);
    expect(() => fb.parseArgs(['--sha256', 'x=123'])).toThrow(/ASSET=64-hex-digits/);
    expect(() => fb.parseArgs(['--bogus'])).toThrow(/Unknown argument --bogus/);
    expect(fb.parseArgs(['--platform', 'win32', '--arch', 'x64', '--force'])).toMatchObject({ platform: 'win32', arch: 'x64', force: true });
  });

  it('reads sha256sum lists and single-hash files, and rejects a mismatch', () => {
    const a = 'a'.repeat(64);
    const b = 'B'.repeat(64);
    expect(fb.checksumFor(`${a}  yt-dlp_linux\n${b} *yt-dlp.exe\n`, 'yt-dlp.exe')).toBe('b'.repeat(64));
    expect(fb.checksumFor(`${a}  ./dir/ffmpeg.zip\n`, 'ffmpeg.zip')).toBe(a);
    expect(fb.checksumFor(`${a}\n`, 'whatever.zip')).toBe(a);
    expect(() => fb.checksumFor(`${a}  one\n${b}  two\n`, 'three')).toThrow(/does not mention three/);
    const data = Buffer.from('hello');
    expect(fb.verify(data, fb.sha256(data), 'x')).toBe(fb.sha256(data));
    expect(() => fb.verify(data, a, 'yt-dlp_linux')).toThrow(/Checksum mismatch for yt-dlp_linux/);
  });
});

describe('fetch-binaries: download, verify, install (loopback server)', () => {
  const files = new Map<string, Buffer>();
  let server: Server;
  let base = '';
  const script = (label: string) => Buffer.from(`#!/bin/sh\necho ${label}\n`);

  beforeAll(async () => {
    // A BtbN-style tar.xz and yt-dlp's assets, with their checksum lists.
    const src = join(tmp, 'src', 'ffmpeg-n7.1-latest-linux64-gpl-7.1', 'bin');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'ffmpeg'), script('fake ffmpeg'));
    writeFileSync(join(src, 'ffprobe'), script('fake ffprobe'));
    chmodSync(join(src, 'ffmpeg'), 0o755);
    const tarball = join(tmp, 'ff.tar.xz');
    execFileSync('tar', ['-cJf', tarball, '-C', join(tmp, 'src'), 'ffmpeg-n7.1-latest-linux64-gpl-7.1']);
    const ff = readFileSync(tarball);
    const yt = script('fake yt-dlp');
    files.set('/btbn/ffmpeg-n7.1-latest-linux64-gpl-7.1.tar.xz', ff);
    files.set('/btbn/checksums.sha256', Buffer.from(`${fb.sha256(ff)}  ffmpeg-n7.1-latest-linux64-gpl-7.1.tar.xz\n`));
    files.set('/yt/download/2099.01.01/yt-dlp_linux', yt);
    files.set('/yt/download/2099.01.01/SHA2-256SUMS', Buffer.from(`${'0'.repeat(64)}  yt-dlp.exe\n${fb.sha256(yt)}  yt-dlp_linux\n`));
    server = createServer((req, res) => {
      const body = files.get(req.url ?? '');
      res.writeHead(body ? 200 : 404).end(body ?? 'missing');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const run = (out: string, extra: Record<string, unknown> = {}) =>
    fb.fetchBinaries({
      platform: 'linux',
      arch: 'x64',
      ytDlpVersion: '2099.01.01',
      out,
      sources: { ytDlp: `${base}/yt`, btbn: `${base}/btbn` },
      log: () => undefined,
      ...extra,
    });

  it('installs the three tools, executable, with a record of what was verified', async () => {
    const out = join(tmp, 'out-ok');
    const result = await run(out);
    expect(result.installed).toEqual(['ffmpeg', 'ffprobe', 'yt-dlp']);
    for (const tool of ['ffmpeg', 'ffprobe', 'yt-dlp']) {
      expect(statSync(join(out, tool)).mode & 0o111).not.toBe(0);
      expect(execFileSync(join(out, tool)).toString()).toBe(`fake ${tool}\n`);
    }
    const sources = JSON.parse(readFileSync(join(out, 'sources.json'), 'utf8'));
    expect(sources.files.map((f: { asset: string }) => f.asset)).toEqual(['yt-dlp_linux', 'ffmpeg-n7.1-latest-linux64-gpl-7.1.tar.xz']);
    // A second run finds them and downloads nothing.
    expect((await run(out)).skipped).toBe(true);
  });

  it('stops on a checksum mismatch and installs nothing', async () => {
    const out = join(tmp, 'out-bad');
    files.set('/btbn/checksums.sha256', Buffer.from(`${'f'.repeat(64)}  ffmpeg-n7.1-latest-linux64-gpl-7.1.tar.xz\n`));
    await expect(run(out, { force: true })).rejects.toThrow(/Checksum mismatch for ffmpeg-n7.1-latest-linux64-gpl-7.1.tar.xz/);
    expect(existsSync(out)).toBe(false);
    // A pinned hash takes precedence over the published list.
    const ff = files.get('/btbn/ffmpeg-n7.1-latest-linux64-gpl-7.1.tar.xz')!;
    await run(out, { pinned: { 'ffmpeg-n7.1-latest-linux64-gpl-7.1.tar.xz': fb.sha256(ff) } });
    expect(existsSync(join(out, 'ffprobe'))).toBe(true);
  });

  it('reports a missing asset with its URL', async () => {
    await expect(run(join(tmp, 'out-404'), { ytDlpVersion: '1999.01.01' })).rejects.toThrow(/GET http:\/\/127\.0\.0\.1:\d+\/yt\/download\/1999\.01\.01\/yt-dlp_linux answered 404/);
  });
});
