import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { esmDeepImportPath } from '../../build/esm-deep-imports';

const repo = process.cwd();
const run = promisify(execFile);

describe('deep imports in ESM bundles', () => {
  const map = esmDeepImportPath(repo);

  it('gives deep imports of packages without an exports map the file Node would load, and leaves the rest', () => {
    expect(map('telegram/network')).toBe('telegram/network/index.js');
    expect(map('telegram/extensions/Logger')).toBe('telegram/extensions/Logger.js');
    // Packages with an exports map, bare packages and built-ins stay as written.
    expect(map('electron-log/node')).toBe('electron-log/node');
    expect(map('telegram')).toBe('telegram');
    expect(map('node:fs')).toBe('node:fs');
  });

  it("the mapped specifier loads under plain Node's ESM rules; the unmapped one does not", async () => {
    const load = (spec: string) => run(process.execPath, ['--input-type=module', '-e', `await import(${JSON.stringify(spec)})`], { cwd: repo });
    await expect(load(map('telegram/network'))).resolves.toBeDefined();
    await expect(load('telegram/network')).rejects.toMatchObject({ stderr: expect.stringContaining('ERR_UNSUPPORTED_DIR_IMPORT') });
  });
});
