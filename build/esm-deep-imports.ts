import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

/**
 * Node's ESM loader needs the full file of a deep import into a package without an `exports` map
 * (`telegram/network` is `telegram/network/index.js`; it does not add extensions or index files:
 * nodejs.org/api/esm.html#mandatory-file-extensions). Bundlers and tsx resolve such specifiers CJS
 * style, so an ESM bundle that keeps them external fails at load time in plain Node and in
 * Electron's utility process alike. For rollup's `output.paths`: maps such a specifier to the
 * file Node's require would load; everything else is left as written.
 */
export function esmDeepImportPath(root: string): (id: string) => string {
  const require = createRequire(join(root, 'package.json'));
  return (id) => {
    const m = /^((?:@[^/]+\/)?[^/@][^/]*)\/(.+)$/.exec(id);
    if (!m || id.startsWith('node:')) return id;
    const [, pkg, sub] = m as unknown as [string, string, string];
    const pkgJson = join(root, 'node_modules', pkg, 'package.json');
    if (!existsSync(pkgJson) || (JSON.parse(readFileSync(pkgJson, 'utf8')) as { exports?: unknown }).exports !== undefined) return id;
    try {
      const file = require.resolve(id);
      return `${pkg}/${relative(realpathSync(join(root, 'node_modules', pkg)), file)
        .split('\\')
        .join('/')}`;
    } catch {
      return `${pkg}/${sub}`;
    }
  };
}
