/**
 * Packaging smoke test: builds the bundles, packs the Linux `dir` target with electron-builder
 * offline (a stand-in Electron folder holding a placeholder executable; no native rebuild), and
 * checks the unpacked app the way the packaged app will use it. Builds go to a temp stage, not
 * to the repository's dist folders, so parallel tests cannot race on them. Downloads nothing.
 */
import * as asar from '@electron/asar';
import { execFile } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findTool, requireTool } from '../../electron/engine/util/binaries';
import { runtimePaths } from '../../electron/main/paths';
import { TRAY_ICON_STATES, trayIconFile } from '../../electron/main/tray-model';

const run = promisify(execFile);
const repo = process.cwd();
const bin = (name: string) => join(repo, 'node_modules', '.bin', name);
const arch = process.arch;
const target = `linux-${arch}`;
const stage = mkdtempSync(join(tmpdir(), 'tvb-pack-'));
const resources = join(stage, 'out', arch === 'x64' ? 'linux-unpacked' : `linux-${arch}-unpacked`, 'resources');
let entries: string[] = [];

interface FileSet {
  from: string;
  to: string;
  filter?: string[];
}
interface BuilderConfig {
  files: Array<string | FileSet>;
  extraResources: FileSet[];
  asarUnpack: string[];
  directories: Record<string, string>;
  [key: string]: unknown;
}

