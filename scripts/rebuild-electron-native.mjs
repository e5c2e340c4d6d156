#!/usr/bin/env node
/**
 * Builds better-sqlite3 for Electron's ABI into dist-electron/native/better_sqlite3.node WITHOUT
 * touching node_modules (whose copy stays built for Node, for the tests and headless mode).
 * `npm start` passes that file to the engine's utility process (env TVB_SQLITE_NATIVE_BINDING,
 * for better-sqlite3's `nativeBinding` option). Packaged apps do not need it: electron-builder
 * rebuilds the packaged copy. Needs the internet (Electron headers or a prebuilt binary).
 *
 *   node scripts/rebuild-electron-native.mjs              rebuild now
 *   node scripts/rebuild-electron-native.mjs --if-needed  only when the stamp beside the build does
 *                                                          not match (npm's `prestart` runs this)
 *
 * The stamp records what the build was made for (Electron and better-sqlite3 versions, platform,
 * arch): an upgrade of either package makes the next `npm start` build again, nothing else does.
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const versionOf = (root, pkg) => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;

export const nativeOutput = (root) => join(root, 'dist-electron', 'native', 'better_sqlite3.node');
export const stampFile = (root) => join(root, 'dist-electron', 'native', 'stamp.json');

/** What a build made now would be for. */
export function wantedStamp(root, platform = process.platform, arch = process.arch) {
  return { electron: versionOf(root, 'electron'), betterSqlite3: versionOf(root, 'better-sqlite3'), platform, arch };
}

/** Why a rebuild is needed (a sentence), or null when the existing build matches. Pure file reads. */
export function rebuildReason(root, wanted = wantedStamp(root)) {
  if (!existsSync(nativeOutput(root))) return 'no Electron build of better-sqlite3 yet';
  let have;
  try {
    have = JSON.parse(readFileSync(stampFile(root), 'utf8'));
  } catch {
    return 'the build has no readable stamp';
  }
  for (const key of Object.keys(wanted)) {
    if (have?.[key] !== wanted[key]) return `${key} changed (${have?.[key] ?? 'unknown'} -> ${wanted[key]})`;
  }
  return null;
}

/** Builds the binding in a throwaway copy of the package and writes it with its stamp. */
export async function rebuildElectronNative(root = projectRoot) {
  const wanted = wantedStamp(root);
  const out = nativeOutput(root);
  const work = mkdtempSync(join(tmpdir(), 'tvb-native-'));
  try {
    // A throwaway app holding a copy of better-sqlite3 (and what its build needs).
    writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'native-build', version: '1.0.0', dependencies: { 'better-sqlite3': wanted.betterSqlite3 } }));
    for (const dep of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
      const from = join(root, 'node_modules', dep);
      if (existsSync(from)) cpSync(from, join(work, 'node_modules', dep), { recursive: true, dereference: true });
    }
    rmSync(join(work, 'node_modules', 'better-sqlite3', 'build'), { recursive: true, force: true });
    const { rebuild } = await import('@electron/rebuild');
    await rebuild({ buildPath: work, electronVersion: wanted.electron, onlyModules: ['better-sqlite3'], force: true });
    mkdirSync(dirname(out), { recursive: true });
    cpSync(join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), out);
    writeFileSync(stampFile(root), `${JSON.stringify(wanted, null, 2)}\n`);
    return { out, stamp: wanted };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const ifNeeded = process.argv.includes('--if-needed');
  try {
    const reason = ifNeeded ? rebuildReason(projectRoot) : 'asked to';
    if (reason === null) {
      process.stderr.write('better-sqlite3 for Electron is up to date\n');
    } else {
      process.stderr.write(`Building better-sqlite3 for Electron (${reason}); needs the internet once...\n`);
      const { out, stamp } = await rebuildElectronNative(projectRoot);
      process.stderr.write(`better-sqlite3 ${stamp.betterSqlite3} for Electron ${stamp.electron} -> ${out}\n`);
    }
  } catch (err) {
    process.stderr.write(`rebuild-electron-native: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
