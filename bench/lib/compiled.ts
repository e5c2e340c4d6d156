/**
 * A benchmark script compiled the way the app's Node-side code ships (vite.config.ts's electron
 * build: vite/rollup SSR bundle, node20, ES modules, packages left external), so a figure such as
 * peak RSS is not the TypeScript loader's (tsx keeps a loader thread and its compiler, about 50 MB,
 * which the packaged app does not have). The same source, bundled into .tmp/ (git-ignored).
 */
import { join, relative } from 'node:path';
import { build } from 'vite';
import { esmDeepImportPath } from '../../build/esm-deep-imports';
import { root } from './processes';

/** Bundles `script` (a path from the repository root) into .tmp/bench-compiled/; resolves to the bundle's path. */
export async function compileScript(script: string): Promise<string> {
  const name = script.replace(/^.*\//, '').replace(/\.ts$/, '');
  const outDir = join(root, '.tmp', 'bench-compiled');
  await build({
    configFile: false,
    root,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: false,
      ssr: true,
      target: 'node20',
      minify: false,
      rollupOptions: {
        input: { [name]: join(root, script) },
        external: (id: string) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
        output: { format: 'es', entryFileNames: '[name].js', paths: esmDeepImportPath(root) },
      },
    },
  });
  return relative(root, join(outDir, `${name}.js`));
}
