/**
 * Packaging smoke test: builds the bundles, packs the Linux `dir` target with electron-builder
 * offline (a stand-in Electron folder holding a placeholder executable; no native rebuild), and
 * checks the unpacked app the way the packaged app will use it. Builds go to a temp stage, not
 * to the repository's dist folders, so parallel tests cannot race on them. Downloads nothing.
 */
import * as asar from '@electron/asar';
import { execFile, fork } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EngineToHost } from '../../electron/contract/host';
import { findTool, requireTool } from '../../electron/engine/util/binaries';
import { runtimePaths } from '../../electron/main/paths';
import { TRAY_ICON_STATES, trayIconFile } from '../../electron/main/tray-model';
import { hlsCacheDir, makeHlsVod } from '../fakes/hls';
import { startTwitchStandIn } from '../fakes/twitch/server';

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
    await step('vite build --mode preload', bin('vite'), [
      'build',
      '--mode',
      'preload',
      '--outDir',
      join(stage, 'dist-electron', 'preload'),
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ]);
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
    for (const top of forbiddenTop)
      expect(
        own.filter((p) => p === top || p.startsWith(`${top}/`)),
        top,
      ).toEqual([]);
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

  it('the packed engine runs under plain Node with PATH empty: bundled tools, unpacked sqlite, a VOD from the Twitch stand-in to a folder', async () => {
    // The packed app as an installed one holds it, copied so the checks above keep the stand-in tools.
    const run = join(stage, 'run');
    const res = join(run, 'resources');
    cpSync(resources, res, { recursive: true, verbatimSymlinks: true });
    // This machine's (Debian) ffmpeg, ffprobe and yt-dlp, linked where the installer puts its own.
    for (const tool of ['ffmpeg', 'ffprobe', 'yt-dlp']) {
      rmSync(join(res, 'bin', target, tool));
      symlinkSync(join('/usr/bin', tool), join(res, 'bin', target, tool));
    }
    // A Node-ABI better-sqlite3 where the installer puts the Electron one (app.asar.unpacked).
    const binding = join('node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
    copyFileSync(join(repo, binding), join(res, 'app.asar.unpacked', binding));
    // Plain Node cannot read inside an asar: extract it (unpacked files come from app.asar.unpacked).
    const app = join(run, 'app');
    asar.extractAll(join(res, 'app.asar'), app);
    expect(existsSync(join(app, 'node_modules', 'ffmpeg-static')), 'ffmpeg-static is not packed').toBe(false);

    const params = { durationSec: 6, segmentSec: 2, width: 160, height: 90, videoKbps: 600 };
    const hls = await makeHlsVod(hlsCacheDir('pack-smoke', params), params);
    const twitch = await startTwitchStandIn({ users: [{ id: '88', login: 'packed' }], vods: [{ id: '8800', userId: '88', title: 'Packed run', hls }] });
    const archive = join(run, 'archive');
    const messages: EngineToHost[] = [];
    const child = fork(join(repo, 'test', 'packaging', 'engine-driver.mjs'), [join(app, 'dist-electron', 'engine', 'index.js')], {
      env: { PATH: '', HOME: run, TMPDIR: tmpdir() },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m) => messages.push(m as EngineToHost));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const logs = () => messages.flatMap((m) => (m.type === 'log' ? [`${m.line.level} ${m.line.scope}: ${m.line.message}`] : [])).join('\n');
    try {
      child.send({
        type: 'init',
        settings: {
          twitch: { clientId: twitch.clientId, channels: [{ channel: 'packed' }] },
          destinations: [{ kind: 'folder', name: 'Archive', path: archive }],
          vod: { checkIntervalSec: 3600, minRetryDelaySec: 1, maxRetryDelaySec: 2 },
          telegram: { postDelaySec: 0 },
          advanced: { twitch: twitch.endpoints, lowDiskGuardMB: 0 },
        },
        secrets: { twitchClientSecret: twitch.clientSecret },
        paths: { dataDir: join(run, 'data'), logFile: '', resourcesDir: res },
      });
      const outcomeSeen = () => messages.some((m) => m.type === 'notice' && (m.notice.kind === 'vodCompleted' || m.notice.kind === 'vodFailed'));
      const deadline = Date.now() + 90_000;
      while (!outcomeSeen() && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
      if (!outcomeSeen())
        throw new Error(`No VOD outcome (engine exit code ${child.exitCode}). Messages: ${messages.map((m) => m.type).join(',')}\nEngine log:\n${logs()}\nstderr:\n${stderr}`);
      const outcome = messages.find((m) => m.type === 'notice')!;
      expect(outcome.type === 'notice' && outcome.notice.kind, `engine log:\n${logs()}\n${stderr}`).toBe('vodCompleted');
      const files = readdirSync(archive, { recursive: true }).map(String);
      expect(
        files.some((f) => /\.(mp4|ts|mkv)$/.test(f)),
        files.join(', '),
      ).toBe(true);
      expect(messages.some((m) => m.type === 'ready')).toBe(true);
      child.send({ type: 'shutdown' });
      expect(await exited).toBe(0);
    } finally {
      child.kill();
      await twitch.close();
    }
  }, 180_000);
});
