/**
 * Reused memory for big encrypted messages (upload parts). A fresh 512 KiB buffer per part is
 * external memory to V8: when the socket is backed up, those buffers live long enough to be
 * promoted, and V8 then runs a full mark-compact every few parts for "external memory
 * pressure" (seen with --trace-gc: 0 in one run, 6 in 1.7 s in the next, +1.2 CPU-s per GB,
 * the bimodal upload CPU). A buffer taken here goes back to the pool only when the socket's
 * write callback says the kernel has the bytes; one that never comes back is simply collected.
 */

/** Messages below this size are not pooled (small, short-lived, from Node's slab). */
export const POOLED_MIN_BYTES = 64 * 1024;
/** One pooled buffer: a 512 KiB part with every MTProto and TCP header around it. */
export const POOLED_CAPACITY = 512 * 1024 + 1024;
/** Free buffers kept; more in flight than this are allocated and later collected. */
const MAX_FREE = 16;

const free: Buffer[] = [];
/** Memory currently lent out (by ArrayBuffer, so any view of it can be returned). */
const lent = new WeakSet<ArrayBufferLike>();

/** A buffer of at least `size` bytes; pooled when the size is an upload part's. */
export function takeOutput(size: number): Buffer {
  if (size < POOLED_MIN_BYTES || size > POOLED_CAPACITY) return Buffer.allocUnsafeSlow(size);
  const buf = free.pop() ?? Buffer.allocUnsafeSlow(POOLED_CAPACITY);
  lent.add(buf.buffer);
  return buf;
}

/** True when `view` lies in pooled memory that is lent out. */
export function isLentOutput(view: Buffer): boolean {
  return lent.has(view.buffer);
}

/** Gives the memory under `view` back once nothing reads it any more (idempotent). */
export function releaseOutput(view: Buffer): void {
  if (!lent.delete(view.buffer)) return;
  if (free.length < MAX_FREE) free.push(Buffer.from(view.buffer, 0, POOLED_CAPACITY));
}

/** Free buffers held now (for tests). */
export function freeOutputs(): number {
  return free.length;
}
