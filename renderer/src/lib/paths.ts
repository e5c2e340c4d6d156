import type { z } from 'zod';
import type { Problem } from '../../../electron/contract/settings';

/**
 * Dotted-path helpers for the settings form: the schema's problems name fields as
 * `split.minFileSizeMB` or `destinations.0.chatId`, and the form reads/writes by the same path.
 */

export function getAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const key of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** Sets a value in place, creating plain objects along the way. */
export function setAt(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let cur: Record<string, unknown> = obj;
  for (const key of keys.slice(0, -1)) {
    const next = cur[key];
    if (next == null || typeof next !== 'object') cur[key] = {};
    cur = cur[key] as Record<string, unknown>;
  }
  cur[keys[keys.length - 1]] = value;
}

export function problemsFromIssues(error: z.ZodError): Problem[] {
  return error.issues.map((i) => ({ path: i.path.map(String).join('.') || '(root)', message: i.message }));
}

/** First message per path; a problem on `a.b` is also shown on its field `a.b`, not on `a`. */
export function problemsByPath(problems: Problem[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const p of problems) if (!(p.path in out)) out[p.path] = p.message;
  return out;
}

/** Problems under a prefix (e.g. every problem of `destinations.2`). */
export function problemUnder(byPath: Record<string, string>, prefix: string): string | undefined {
  if (byPath[prefix]) return byPath[prefix];
  const key = Object.keys(byPath).find((k) => k.startsWith(`${prefix}.`));
  return key ? `${key.slice(prefix.length + 1)}: ${byPath[key]}` : undefined;
}

/** "a, b ,c" -> ['a','b','c'] (empty items dropped). */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Channel names typed by the user: commas, spaces or new lines; a pasted twitch.tv URL works too. */
export function parseChannelNames(text: string): string[] {
  const names = text
    .split(/[\s,;]+/)
    .map((s) =>
      s
        .trim()
        .replace(/^https?:\/\/(www\.)?twitch\.tv\//i, '')
        .replace(/\/.*$/, '')
        .replace(/^@/, ''),
    )
    .filter(Boolean);
  return [...new Set(names.map((n) => n.toLowerCase()))];
}
