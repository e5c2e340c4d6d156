#!/usr/bin/env node
/**
 * Downloads yt-dlp, ffmpeg and ffprobe for one packaging target into
 * resources/bin/<platform>-<arch>/ (electron-builder's extraResources picks them up from there).
 * Every download is checked against a SHA-256 published with its release (or pinned with
 * --sha256 NAME=HEX) BEFORE anything is unpacked; a mismatch stops with an error and leaves nothing
 * behind. Needs the internet (run it in the release workflow, not on the offline build machines).
 *
 *   node scripts/fetch-binaries.mjs [--platform linux|darwin|win32] [--arch x64|arm64]
 *        [--yt-dlp-version TAG] [--out DIR] [--force] [--sha256 ASSET=HEX ...]
 *
 * Sources: yt-dlp's GitHub releases (SHA2-256SUMS); ffmpeg for Linux/Windows from BtbN/FFmpeg-Builds
 * (GPL, release 7.1 line; checksums.sha256); for macOS from ffmpeg.martin-riedl.de (x64 + arm64
 * builds, a .sha256 next to each zip).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const TOOLS = ['ffmpeg', 'ffprobe', 'yt-dlp'];
export const TARGETS = ['linux-x64', 'linux-arm64', 'darwin-x64', 'darwin-arm64', 'win32-x64'];

export const SOURCES = {
  ytDlp: 'https://github.com/yt-dlp/yt-dlp/releases',
  btbn: 'https://github.com/BtbN/FFmpeg-Builds/releases/download/latest',
  riedl: 'https://ffmpeg.martin-riedl.de/redirect/latest/macos',
};

export const exeName = (tool, platform) => (platform === 'win32' ? `${tool}.exe` : tool);

/**
 * What to download for a target. Pure. Each entry: the asset URL, where its checksum comes from
 * (a checksums file listing `HASH  NAME`, or a pinned hash), the archive kind, and which archive
 * members become which tool.
 * @param {string} platform @param {string} arch
 * @param {{ ytDlpVersion?: string, sources?: Partial<typeof SOURCES> }} [options]
 */
export function planDownloads(platform, arch, options = {}) {
  const target = `${platform}-${arch}`;
  if (!TARGETS.includes(target)) throw new Error(`No binaries for ${target}; supported targets: ${TARGETS.join(', ')}.`);
  const src = { ...SOURCES, ...options.sources };
  const version = options.ytDlpVersion ?? 'latest';
  const ytBase = version === 'latest' ? `${src.ytDlp}/latest/download` : `${src.ytDlp}/download/${version}`;
  const ytAsset = { 'linux-x64': 'yt-dlp_linux', 'linux-arm64': 'yt-dlp_linux_aarch64', 'darwin-x64': 'yt-dlp_macos', 'darwin-arm64': 'yt-dlp_macos', 'win32-x64': 'yt-dlp.exe' }[target];
  const items = [
    {
      asset: ytAsset,
      url: `${ytBase}/${ytAsset}`,
      checksum: { url: `${ytBase}/SHA2-256SUMS`, name: ytAsset },
      kind: 'file',
      extract: [{ member: ytAsset, tool: 'yt-dlp' }],
    },
  ];
  if (platform === 'darwin') {
    const riedlArch = arch === 'arm64' ? 'arm64' : 'amd64';
    for (const tool of ['ffmpeg', 'ffprobe']) {
      const url = `${src.riedl}/${riedlArch}/release/${tool}.zip`;
      items.push({ asset: `${tool}-${riedlArch}.zip`, url, checksum: { url: `${url}.sha256`, name: `${tool}.zip` }, kind: 'zip', extract: [{ member: tool, tool }] });
    }
  } else {
    const flavour = { 'linux-x64': 'linux64', 'linux-arm64': 'linuxarm64', 'win32-x64': 'win64' }[target];
    const ext = platform === 'win32' ? 'zip' : 'tar.xz';
    const asset = `ffmpeg-n7.1-latest-${flavour}-gpl-7.1.${ext}`;
    items.push({
      asset,
      url: `${src.btbn}/${asset}`,
      checksum: { url: `${src.btbn}/checksums.sha256`, name: asset },
      kind: ext,
      extract: ['ffmpeg', 'ffprobe'].map((tool) => ({ member: `bin/${exeName(tool, platform)}`, tool })),
    });
  }
  return items;
}

/**
 * Reads a checksums file: `HASH  NAME` / `HASH *NAME` lines (sha256sum format), or a lone hash.
 * Returns the hash for `name`, lower-case. Throws when it is not listed.
 */
export function checksumFor(text, name) {
  const entries = text
    .split(/\r?\n/)
    .map((l) => /^([0-9a-fA-F]{64})(?:\s+\*?(.+?))?\s*$/.exec(l.trim()))
    .filter(Boolean);
  for (const [, hash, file] of entries) {
    if (file !== undefined && (file === name || basename(file) === name)) return hash.toLowerCase();
  }
  // A .sha256 file next to one download holds one hash (its file name, if any, may differ).
  if (entries.length === 1) return entries[0][1].toLowerCase();
  throw new Error(`The checksum list does not mention ${name}.`);
}

export function sha256(buffer) {
  return createHash('sha256').update(buffer).digest('hex');
}

