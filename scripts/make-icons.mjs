#!/usr/bin/env node
/**
 * Generates every icon from ONE source image, resources/icon.svg (rasterised by ffmpeg's librsvg
 * decoder), and writes them into the repository (they are committed; run again after changing the
 * source):
 *   build/icon.png (1024, electron-builder's macOS/Linux source), build/icon.ico (Windows),
 *   build/icons/NxN.png (Linux icon theme sizes), resources/icons/icon-256.png (window/notifications),
 *   resources/tray/tray-<state>.png|.ico (coloured, with a state badge),
 *   resources/tray/tray-<state>Template.png|@2x.png (macOS: black glyph + alpha, the OS tints it).
 * Usage: node scripts/make-icons.mjs [--ffmpeg PATH] [--out DIR]   (DIR defaults to the repository)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildIco, pngSize } from './icons/ico.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = join(root, 'resources', 'icon.svg');
const ffmpegArg = process.argv.indexOf('--ffmpeg');
const ffmpeg = ffmpegArg > 0 ? process.argv[ffmpegArg + 1] : 'ffmpeg';
const outArg = process.argv.indexOf('--out');
const outRoot = outArg > 0 ? process.argv[outArg + 1] : root;
const tmp = mkdtempSync(join(tmpdir(), 'tvb-icons-'));

// One per kind of the status model (electron/contract/status.ts).
const STATES = ['idle', 'working', 'paused', 'retrying', 'attention'];
const APP_SIZES = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const ICO_SIZES = [16, 24, 32, 48, 64, 128, 256];

/** Badge per state, drawn in a 32x32 box (bottom-right); shapes differ so Templates stay readable. */
function badgeSvg(state, template) {
  const ink = template ? '#000' : '#fff';
  const fill = template ? '#000' : { working: '#22c55e', paused: '#64748b', retrying: '#f59e0b', attention: '#ef4444' }[state];
  const ring = template ? '' : `stroke="#fff" stroke-width="1.5"`;
  const mark = {
    working: '',
    paused: template ? '' : `<rect x="21" y="20" width="2.2" height="8" fill="${ink}"/><rect x="24.8" y="20" width="2.2" height="8" fill="${ink}"/>`,
    retrying: template ? '' : `<circle cx="24" cy="24" r="3.2" fill="none" stroke="${ink}" stroke-width="1.6"/>`,
    attention: template ? '' : `<rect x="23" y="19.5" width="2" height="5.5" fill="${ink}"/><rect x="23" y="26" width="2" height="2" fill="${ink}"/>`,
  }[state];
  const shape = template
    ? {
        working: `<circle cx="24" cy="24" r="6.5" fill="#000"/>`,
        paused: `<path d="M21 18.5 V29.5 M27 18.5 V29.5" stroke="#000" stroke-width="3"/>`,
        retrying: `<circle cx="24" cy="24" r="5" fill="none" stroke="#000" stroke-width="2.5"/>`,
        attention: `<path d="M19.5 19.5 L28.5 28.5 M28.5 19.5 L19.5 28.5" stroke="#000" stroke-width="3"/>`,
      }[state]
    : `<circle cx="24" cy="24" r="7" fill="${fill}" ${ring}/>`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="32" height="32" viewBox="0 0 32 32">${shape}${mark}</svg>`;
}

function run(args) {
  execFileSync(ffmpeg, ['-hide_banner', '-v', 'error', '-y', ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** The source at `size` px; `template` keeps only the white glyph, as black with alpha. */
function raster(size, out, { template = false, badge } = {}) {
  const inputs = ['-width', String(size), '-height', String(size), '-i', source];
  let graph = '[0:v]format=rgba';
  if (template) graph += ",geq=r=0:g=0:b=0:a='alpha(X,Y)*clip(2*(g(X,Y)-128),0,255)/255'";
  if (badge) {
    // Clear a disc under the badge so it reads as separate from the glyph, then lay the badge on.
    const c = (24 / 32) * size;
    const r = (9 / 32) * size;
    graph += `,geq=r='r(X,Y)':g='g(X,Y)':b='b(X,Y)':a='if(lt(hypot(X-${c},Y-${c}),${r}),0,alpha(X,Y))'[base];`;
    const svg = join(tmp, `badge-${badge}-${template ? 't' : 'c'}.svg`);
    writeFileSync(svg, badgeSvg(badge, template));
    inputs.push('-width', String(size), '-height', String(size), '-i', svg);
    graph += '[1:v]format=rgba[badge];[base][badge]overlay=format=auto,format=rgba';
  }
  run([...inputs, '-filter_complex', `${graph}[out]`, '-map', '[out]', '-frames:v', '1', '-pix_fmt', 'rgba', out]);
  const { width } = pngSize(readFileSync(out));
  if (width !== size) throw new Error(`${out}: expected ${size} px, got ${width}`);
  return readFileSync(out);
}

function main() {
  const dirs = ['build/icons', 'resources/icons', 'resources/tray'].map((d) => join(outRoot, d));
  for (const d of dirs) mkdirSync(d, { recursive: true });
  const pngs = new Map();
  for (const size of APP_SIZES) pngs.set(size, raster(size, join(outRoot, 'build', 'icons', `${size}x${size}.png`)));
  writeFileSync(join(outRoot, 'build', 'icon.png'), pngs.get(1024));
  writeFileSync(join(outRoot, 'build', 'icon.ico'), buildIco(ICO_SIZES.map((s) => pngs.get(s))));
  writeFileSync(join(outRoot, 'resources', 'icons', 'icon-256.png'), pngs.get(256));

  for (const state of STATES) {
    const badge = state === 'idle' ? undefined : state;
    const trayDir = join(outRoot, 'resources', 'tray');
    const colour = [16, 24, 32].map((s) => raster(s, join(tmp, `${state}-${s}.png`), { badge }));
    writeFileSync(join(trayDir, `tray-${state}.png`), colour[2]);
    writeFileSync(join(trayDir, `tray-${state}.ico`), buildIco(colour));
    raster(16, join(trayDir, `tray-${state}Template.png`), { template: true, badge });
    raster(32, join(trayDir, `tray-${state}Template@2x.png`), { template: true, badge });
  }
  rmSync(tmp, { recursive: true, force: true });
  process.stderr.write(`icons written from ${source} into ${outRoot}\n`);
}

main();
