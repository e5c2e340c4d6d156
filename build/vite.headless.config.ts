import { defineConfig } from 'vite';
import { esmDeepImportPath } from './esm-deep-imports';

/**
 * Headless mode as one bundle for the Docker image (scripts/docker-build-steps.sh): the same
 * engine source the app runs, built like the engine bundle (vite.config.ts `--mode electron`),
 * with npm packages left external (installed beside it with `npm ci --omit=dev`). The output
 * keeps the source's folder depth (electron/engine/host/headless.js) so `--ui` finds dist/renderer
 * at the same relative place as in a checkout.
 */
export default defineConfig({
  build: {
    outDir: 'dist-headless',
    emptyOutDir: false,
    ssr: true,
    target: 'node22',
    rollupOptions: {
      input: { 'electron/engine/host/headless': 'electron/engine/host/headless.ts' },
      external: (id) => !id.startsWith('.') && !id.startsWith('/') && !id.startsWith('\0'),
      // Deep imports such as telegram/network get their real file (see esm-deep-imports.ts).
      output: { format: 'es', entryFileNames: '[name].js', paths: esmDeepImportPath(process.cwd()) },
    },
  },
});
