import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Folders import each other in one direction only (stage -> stage, never back). A cycle between two
 * folders means a rule has two homes; this check finds them from the import statements themselves.
 */
const ROOT = resolve('electron');

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

/** electron/engine/<stage>/... counts as its stage (subfolders included); electron/<x>/... as x. */
function folderOf(file: string): string {
  const parts = relative(ROOT, file).split(sep);
  return parts[0] === 'engine' && parts.length > 2 ? `engine/${parts[1]}` : parts[0];
}

function importsOf(source: string): string[] {
  const found: string[] = [];
  const pattern = /(?:^|[\s;])(?:import|export)\s[^'"]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g;
  for (const m of source.matchAll(pattern)) found.push(m[1] ?? m[2]);
  return found;
}

/** Strongly connected components of size > 1 (Tarjan): each one is a cycle of folders. */
function cycles(graph: Map<string, Set<string>>): string[][] {
  let index = 0;
  const stack: string[] = [];
  const info = new Map<string, { index: number; low: number; onStack: boolean }>();
  const found: string[][] = [];
  const visit = (node: string): void => {
    info.set(node, { index, low: index, onStack: true });
    index++;
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const seen = info.get(next);
      if (!seen) {
        visit(next);
        info.get(node)!.low = Math.min(info.get(node)!.low, info.get(next)!.low);
      } else if (seen.onStack) info.get(node)!.low = Math.min(info.get(node)!.low, seen.index);
    }
    const own = info.get(node)!;
    if (own.low !== own.index) return;
    const component: string[] = [];
    for (;;) {
      const top = stack.pop()!;
      info.get(top)!.onStack = false;
      component.push(top);
      if (top === node) break;
    }
    if (component.length > 1) found.push(component.sort());
  };
  for (const node of graph.keys()) if (!info.has(node)) visit(node);
  return found;
}

describe('folder-level import cycles', () => {
  it('finds a cycle when there is one (the check itself)', () => {
    const g = new Map([
      ['a', new Set(['b'])],
      ['b', new Set(['c'])],
      ['c', new Set(['a'])],
      ['d', new Set(['a'])],
    ]);
    expect(cycles(g)).toEqual([['a', 'b', 'c']]);
    expect(importsOf(`import { x } from '../core/engine';\nexport * from './y';\nconst z = await import('../pipeline/job');`)).toEqual([
      '../core/engine',
      './y',
      '../pipeline/job',
    ]);
  });

  it('no two folders of electron/ import each other, directly or around a loop', () => {
    const graph = new Map<string, Set<string>>();
    const files = sources(ROOT);
    expect(files.length).toBeGreaterThan(50);
    for (const file of files) {
      const from = folderOf(file);
      const edges = graph.get(from) ?? new Set<string>();
      graph.set(from, edges);
      for (const spec of importsOf(readFileSync(file, 'utf8'))) {
        const to = folderOf(resolve(dirname(file), spec));
        if (to !== from) edges.add(to);
      }
    }
    expect(cycles(graph)).toEqual([]);
  });
});
