import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The engine, the contract and the renderer must run without Electron. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.(ts|svelte|js|mjs)$/.test(name) ? [path] : [];
  });
}

describe('layering', () => {
  it('no file under electron/engine, electron/contract or renderer imports electron', () => {
    const files = ['electron/engine', 'electron/contract', 'renderer'].flatMap((d) => sources(d));
    expect(files.length).toBeGreaterThan(10);
    const offenders = files.filter((f) => /(?:from\s+|import\s*\(\s*|require\s*\(\s*)['"]electron(?:\/[^'"]*)?['"]/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('only the Telegram module imports GramJS', () => {
    const files = ['electron', 'renderer'].flatMap((d) => sources(d));
    const importers = files.filter((f) => /from\s+['"]telegram(?:\/[^'"]*)?['"]/.test(readFileSync(f, 'utf8')));
    expect(importers.every((f) => f.startsWith(join('electron', 'engine', 'telegram', 'gramjs')))).toBe(true);
  });
});