async function step(what: string, cmd: string, args: string[]): Promise<void> {
  try {
    await run(cmd, args, { cwd: repo, maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1', CI: 'true' } });
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${what} failed: ${e.message}\n${(e.stderr || e.stdout || '').slice(-3000)}`, { cause: err });
  }
}

/** The real electron-builder.yml, with the built bundles and stand-in tools taken from the stage. */
function smokeConfig(): BuilderConfig {
  const yaml = createRequire(import.meta.url)('js-yaml') as { load(text: string): unknown };
  const config = yaml.load(readFileSync(join(repo, 'electron-builder.yml'), 'utf8')) as BuilderConfig;
  const fromStage: Record<string, FileSet> = {
    'dist-electron/**/*': { from: join(stage, 'dist-electron'), to: 'dist-electron', filter: ['**/*'] },
    'dist/renderer/**/*': { from: join(stage, 'dist', 'renderer'), to: 'dist/renderer', filter: ['**/*'] },
  };
  // The stage mirrors these two patterns; if the real config stops listing them, say so.
  for (const pattern of Object.keys(fromStage)) expect(config.files, `electron-builder.yml files: ${pattern}`).toContain(pattern);
  config.files = config.files.map((f) => (typeof f === 'string' && fromStage[f] ? fromStage[f] : f));
  const binEntry = config.extraResources.find((e) => e.to === 'bin/${platform}-${arch}');
  expect(binEntry?.from, 'extraResources has resources/bin/${platform}-${arch}').toBe('resources/bin/${platform}-${arch}');
  binEntry!.from = join(stage, 'bin', '${platform}-${arch}');
  return { ...config, electronDist: join(stage, 'electron-dist'), npmRebuild: false, directories: { ...config.directories, output: join(stage, 'out') } };
}

describe.skipIf(process.platform !== 'linux')('packaged app (linux dir target)', () => {
  beforeAll(async () => {
    // Stand-ins: an Electron folder with a placeholder executable, and the tools for this target.
    mkdirSync(join(stage, 'electron-dist'), { recursive: true });
    writeFileSync(join(stage, 'electron-dist', 'electron'), '#!/bin/sh\necho placeholder\n');
    chmodSync(join(stage, 'electron-dist', 'electron'), 0o755);
    mkdirSync(join(stage, 'bin', target), { recursive: true });
    for (const tool of ['ffmpeg', 'ffprobe', 'yt-dlp']) {
      writeFileSync(join(stage, 'bin', target, tool), `#!/bin/sh\necho stand-in ${tool}\n`);
      chmodSync(join(stage, 'bin', target, tool), 0o755);
    }
    writeFileSync(join(stage, 'bin', target, '.gitkeep'), '');

    // Main + engine first (that build does not empty its folder), then the preload and renderer.
    await step('vite build --mode electron', bin('vite'), ['build', '--mode', 'electron', '--outDir', join(stage, 'dist-electron'), '--logLevel', 'warn']);
    await step('vite build --mode preload', bin('vite'), ['build', '--mode', 'preload', '--outDir', join(stage, 'dist-electron', 'preload'), '--emptyOutDir', '--logLevel', 'warn']);
    await step('vite build (renderer)', bin('vite'), ['build', '--outDir', join(stage, 'dist', 'renderer'), '--emptyOutDir', '--logLevel', 'warn']);

    writeFileSync(join(stage, 'builder.json'), JSON.stringify(smokeConfig(), null, 2));
    await step('electron-builder --linux dir', bin('electron-builder'), ['--config', join(stage, 'builder.json'), '--linux', 'dir', `--${arch}`, '--publish', 'never']);
    entries = asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((p) => p.replace(/\\/g, '/'));
  }, 240_000);

  afterAll(() => rmSync(stage, { recursive: true, force: true }));

  it('app.asar holds the built main, preload, engine and renderer', () => {
    for (const file of ['/package.json', '/dist-electron/main/index.js', '/dist-electron/preload/index.cjs', '/dist-electron/engine/index.js', '/dist/renderer/index.html']) {
      expect(entries, file).toContain(file);
    }
    const pkg = JSON.parse(asar.extractFile(join(resources, 'app.asar'), 'package.json').toString('utf8'));
    expect(pkg.main).toBe('dist-electron/main/index.js');
    expect(pkg.type).toBe('module');
  });

  it('app.asar holds no sources, tests, fixtures, maps or dev tools', () => {
    const own = entries.filter((p) => !p.startsWith('/node_modules/'));
    const forbiddenTop = ['/electron', '/test', '/renderer', '/scripts', '/bench', '/resources', '/build', '/docs', '/.github', '/.ci', '/src', '/release'];
    for (const top of forbiddenTop) expect(own.filter((p) => p === top || p.startsWith(`${top}/`)), top).toEqual([]);
    expect(own.filter((p) => /\.(ts|tsx|svelte|map)$/.test(p) && !p.endsWith('.d.ts'))).toEqual([]);
    expect(own.filter((p) => /fixture/i.test(p))).toEqual([]);
    expect(own.filter((p) => p.startsWith('/dist-electron/native'))).toEqual([]);
    // Dev dependencies stay out (electron is provided by the runtime, not bundled as a package).
    for (const dev of ['electron', 'electron-builder', 'vite', 'vitest', 'typescript', 'svelte', 'playwright-core', 'fast-check', 'tsx']) {
      expect(entries, `node_modules/${dev}`).not.toContain(`/node_modules/${dev}/package.json`);
    }
    expect(entries.filter((p) => p.startsWith('/node_modules/better-sqlite3/deps/') || p.startsWith('/node_modules/better-sqlite3/src/'))).toEqual([]);
  });

  it('every package the bundles import is in the asar', () => {
    const bundles = entries.filter((p) => p.startsWith('/dist-electron/') && p.endsWith('.js')).map((p) => p.slice(1));
    expect(bundles.length).toBeGreaterThanOrEqual(2);
    for (const bundle of bundles) {
      const code = asar.extractFile(join(resources, 'app.asar'), bundle).toString('utf8');
      const specs = [...code.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)["']([^"'./][^"']*)["']/g)].map((m) => m[1]!);
      const packages = new Set(
        specs.filter((s) => !s.startsWith('node:') && s !== 'electron').map((s) => (s.startsWith('@') ? s.split('/').slice(0, 2).join('/') : s.split('/')[0]!)),
      );
      for (const name of packages) expect(entries, `${bundle} imports ${name}`).toContain(`/node_modules/${name}/package.json`);
    }
  });

  it("better-sqlite3's native module is unpacked next to the asar", () => {
    const node = join(resources, 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    expect(existsSync(node)).toBe(true);
    expect(statSync(node).size).toBeGreaterThan(100_000);
    // The JS that loads it stays reachable from the asar (bindings resolves into .unpacked).
    expect(entries).toContain('/node_modules/better-sqlite3/lib/index.js');
    expect(entries).toContain('/node_modules/bindings/package.json');
  });

  it("resources/bin holds this platform's tools (executable, without the .gitkeep), plus tray images and icons", () => {
    for (const tool of ['ffmpeg', 'ffprobe', 'yt-dlp']) {
      const path = join(resources, 'bin', target, tool);
      expect(statSync(path).mode & 0o111, path).not.toBe(0);
    }
    expect(existsSync(join(resources, 'bin', target, '.gitkeep'))).toBe(false);
    expect(existsSync(join(resources, 'icons', 'icon-256.png'))).toBe(true);
  });

  it('the runtime path resolution finds the engine, preload, renderer, tools and tray images in this layout', async () => {
    const paths = runtimePaths({ appPath: join(resources, 'app.asar'), resourcesPath: resources, isPackaged: true });
    const inAsar = (p: string) => `/${p.slice(join(resources, 'app.asar').length + 1).replace(/\\/g, '/')}`;
    expect(entries).toContain(inAsar(paths.engineEntry));
    expect(entries).toContain(inAsar(paths.preload));
    expect(entries).toContain(inAsar(join(paths.rendererDir, 'index.html')));
    expect(paths.sqliteNativeBinding).toBeUndefined();
    expect(existsSync(paths.appIcon)).toBe(true);
    for (const state of TRAY_ICON_STATES) {
      expect(existsSync(trayIconFile(paths.trayDir, state, 'linux'))).toBe(true);
    }
    // With nothing on PATH and no override, the bundled copies are found and run.
    for (const tool of ['ffmpeg', 'ffprobe', 'yt-dlp'] as const) {
      const found = requireTool(tool, { resourcesDir: paths.resourcesDir, envPath: '' });
      expect(found).toMatchObject({ source: 'bundled', path: join(resources, 'bin', target, tool) });
      expect((await run(found.path, [])).stdout).toBe(`stand-in ${tool}\n`);
    }
    // A settings override still wins over the bundled copy.
    expect(findTool('ffmpeg', { resourcesDir: paths.resourcesDir, envPath: '', overrides: { ffmpeg: join(resources, 'bin', target, 'yt-dlp') } })?.source).toBe('override');
  });
});
