import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs helper without type declarations
import { buildIco, parseIco, pngSize } from '../../scripts/icons/ico.mjs';

const repo = process.cwd();
const tmp = mkdtempSync(join(tmpdir(), 'tvb-icons-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const STATES = ['idle', 'working', 'paused', 'retrying', 'attention'];

const read = (...p: string[]) => readFileSync(join(repo, ...p));
const size = (buf: Buffer) => (pngSize(buf) as { width: number; height: number }).width;

/** RGBA pixels of a PNG, decoded by ffmpeg. */
function rgba(file: string): Buffer {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgba', '-']);
}

describe('ico writer', () => {
  it('packs PNGs into an .ico that reads back the same', () => {
    const pngs = [16, 32, 256].map((s) => read('build', 'icons', `${s}x${s}.png`));
    const ico = buildIco(pngs) as Buffer;
    const back = parseIco(ico) as Array<{ size: number; data: Buffer }>;
    expect(back.map((e) => e.size)).toEqual([16, 32, 256]);
    back.forEach((e, i) => expect(e.data.equals(pngs[i]!)).toBe(true));
  });

  it('rejects what an .ico cannot hold', () => {
    expect(() => buildIco([])).toThrow(/at least one image/);
    expect(() => buildIco([read('build', 'icon.png')])).toThrow(/1024x1024; .ico entries must be square, 1-256 px/);
    expect(() => pngSize(Buffer.from('GIF89a not a png at all....'))).toThrow(/not a PNG/);
    expect(() => parseIco(Buffer.from([1, 2, 3, 4, 5, 6]))).toThrow(/not an .ico/);
  });
});

describe('committed icons (generated from resources/icon.svg)', () => {
  it('app icons: build/icon.png 1024, build/icons/NxN.png, build/icon.ico up to 256', () => {
    expect(size(read('build', 'icon.png'))).toBe(1024);
    for (const f of readdirSync(join(repo, 'build', 'icons'))) {
      const n = Number(/^(\d+)x\1\.png$/.exec(f)?.[1]);
      expect(size(read('build', 'icons', f)), f).toBe(n);
    }
    const ico = parseIco(read('build', 'icon.ico')) as Array<{ size: number; data: Buffer }>;
    expect(ico.map((e) => e.size)).toEqual([16, 24, 32, 48, 64, 128, 256]);
    for (const e of ico) expect(size(e.data)).toBe(e.size);
    expect(size(read('resources', 'icons', 'icon-256.png'))).toBe(256);
  });

  it('tray: coloured PNG and .ico per state, macOS Templates are black with alpha only', () => {
    for (const state of STATES) {
      expect(size(read('resources', 'tray', `tray-${state}.png`))).toBe(32);
      expect((parseIco(read('resources', 'tray', `tray-${state}.ico`)) as Array<{ size: number }>).map((e) => e.size)).toEqual([16, 24, 32]);
      for (const [file, px] of [
        [`tray-${state}Template.png`, 16],
        [`tray-${state}Template@2x.png`, 32],
      ] as const) {
        expect(size(read('resources', 'tray', file))).toBe(px);
        const pixels = rgba(join(repo, 'resources', 'tray', file));
        let opaque = 0;
        for (let i = 0; i < pixels.length; i += 4) {
          expect(pixels[i]! | pixels[i + 1]! | pixels[i + 2]!, `${file} pixel ${i / 4} is not black`).toBe(0);
          if (pixels[i + 3]! > 128) opaque++;
        }
        expect(opaque, `${file} has a visible glyph`).toBeGreaterThan(px);
      }
    }
    // The states differ from each other (a badge), in colour and in the Templates.
    const idle = rgba(join(repo, 'resources', 'tray', 'tray-idle.png'));
    for (const state of STATES.slice(1)) expect(rgba(join(repo, 'resources', 'tray', `tray-${state}.png`)).equals(idle)).toBe(false);
  });

  it('the generator reproduces the same set of files from the source', () => {
    execFileSync(process.execPath, [join(repo, 'scripts', 'make-icons.mjs'), '--out', tmp], { stdio: 'ignore' });
    for (const dir of [
      ['build', 'icons'],
      ['resources', 'tray'],
      ['resources', 'icons'],
    ]) {
      const committed = readdirSync(join(repo, ...dir)).sort();
      expect(readdirSync(join(tmp, ...dir)).sort(), dir.join('/')).toEqual(committed);
      for (const f of committed.filter((x) => x.endsWith('.png'))) {
        expect(size(readFileSync(join(tmp, ...dir, f))), f).toBe(size(read(...dir, f)));
      }
    }
  });
});
