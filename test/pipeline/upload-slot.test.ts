import { describe, expect, it } from 'vitest';
import { mayStart } from '../../electron/engine/pipeline/admission';
import { Gate } from '../../electron/engine/pipeline/sync';
import { UploadSlotHold } from '../../electron/engine/pipeline/upload-slot';

/** Resolves true if `p` settles within a few event-loop turns (the gate grants synchronously on release). */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  for (let i = 0; i < 5; i++) await Promise.resolve();
  return done;
}

describe('the upload slot hold', () => {
  it('an ordinary VOD keeps the slot between parts and gives it back at the end', async () => {
    const gate = new Gate(1);
    const hold = new UploadSlotHold(gate, new AbortController().signal, () => true);
    await hold.enter();
    hold.leave();
    const other = gate.acquire();
    expect(await settled(other)).toBe(false);
    hold.giveBack();
    expect(await settled(other)).toBe(true);
  });

  it('a live capture gives the slot back while both loops are idle, not while one still works', async () => {
    const gate = new Gate(1);
    const hold = new UploadSlotHold(gate, new AbortController().signal, () => false);
    await hold.enter(); // the upload loop
    await hold.enter(); // the post loop, on the same hold
    hold.leave();
    const other = gate.acquire();
    expect(await settled(other)).toBe(false);
    hold.leave();
    expect(await settled(other)).toBe(true);
    // Its next part waits behind the other VOD.
    const next = hold.enter();
    expect(await settled(next)).toBe(false);
    gate.release();
    expect(await settled(next)).toBe(true);
    hold.giveBack();
  });

  it('a cancelled wait leaves the slot as it was', async () => {
    const gate = new Gate(1);
    await gate.acquire();
    const abort = new AbortController();
    const hold = new UploadSlotHold(gate, abort.signal, () => false);
    const waiting = hold.enter();
    abort.abort(new Error('cancelled'));
    await expect(waiting).rejects.toThrow('cancelled');
    hold.giveBack();
    gate.release();
    await expect(settled(gate.acquire())).resolves.toBe(true);
  });
});

describe('the upload slot hold after its stage', () => {
  it('is never taken again once given back (a loop still running after the other failed)', async () => {
    const gate = new Gate(1);
    const hold = new UploadSlotHold(gate, new AbortController().signal, () => true);
    await hold.enter();
    hold.giveBack();
    await expect(hold.enter()).rejects.toThrow('the deliver stage has ended');
    await expect(settled(gate.acquire())).resolves.toBe(true);
  });
});

describe('which due VOD may start', () => {
  const ordinary = { capture: false };
  const capture = { capture: true };
  it('two ordinary VODs at a time; live captures do not count and always start', () => {
    expect(mayStart(ordinary, [ordinary])).toBe(true);
    expect(mayStart(ordinary, [ordinary, ordinary])).toBe(false);
    expect(mayStart(ordinary, [capture, ordinary])).toBe(true);
    expect(mayStart(ordinary, [capture, capture, ordinary])).toBe(true);
    expect(mayStart(capture, [ordinary, ordinary])).toBe(true);
  });
});
