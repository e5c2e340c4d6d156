/**
 * `npm run bench -- NAME`: runs bench/NAME.ts, whose default export resolves to one result object,
 * and prints it as a single JSON line on stdout (progress, if any, goes to stderr).
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const available = readdirSync(here)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -3));
const name = process.argv[2];
if (!name || !available.includes(name)) {
  console.error(`usage: npm run bench -- NAME   (one of: ${available.join(', ')})`);
  process.exit(2);
}
const mod = (await import(pathToFileURL(join(here, `${name}.ts`)).href)) as { default: () => Promise<Record<string, unknown>> };
const result = await mod.default();
process.stdout.write(`${JSON.stringify({ bench: name, ...result })}\n`);
process.exit(0);
