/**
 * Measurement helpers for the benchmarks: sides run interleaved (A B A B ...) so a change in the
 * machine's load hits both alike, the median is reported, and the load average is recorded beside
 * every figure (the machine is shared; a figure without its load cannot be judged).
 */
import { loadavg } from 'node:os';

export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** 1-minute load average, rounded. */
export function load1m(): number {
  return round(loadavg()[0]!);
}

export interface Sample {
  value: number;
  load1m: number;
}

export interface Series {
  median: number;
  values: number[];
  /** 1-minute load average when each value was taken. */
  load1m: number[];
}

function series(samples: Sample[]): Series {
  return { median: median(samples.map((s) => s.value)), values: samples.map((s) => round(s.value)), load1m: samples.map((s) => s.load1m) };
}

async function sample(run: () => Promise<number>): Promise<Sample> {
  const before = loadavg()[0]!;
  const value = await run();
  return { value, load1m: round((before + loadavg()[0]!) / 2) };
}

/** Runs `run` n times in a row; each value with the load it ran under. */
export async function repeat(n: number, run: (i: number) => Promise<number>): Promise<Series> {
  const out: Sample[] = [];
  for (let i = 0; i < n; i++) out.push(await sample(() => run(i)));
  return series(out);
}

/** Runs the sides interleaved, n rounds (A B A B ... for two sides), and the median of each. */
export async function interleaved<K extends string>(n: number, sides: Record<K, (round: number) => Promise<number>>, progress?: (msg: string) => void): Promise<Record<K, Series>> {
  const names = Object.keys(sides) as K[];
  const samples = Object.fromEntries(names.map((k) => [k, [] as Sample[]])) as Record<K, Sample[]>;
  for (let r = 0; r < n; r++) {
    for (const k of names) {
      const s = await sample(() => sides[k](r));
      samples[k].push(s);
      progress?.(`round ${r + 1}/${n} ${k}: ${round(s.value)} (load ${s.load1m})`);
    }
  }
  return Object.fromEntries(names.map((k) => [k, series(samples[k])])) as Record<K, Series>;
}

/**
 * A figure for the JSON line: `{ name: value, nameLoad1m: [...] }` (and the runs it came from),
 * so the load always sits beside the number.
 */
export function figure(name: string, value: number, ...from: Series[]): Record<string, unknown> {
  return { [name]: round(value), [`${name}Load1m`]: from.flatMap((s) => s.load1m) };
}

export function round(x: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
