#!/usr/bin/env node
/**
 * Builds better-sqlite3 for Electron's ABI into dist-electron/native/better_sqlite3.node WITHOUT
 * touching node_modules (whose copy stays built for Node, for the tests and headless mode).
 * `npm start` passes that file to the engine's utility process (env TVB_SQLITE_NATIVE_BINDING,
 * for better-sqlite3's `nativeBinding` option). Packaged apps do not need it: electron-builder
 * rebuilds the packaged copy. Needs the internet (Electron headers or a prebuilt binary).
 */
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
const sqliteVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'better-sqlite3', 'package.json'), 'utf8')).version;
const out = join(root, 'dist-electron', 'native', 'better_sqlite3.node');

const work = mkdtempSync(join(tmpdir(), 'tvb-native-'));
try {
  // A throwaway app holding a copy of better-sqlite3 (and what its build needs).
  writeFileSync(join(work, 'package.json'), JSON.stringify({ name: 'native-build', version: '1.0.0', dependencies: { 'better-sqlite3': sqliteVersion } }));
  for (const dep of ['better-sqlite3', 'bindings', 'file-uri-to-path']) {
    const from = join(root, 'node_modules', dep);
    if (existsSync(from)) cpSync(from, join(work, 'node_modules', dep), { recursive: true, dereference: true });
  }
  rmSync(join(work, 'node_modules', 'better-sqlite3', 'build'), { recursive: true, force: true });
  const { rebuild } = await import('@electron/rebuild');
  await rebuild({ buildPath: work, electronVersion, onlyModules: ['better-sqlite3'], force: true });
  mkdirSync(dirname(out), { recursive: true });
  cpSync(join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), out);
  process.stderr.write(`better-sqlite3 ${sqliteVersion} for Electron ${electronVersion} -> ${out}\n`);
} catch (err) {
  process.stderr.write(`rebuild-electron-native: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
} finally {
  rmSync(work, { recursive: true, force: true });
}
