/**
 * Issue 17 item 9: a tool run that stalls (prints nothing, like ffmpeg reading from a hung disk)
 * is stopped after its idle timeout with a transient error, and Cancel stops it at once.
 */
import { describe, expect, it } from 'vitest';
import { runTool } from '../../electron/engine/media/run-tool';

// `sleep` stands in for a child that never prints (coreutils, always on PATH here).
describe('runTool', () => {
  it('stops a run that prints nothing for the idle timeout (transient, retried later)', async () => {
    await expect(runTool('sleep', ['30'], { idleTimeoutMs: 300 })).rejects.toMatchObject({ errorClass: 'transient', code: 'tool_stalled' });
  });

  it('keeps a run that prints, however long it takes', async () => {
    const r = await runTool('sh', ['-c', 'for i in 1 2 3 4 5; do echo $i; sleep 0.2; done'], { idleTimeoutMs: 1_000 });
    expect(r).toMatchObject({ code: 0 });
    expect(r.stdout.split('\n').filter(Boolean)).toEqual(['1', '2', '3', '4', '5']);
  });

  it('is cancelled by its signal', async () => {
    const abort = new AbortController();
    const run = runTool('sleep', ['30'], { signal: abort.signal });
    setTimeout(() => abort.abort(), 100);
    await expect(run).rejects.toMatchObject({ errorClass: 'cancelled' });
  });
});
