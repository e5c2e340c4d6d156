import type { z } from 'zod';

/**
 * What a strict schema accepts at a path, for messages about unknown keys ("is not a setting (did
 * you mean maxFileSizeMB?); known here: …"). Reads zod 4's public `def` of each schema.
 */
type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; shape?: Record<string, z.ZodType>; options?: z.ZodType[]; element?: z.ZodType };
const def = (schema: z.ZodType) => (schema as unknown as { def: Def }).def;

/** Through defaults, prefaults, optionals, nullables and pipes to the schema underneath. */
function unwrap(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let d = def(s); d.innerType || (d.type === 'pipe' && d.in); d = def(s)) s = (d.innerType ?? d.in)!;
  return s;
}

function objectShape(schema: z.ZodType): Record<string, z.ZodType> | undefined {
  const d = def(unwrap(schema));
  if (d.shape) return d.shape;
  // A union (destinations): the keys of every branch are known.
  if (d.options) return Object.assign({}, ...d.options.map((o) => objectShape(o) ?? {})) as Record<string, z.ZodType>;
  return undefined;
}

/** The keys the schema accepts at `path` (array indexes followed into the element). */
export function knownKeysAt(schema: z.ZodType, path: string[]): string[] {
  let s: z.ZodType | undefined = schema;
  for (const segment of path) {
    const d = def(unwrap(s));
    s = d.element ? (/^\d+$/.test(segment) ? d.element : undefined) : objectShape(s)?.[segment];
    if (!s) return [];
  }
  return Object.keys(objectShape(s) ?? {});
}

export function unknownKeyMessage(key: string, known: string[]): string {
  const near = known.find((k) => k.toLowerCase() === key.toLowerCase());
  return `"${key}" is not a setting${near ? ` (did you mean ${near}?)` : ''}${known.length ? `; known here: ${known.join(', ')}` : ''}`;
}