/** Throws (naming the asset and both hashes) unless the bytes match. */
export function verify(buffer, expected, asset) {
  const actual = sha256(buffer);
  if (actual !== expected.toLowerCase()) {
    throw new Error(`Checksum mismatch for ${asset}: expected ${expected.toLowerCase()}, got ${actual}. The download is corrupt or was tampered with; nothing was installed.`);
  }
  return actual;
}

export function parseArgs(argv) {
  const out = { platform: process.platform, arch: process.arch, ytDlpVersion: 'latest', out: undefined, force: false, pinned: {} };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value.`);
      return v;
    };
    if (arg === '--platform') out.platform = value();
    else if (arg === '--arch') out.arch = value();
    else if (arg === '--yt-dlp-version') out.ytDlpVersion = value();
    else if (arg === '--out') out.out = value();
    else if (arg === '--force') out.force = true;
    else if (arg === '--sha256') {
      const [asset, hex] = value().split('=');
      if (!asset || !/^[0-9a-fA-F]{64}$/.test(hex ?? '')) throw new Error('--sha256 takes ASSET=64-hex-digits.');
      out.pinned[asset] = hex.toLowerCase();
    } else throw new Error(`Unknown argument ${arg}. See the header of scripts/fetch-binaries.mjs.`);
  }
  return out;
}

async function download(url, fetchImpl) {
  const res = await fetchImpl(url, { redirect: 'follow' });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}.`);
  return Buffer.from(await res.arrayBuffer());
}

function findMember(root, member) {
  const want = member.split('/');
  const walk = (dir) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) {
        const hit = walk(path);
        if (hit) return hit;
      } else if (path.split(/[\\/]/).slice(-want.length).join('/') === member) return path;
    }
    return undefined;
  };
  return walk(root);
}

function unpack(kind, file, into) {
  mkdirSync(into, { recursive: true });
  if (kind === 'tar.xz') execFileSync('tar', ['-xJf', file, '-C', into]);
  else if (kind === 'zip') {
    // Windows and macOS ship bsdtar, which reads zip; Linux runners have unzip.
    if (process.platform === 'linux') execFileSync('unzip', ['-q', '-o', file, '-d', into]);
    else execFileSync('tar', ['-xf', file, '-C', into]);
  } else throw new Error(`unknown archive kind ${kind}`);
}

/**
 * Fetches, verifies and installs the tools for one target.
 * @param {{platform: string, arch: string, ytDlpVersion?: string, out?: string, force?: boolean, pinned?: Record<string,string>,
 *   sources?: Partial<typeof SOURCES>, fetchImpl?: typeof fetch, log?: (line: string) => void}} opts
 */
export async function fetchBinaries(opts) {
  const { platform, arch } = opts;
  const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
  const fetchImpl = opts.fetchImpl ?? fetch;
  const root = join(dirname(fileURLToPath(import.meta.url)), '..');
  const outDir = opts.out ?? join(root, 'resources', 'bin', `${platform}-${arch}`);
  const wanted = TOOLS.map((t) => join(outDir, exeName(t, platform)));
  if (!opts.force && wanted.every((p) => existsSync(p))) {
    log(`${outDir} already has ${TOOLS.join(', ')} (use --force to download again)`);
    return { outDir, installed: [], skipped: true };
  }
  const plan = planDownloads(platform, arch, { ytDlpVersion: opts.ytDlpVersion, sources: opts.sources });
  const work = mkdtempSync(join(tmpdir(), 'tvb-fetch-'));
  const manifest = [];
  try {
    const staged = new Map();
    for (const item of plan) {
      log(`downloading ${item.url}`);
      const body = await download(item.url, fetchImpl);
      const expected = opts.pinned?.[item.asset] ?? checksumFor((await download(item.checksum.url, fetchImpl)).toString('utf8'), item.checksum.name);
      const hash = verify(body, expected, item.asset);
      const file = join(work, item.asset);
      writeFileSync(file, body);
      if (item.kind === 'file') {
        staged.set(item.extract[0].tool, file);
      } else {
        const dir = join(work, `${item.asset}.d`);
        unpack(item.kind, file, dir);
        for (const { member, tool } of item.extract) {
          const found = findMember(dir, member);
          if (!found) throw new Error(`${item.asset} does not contain ${member}.`);
          staged.set(tool, found);
        }
      }
      manifest.push({ asset: item.asset, url: item.url, sha256: hash });
    }
    // Everything verified and unpacked: only now touch the output folder.
    mkdirSync(outDir, { recursive: true });
    for (const tool of TOOLS) {
      const from = staged.get(tool);
      if (!from) throw new Error(`No download provided ${tool}.`);
      const to = join(outDir, exeName(tool, platform));
      copyFileSync(from, to);
      chmodSync(to, 0o755);
    }
    writeFileSync(join(outDir, 'sources.json'), `${JSON.stringify({ target: `${platform}-${arch}`, fetchedAt: new Date().toISOString(), files: manifest }, null, 2)}\n`);
    log(`installed ${TOOLS.join(', ')} into ${outDir}`);
    return { outDir, installed: TOOLS, skipped: false, manifest };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const args = parseArgs(process.argv.slice(2));
    await fetchBinaries({ ...args });
  } catch (err) {
    process.stderr.write(`fetch-binaries: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
