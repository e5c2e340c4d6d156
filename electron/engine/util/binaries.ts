import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { EngineError } from './errors';

/**
 * Finds ffmpeg, ffprobe and yt-dlp in a fixed order: a settings override, the app's bundled
 * `resources/bin/<platform>-<arch>`, the ffmpeg-static package (optional: its installer needs the
 * internet), then PATH. Pure lookup plus a version probe; nothing here downloads anything.
 */
export type ToolName = 'ffmpeg' | 'ffprobe' | 'yt-dlp';
export type ToolSource = 'override' | 'bundled' | 'ffmpeg-static' | 'path';
export interface ToolLocation {
  name: ToolName;
  path: string;
  source: ToolSource;
}
export interface ToolSearch {
  overrides?: Partial<Record<ToolName, string | undefined>>;
  /** Folder holding `bin/<platform>-<arch>/` (the app's resources folder); absent in headless mode. */
  resourcesDir?: string;
  platform?: NodeJS.Platform;
  arch?: string;
  envPath?: string;
}

const exe = (name: string, platform: NodeJS.Platform) => (platform === 'win32' ? `${name}.exe` : name);

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Inside a packaged app, ffmpeg-static points into app.asar, from which nothing can be spawned. */
export function unpackedAsarPath(path: string): string {
  return path.replace(/([\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2');
}

function ffmpegStaticPath(name: ToolName): string | undefined {
  if (name === 'yt-dlp') return undefined;
  try {
    const require = createRequire(import.meta.url);
    const pkg = name === 'ffmpeg' ? 'ffmpeg-static' : 'ffprobe-static';
    const found = require(pkg) as string | { path?: string } | null;
    const path = typeof found === 'string' ? found : found?.path;
    return path ? unpackedAsarPath(path) : undefined;
  } catch {
    return undefined;
  }
}

export function candidatePaths(name: ToolName, search: ToolSearch = {}): Array<Omit<ToolLocation, 'name'>> {
  const platform = search.platform ?? process.platform;
  const arch = search.arch ?? process.arch;
  const out: Array<Omit<ToolLocation, 'name'>> = [];
  const override = search.overrides?.[name];
  if (override) out.push({ path: override, source: 'override' });
  if (search.resourcesDir) out.push({ path: join(search.resourcesDir, 'bin', `${platform}-${arch}`, exe(name, platform)), source: 'bundled' });
  const fromPackage = ffmpegStaticPath(name);
  if (fromPackage) out.push({ path: fromPackage, source: 'ffmpeg-static' });
  for (const dir of (search.envPath ?? process.env.PATH ?? '').split(delimiter).filter(Boolean)) {
    out.push({ path: join(dir, exe(name, platform)), source: 'path' });
  }
  return out;
}

export function findTool(name: ToolName, search: ToolSearch = {}): ToolLocation | undefined {
  const hit = candidatePaths(name, search).find((c) => isExecutable(c.path));
  return hit ? { name, ...hit } : undefined;
}

/** Like `findTool`, but a missing tool is an error that says how to fix it. */
export function requireTool(name: ToolName, search: ToolSearch = {}): ToolLocation {
  const found = findTool(name, search);
  if (found) return found;
  throw missingTool(name);
}

function missingTool(name: ToolName): Error {
  const hint =
    name === 'yt-dlp'
      ? 'Install yt-dlp (https://github.com/yt-dlp/yt-dlp) or set its path under Settings > Advanced > Tools.'
      : `Install ffmpeg (it includes ffprobe) or set the ${name} path under Settings > Advanced > Tools.`;
  return new EngineError('permanent', `${name}_missing`, `${name} was not found (looked in the settings override, the bundled tools, ffmpeg-static and PATH). ${hint}`);
}

const run = promisify(execFile);

/** First line of `tool -version` / `--version`, or undefined when it does not run. */
export async function toolVersion(location: ToolLocation): Promise<string | undefined> {
  const flag = location.name === 'yt-dlp' ? '--version' : '-version';
  try {
    const { stdout } = await run(location.path, [flag], { timeout: 15_000 });
    return stdout.split('\n')[0]?.trim();
  } catch {
    return undefined;
  }
}

/**
 * The tool paths every spawning function is given: resolved once (at engine start and on a
 * settings change) in the order above, so every stage uses the same copies the Tools panel shows.
 * A missing tool stays undefined; the step that needs it says what to install.
 */
export interface Tools {
  ffmpeg?: string;
  ffprobe?: string;
  ytDlp?: string;
}

export function resolveTools(search: ToolSearch): Tools {
  return { ffmpeg: findTool('ffmpeg', search)?.path, ffprobe: findTool('ffprobe', search)?.path, ytDlp: findTool('yt-dlp', search)?.path };
}

/** The search the app uses: the settings' overrides and the app's resources folder (absent headless). */
export function appToolSearch(overrides: { ffmpeg: string; ffprobe: string; ytDlp: string }, resourcesDir: string | undefined): ToolSearch {
  return {
    overrides: { ffmpeg: overrides.ffmpeg || undefined, ffprobe: overrides.ffprobe || undefined, 'yt-dlp': overrides.ytDlp || undefined },
    resourcesDir: resourcesDir || undefined,
  };
}

/** A tool a step cannot do without: an error that says how to get it. */
export function needTool(tools: Tools, name: ToolName): string {
  const path = name === 'yt-dlp' ? tools.ytDlp : tools[name];
  if (path) return path;
  throw missingTool(name);
}
