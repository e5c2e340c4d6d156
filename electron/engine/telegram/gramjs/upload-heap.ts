import { setFlagsFromString } from 'node:v8';

/**
 * V8 heap growth while uploads run.
 *
 * Every part's ciphertext comes from Node's cipher.update, which always returns a new 512 KiB
 * ArrayBuffer (Node has no update-into-buffer API), and V8 counts those young backing stores in
 * the old generation's budget until a scavenge frees them (OldGenerationSpaceAvailable subtracts
 * the external memory allocated since the last mark-compact). With a small JS heap (about 18 MB
 * live in the upload benchmark) V8's adaptive growing factor often leaves the limit near 41 MB,
 * so about 15 parts of ciphertext already reach the soft limit and V8 runs a full mark-compact
 * every ~300 ms instead of the cheap scavenge that would free them: measured with --trace-gc,
 * 40-50 mark-compacts per 512 MiB and 1.5-2 CPU-s/GB, and whether it happens depends on where the
 * limit landed (the "bimodal" upload CPU). A fixed growing factor of 4 (V8's own maximum) keeps
 * room for the ciphertext between scavenges: 2-5 mark-compacts per 768 MiB.
 *
 * `--heap-growing-percent` is read each time V8 computes a new limit, so it takes effect at run
 * time (Electron's main process starts V8 with --no-freeze-flags-after-init, so
 * v8.setFlagsFromString is allowed there as in Node). It is set while at least one upload runs
 * and put back to V8's adaptive default (0) after the last one ends.
 */

const UPLOAD_GROWING_PERCENT = 300;
let running = 0;

/** Runs one upload with the heap-growth setting above in force. */
export async function withUploadHeapGrowth<T>(upload: () => Promise<T>): Promise<T> {
  if (running++ === 0) setFlagsFromString(`--heap-growing-percent=${UPLOAD_GROWING_PERCENT}`);
  try {
    return await upload();
  } finally {
    if (--running === 0) setFlagsFromString('--heap-growing-percent=0');
  }
}

/** How many uploads hold the setting (tests). */
export function uploadsHoldingHeapGrowth(): number {
  return running;
}
