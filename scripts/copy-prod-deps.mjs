#!/usr/bin/env node
/**
 * Copies the production packages (package-lock.json entries that are neither dev nor optional:
 * what `npm ci --omit=dev --omit=optional` installs) from ./node_modules into OUT/node_modules,
 * offline. Used by scripts/docker-build-steps.sh --deps copy (the test of the Docker steps).
 *   node scripts/copy-prod-deps.mjs OUT
 */
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Lockfile paths (node_modules/...) of the production packages. Pure. */
export function productionPackages(lock) {
  return Object.entries(lock.packages ?? {})
    .filter(([path, info]) => path.startsWith('node_modules/') && !info.dev && !info.optional && !info.devOptional)
    .map(([path]) => path);
}

const out = process.argv[2];
if (!out) {
  process.stderr.write('usage: node scripts/copy-prod-deps.mjs OUT\n');
  process.exit(2);
}
const packages = productionPackages(JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')));
const missing = packages.filter((p) => !existsSync(join(root, p)));
if (missing.length) {
  process.stderr.write(`copy-prod-deps: not installed here: ${missing.join(', ')} (run npm ci first)\n`);
  process.exit(1);
}
// Parents before children: a nested node_modules lands inside its already-copied parent.
for (const path of packages.sort()) cpSync(join(root, path), join(out, path), { recursive: true, dereference: true, force: true });
process.stderr.write(`copy-prod-deps: ${packages.length} packages -> ${join(out, 'node_modules')}\n`);
