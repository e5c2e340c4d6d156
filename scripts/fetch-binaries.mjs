#!/usr/bin/env node
/**
 * Installs the pinned yt-dlp, ffmpeg and ffprobe for one packaging target into
 * resources/bin/<platform>-<arch>/ (electron-builder's extraResources picks them up from there), and
 * the licence files the manifest lists into resources/licenses/. What to fetch lives in ONE manifest,
 * build/binaries.json: per target, each asset's versioned URL and its SHA-256. Every download is
 * checked against that hash BEFORE anything is unpacked; a mismatch, or an asset not pinned yet,
 * stops with an error and leaves nothing behind.
 *
 *   node scripts/fetch-binaries.mjs [--platform linux|darwin|win32] [--arch x64|arm64] [--out DIR] [--force]
 *   node scripts/fetch-binaries.mjs --pin      fill in the missing hashes (checked against upstream lists)
 *        [--manifest FILE]                     another manifest (the tests use one served locally)
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const TOOLS = ['ffmpeg', 'ffprobe', 'yt-dlp'];
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST = join(root, 'build', 'binaries.json');
const KINDS = ['file', 'zip', 'tar.xz'];
const HEX64 = /^[0-9a-f]{64}$/;

export const exeName = (tool, platform) => (platform === 'win32' ? `${tool}.exe` : tool);

/** Reads and checks the manifest; every problem is named with its place. */
export function loadManifest(path = MANIFEST) {
  const manifest = JSON.parse(readFileSync(path, 'utf8'));
  const problems = [];
  const checkAsset = (a, where) => {
    if (typeof a.asset !== 'string' || !a.asset) problems.push(`${where}: asset name missing`);
    if (typeof a.url !== 'string' || !/^https?:\/\//.test(a.url)) problems.push(`${where}: url must be http(s)`);
    if (a.sha256 !== null && !HEX64.test(a.sha256 ?? '')) problems.push(`${where}: sha256 must be 64 lower-case hex digits or null (not pinned yet)`);
  };
  for (const [target, assets] of Object.entries(manifest.targets ?? {})) {
    const tools = [];
    assets.forEach((a, i) => {
      const where = `targets.${target}[${i}]`;
      checkAsset(a, where);
      if (!KINDS.includes(a.kind)) problems.push(`${where}: kind must be one of ${KINDS.join(', ')}`);
      tools.push(...Object.values(a.extract ?? {}));
    });
    if ([...tools].sort().join() !== TOOLS.join()) problems.push(`targets.${target}: must provide exactly ${TOOLS.join(', ')} (has ${tools.join(', ') || 'none'})`);
  }
  (manifest.licenses ?? []).forEach((l, i) => {
    checkAsset(l, `licenses[${i}]`);
    if (typeof l.to !== 'string' || l.to.includes('..')) problems.push(`licenses[${i}]: to must be a path inside resources/licenses`);
  });
  if (problems.length) throw new Error(`${path} is invalid:\n  ${problems.join('\n  ')}`);
  return manifest;
}

/** The assets of one target, or an error listing the supported ones. Pure. */
export function planFor(manifest, platform, arch) {
  const target = `${platform}-${arch}`;
  const assets = manifest.targets[target];
  if (!assets) throw new Error(`No binaries for ${target}; supported targets: ${Object.keys(manifest.targets).join(', ')}.`);
  return assets;
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
  const out = { platform: process.platform, arch: process.arch, out: undefined, force: false, pin: false, manifest: MANIFEST };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${arg} needs a value.`);
      return v;
    };
    if (arg === '--platform') out.platform = value();
    else if (arg === '--arch') out.arch = value();
    else if (arg === '--out') out.out = value();
    else if (arg === '--manifest') out.manifest = value();
    else if (arg === '--force') out.force = true;
    else if (arg === '--pin') out.pin = true;
    else throw new Error(`Unknown argument ${arg}. See the header of scripts/fetch-binaries.mjs.`);
  }
  return out;
}

async function download(url, fetchImpl) {
  const res = await fetchImpl(url, { redirect: 'follow' });
  if (!res.ok) throw new Error(`GET ${url} answered ${res.status}.`);
  return Buffer.from(await res.arrayBuffer());
}

/** Downloads one pinned asset and checks its hash; an unpinned one is refused before any request. */
async function fetchPinned(item, fetchImpl, log) {
  if (!item.sha256)
    throw new Error(`${item.asset} is not pinned (sha256 is null in the manifest); run \`node scripts/fetch-binaries.mjs --pin\` with internet and commit build/binaries.json.`);
  log(`downloading ${item.url}`);
  const body = await download(item.url, fetchImpl);
  verify(body, item.sha256, item.asset);
  return body;
}

function findMember(dir, member) {
  const want = member.split('/');
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      const hit = findMember(path, member);
      if (hit) return hit;
    } else if (path.split(/[\\/]/).slice(-want.length).join('/') === member) return path;
  }
  return undefined;
}

