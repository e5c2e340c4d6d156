/**
 * The engine's utility-process entry (engine/host/utility.ts) from source, driven over the same
 * parentPort bridge the packaged-engine smoke test uses: init -> ready, the engine's log lines
 * reach the host as `log` messages (main writes the one file), and `safePoint.request` is answered.
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EngineToHost } from '../../electron/contract/host';

const TSX = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const dir = mkdtempSync(join(tmpdir(), 'tvb-utility-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('engine utility entry over the host channel', () => {
  it('starts, forwards its log lines, answers the update safe-point question, and shuts down', async () => {
    const child = fork(join('test', 'packaging', 'engine-driver.mjs'), [join(process.cwd(), 'electron', 'engine', 'host', 'utility.ts')], {
      execArgv: ['--import', TSX],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    const messages: EngineToHost[] = [];
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('message', (m) => messages.push(EngineToHost.parse(m)));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // Settings with nothing to run (no channels): the engine starts and waits for setup.
      child.send({ type: 'init', settings: {}, secrets: {}, paths: { dataDir: dir, logFile: '', resourcesDir: '' }, settingsProblems: [] });
      await expect.poll(() => messages.some((m) => m.type === 'ready'), { timeout: 60_000 }).toBe(true);
      const lines = messages.flatMap((m) => (m.type === 'log' ? [m.line] : []));
      expect(
        lines.some((l) => l.scope === 'engine' && /database/.test(l.message)),
        stderr,
      ).toBe(true);
      child.send({ type: 'safePoint.request' });
      await expect.poll(() => messages.find((m) => m.type === 'safePoint'), { timeout: 20_000 }).toMatchObject({ type: 'safePoint', safe: true });
      child.send({ type: 'shutdown' });
      expect(await exited).toBe(0);
    } finally {
      child.kill();
    }
  }, 120_000);
});
