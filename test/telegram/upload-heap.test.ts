import { describe, expect, it, vi } from 'vitest';
import type * as V8 from 'node:v8';

const setFlags = vi.hoisted(() => vi.fn());
vi.mock('node:v8', async (importOriginal) => ({ ...(await importOriginal<typeof V8>()), setFlagsFromString: setFlags }));

const { withUploadHeapGrowth, uploadsHoldingHeapGrowth } = await import('../../electron/engine/telegram/gramjs/upload-heap');

function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve!: () => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('heap growth while uploads run', () => {
  it('is set by the first upload, kept while any runs, and put back to V8 default after the last (also when one fails)', async () => {
    setFlags.mockClear();
    const a = deferred();
    const b = deferred();
    const first = withUploadHeapGrowth(() => a.promise);
    const second = withUploadHeapGrowth(() => b.promise);
    expect(setFlags.mock.calls).toEqual([['--heap-growing-percent=300']]);
    expect(uploadsHoldingHeapGrowth()).toBe(2);
    a.reject(new Error('part failed'));
    await expect(first).rejects.toThrow('part failed');
    expect(setFlags).toHaveBeenCalledTimes(1);
    b.resolve();
    await second;
    expect(setFlags.mock.calls).toEqual([['--heap-growing-percent=300'], ['--heap-growing-percent=0']]);
    expect(uploadsHoldingHeapGrowth()).toBe(0);
  });

  it('returns what the upload returns and sets the flag again for a later upload', async () => {
    setFlags.mockClear();
    await expect(withUploadHeapGrowth(async () => 42)).resolves.toBe(42);
    expect(setFlags.mock.calls).toEqual([['--heap-growing-percent=300'], ['--heap-growing-percent=0']]);
  });
});