function unpack(kind, file, into) {
  mkdirSync(into, { recursive: true });
  if (kind === 'tar.xz') execFileSync('tar', ['-xJf', file, '-C', into]);
  // Windows and macOS ship bsdtar, which reads zip; Linux runners have unzip.
  else if (process.platform === 'linux') execFileSync('unzip', ['-q', '-o', file, '-d', into]);
  else execFileSync('tar', ['-xf', file, '-C', into]);
}

/** Verified bytes -> the file of each tool, staged in `work`. */
function stage(item, body, work, staged) {
  const file = join(work, item.asset);
  writeFileSync(file, body);
  if (item.kind === 'file') {
    staged.set(Object.values(item.extract)[0], file);
    return;
  }
  const dir = join(work, `${item.asset}.d`);
  unpack(item.kind, file, dir);
  for (const [member, tool] of Object.entries(item.extract)) {
    const found = findMember(dir, member);
    if (!found) throw new Error(`${item.asset} does not contain ${member}.`);
    staged.set(tool, found);
  }
}

/**
 * Fetches, verifies and installs the tools (and the listed licence files) for one target.
 * @param {{platform: string, arch: string, out?: string, licensesOut?: string, force?: boolean,
 *   manifest?: string, fetchImpl?: typeof fetch, log?: (line: string) => void}} opts
 */
export async function fetchBinaries(opts) {
  const { platform, arch } = opts;
  const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
  const fetchImpl = opts.fetchImpl ?? fetch;
  const manifest = loadManifest(opts.manifest ?? MANIFEST);
  const outDir = opts.out ?? join(root, 'resources', 'bin', `${platform}-${arch}`);
  const licensesOut = opts.licensesOut ?? join(root, 'resources', 'licenses');
  const plan = planFor(manifest, platform, arch);
  const recordFile = join(outDir, 'sources.json');
  const record = { target: `${platform}-${arch}`, files: plan.map(({ asset, url, sha256: hash }) => ({ asset, url, sha256: hash })) };
  if (!opts.force && existsSync(recordFile) && readFileSync(recordFile, 'utf8') === `${JSON.stringify(record, null, 2)}\n`) {
    log(`${outDir} already holds the pinned ${TOOLS.join(', ')} (use --force to download again)`);
    return { outDir, installed: [], skipped: true };
  }
  const work = mkdtempSync(join(tmpdir(), 'tvb-fetch-'));
  try {
    const staged = new Map();
    for (const item of plan) stage(item, await fetchPinned(item, fetchImpl, log), work, staged);
    const licenses = [];
    for (const item of manifest.licenses ?? []) licenses.push({ to: item.to, body: await fetchPinned(item, fetchImpl, log) });
    // Everything verified and unpacked: only now touch the output folders.
    mkdirSync(outDir, { recursive: true });
    for (const tool of TOOLS) {
      const to = join(outDir, exeName(tool, platform));
      copyFileSync(staged.get(tool), to);
      chmodSync(to, 0o755);
    }
    for (const { to, body } of licenses) {
      mkdirSync(dirname(join(licensesOut, to)), { recursive: true });
      writeFileSync(join(licensesOut, to), body);
    }
    writeFileSync(recordFile, `${JSON.stringify(record, null, 2)}\n`);
    log(`installed ${TOOLS.join(', ')} into ${outDir}`);
    return { outDir, installed: TOOLS, skipped: false };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/**
 * Maintainer step (needs internet): for every asset whose sha256 is null, downloads it, checks it
 * against the upstream checksum list it names (when it names one), and writes the hash into the
 * manifest. Returns the assets pinned.
 */
export async function pinManifest(opts = {}) {
  const path = opts.manifest ?? MANIFEST;
  const fetchImpl = opts.fetchImpl ?? fetch;
  const log = opts.log ?? ((line) => process.stderr.write(`${line}\n`));
  const manifest = loadManifest(path);
  const pinned = [];
  const hashes = new Map();
  for (const item of [...Object.values(manifest.targets).flat(), ...(manifest.licenses ?? [])]) {
    if (item.sha256) continue;
    if (!hashes.has(item.url)) {
      log(`pinning ${item.url}`);
      const hash = sha256(await download(item.url, fetchImpl));
      if (item.checksums) {
        const upstream = checksumFor((await download(item.checksums, fetchImpl)).toString('utf8'), basename(new URL(item.url).pathname));
        if (upstream !== hash) throw new Error(`Checksum mismatch for ${item.asset}: upstream ${item.checksums} says ${upstream}, the download is ${hash}. Nothing was pinned.`);
      }
      hashes.set(item.url, hash);
    }
    item.sha256 = hashes.get(item.url);
    pinned.push(item.asset);
  }
  writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`);
  return pinned;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const args = parseArgs(process.argv.slice(2));
    if (args.pin) process.stderr.write(`pinned: ${(await pinManifest({ manifest: args.manifest })).join(', ') || 'nothing (all pinned)'}\n`);
    else await fetchBinaries(args);
  } catch (err) {
    process.stderr.write(`fetch-binaries: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  }
}
