/**
 * electron-builder `afterPack` hook (electron-builder.yml): refuses a package that would ship
 * without its tools or with ffmpeg twice. Runs on the unpacked app, before any installer is made.
 * The hook receives { appOutDir, packager, electronPlatformName, arch } (app-builder-lib
 * platformPackager.js `doPack` -> `afterPack`); `packager.getResourcesDir(appOutDir)` is the
 * folder that becomes process.resourcesPath (Contents/Resources in a macOS .app).
 */
import * as asar from '@electron/asar';
import builderUtil from 'builder-util';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const TOOLS = ['ffmpeg', 'ffprobe', 'yt-dlp'];

/** Problems with a packed resources folder (empty = fine). Pure apart from reading files. */
export function checkPackedApp(resourcesDir, platform, arch) {
  const problems = [];
  const bin = join(resourcesDir, 'bin', `${platform}-${arch}`);
  for (const tool of TOOLS) {
    const file = join(bin, platform === 'win32' ? `${tool}.exe` : tool);
    if (!existsSync(file)) problems.push(`${file} is missing: run \`node scripts/fetch-binaries.mjs --platform ${platform} --arch ${arch}\` before packaging`);
  }
  for (const licence of ['README.txt', 'ffmpeg/GPL-3.0.txt', 'ffmpeg/SOURCE-OFFER.txt']) {
    if (!existsSync(join(resourcesDir, 'licenses', licence))) problems.push(`licenses/${licence} is missing from the package`);
  }
  // The bundled ffmpeg replaces ffmpeg-static (host-architecture only): never ship both.
  const asarFile = join(resourcesDir, 'app.asar');
  if (existsSync(asarFile)) {
    const packed = asar.listPackage(asarFile, { isPack: false }).map((p) => p.replace(/\\/g, '/'));
    if (packed.some((p) => p.startsWith('/node_modules/ffmpeg-static/') || p.startsWith('/node_modules/ffprobe-static/')))
      problems.push('app.asar holds ffmpeg-static although the bundled ffmpeg is shipped');
  }
  if (existsSync(join(resourcesDir, 'app.asar.unpacked', 'node_modules', 'ffmpeg-static')))
    problems.push('app.asar.unpacked holds ffmpeg-static although the bundled ffmpeg is shipped');
  return problems;
}

export default async function afterPack(context) {
  const { Arch } = builderUtil;
  const resourcesDir = context.packager.getResourcesDir(context.appOutDir);
  const problems = checkPackedApp(resourcesDir, context.electronPlatformName, Arch[context.arch]);
  if (problems.length) throw new Error(`The packed app is incomplete:\n  ${problems.join('\n  ')}`);
}
