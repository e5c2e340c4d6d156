import { defineConfig } from 'vitest/config';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { esmDeepImportPath } from './build/esm-deep-imports';

// One config, three builds: the renderer (default), and with `--mode electron` / `--mode preload`
// the Node-side bundles (see docs/ARCHITECTURE.md). Vitest reads the `test` block.
export default defineConfig(({ mode }) => {
  if (mode === 'electron' || mode === 'preload') return electronBuild(mode);
  return {
    root: 'renderer',
    base: './',
    plugins: [svelte()],
    // No inline scripts or styles in index.html (strict CSP); the dev server stays on loopback.
    build: { outDir: '../dist/renderer', emptyOutDir: true, target: 'chrome120', modulePreload: { polyfill: false } },
    server: { host: '127.0.0.1' },
    test: {
      root: '.',
      include: ['test/**/*.test.ts', 'electron/**/*.test.ts', 'renderer/**/*.test.ts'],
      testTimeout: 120_000,
      hookTimeout: 120_000,
      pool: 'forks',
      maxWorkers: 2,
      fileParallelism: true,
    },
  };
});

function electronBuild(mode: 'electron' | 'preload') {
  const external = (id: string) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0');
  if (mode === 'preload') {
    // A sandboxed preload can require only 'electron': everything else (zod, the contract) is bundled.
    return {
      ssr: { noExternal: true as const },
      build: {
        outDir: 'dist-electron/preload',
        emptyOutDir: true,
        ssr: 'electron/preload/index.ts',
        target: 'chrome120',
        rollupOptions: { external: ['electron'], output: { format: 'cjs' as const, entryFileNames: 'index.cjs' } },
      },
    };
  }
  return {
    build: {
      outDir: 'dist-electron',
      emptyOutDir: false,
      ssr: true,
      target: 'node20',
      rollupOptions: {
        input: { 'main/index': 'electron/main/index.ts', 'engine/index': 'electron/engine/host/utility.ts' },
        external,
        // Deep imports into packages without an exports map (telegram/network) need their full file in Node's ESM loader.
        output: { format: 'es' as const, entryFileNames: '[name].js', paths: esmDeepImportPath(process.cwd()) },
      },
    },
  };
}
