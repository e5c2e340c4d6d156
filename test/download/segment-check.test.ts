/**
 * The MPEG-TS check and stream key as the fetch stage runs them: on a segment's bytes as they
 * download, in whatever pieces the socket delivers (TsSegmentCheck), and on a file read back
 * (inspectTsSegment, the same rules). Real segments from ffmpeg, one with its audio a long way in.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectTsSegment, SIGNATURE_READ_LIMIT, TsSegmentCheck } from '../../electron/engine/download/segment-check';
import { tsStreamSignature } from '../../electron/engine/media/ts-signature';
import { makeHls, tempDir, type Segment } from '../media/gen';

let cleanup: () => Promise<void>;
let plain: Segment[];
let late: Segment[];

beforeAll(async () => {
  const t = await tempDir('segcheck');
  cleanup = t.cleanup;
  plain = await makeHls({ dir: t.dir, prefix: 'p', seconds: 3, segmentSec: 1 });
  // 12 Mb/s noise: big keyframes, the first audio packet several hundred KB in, segments over 1 MiB.
  late = await makeHls({ dir: t.dir, prefix: 'late', seconds: 4, segmentSec: 2, width: 320, height: 180, fps: 30, videoMbps: 12 });
}, 120_000);
afterAll(() => cleanup?.());

/** Feeds `bytes` to a fresh check in pieces of `size` (the last one shorter) and finishes it. */
function inPieces(bytes: Buffer, size: number, index = 3): { key: string | undefined; check: TsSegmentCheck } {
  const check = new TsSegmentCheck(index);
  for (let at = 0; at < bytes.length; at += size) check.push(bytes.subarray(at, at + size));
  return { key: check.finish(bytes.length), check };
}

const SIZES = [1, 2, 187, 188, 189, 1000, 16_384, 65_536, Infinity];

describe('TsSegmentCheck (the check as a segment downloads)', () => {
  it('gives the key of the whole file, whatever the piece sizes', async () => {
    for (const s of [...plain, ...late]) {
      const bytes = readFileSync(s.path);
      const whole = tsStreamSignature(bytes);
      expect(whole).toMatch(/^v1b:[0-9a-f]+ a:aac1\/3\/2$/);
      for (const size of SIZES) expect(inPieces(bytes, Math.min(size, bytes.length)).key, `segment ${s.index}, pieces of ${size}`).toBe(whole);
      expect((await inspectTsSegment(s.path, s.index, s.bytes)).streamKey).toBe(whole);
    }
  });

  it('stops looking once the key is known and the first MiB is checked', () => {
    const bytes = readFileSync(late[0].path);
    expect(bytes.length).toBeGreaterThan(188 * 5578);
    const { check } = inPieces(bytes, 65_536);
    expect(check.wantsMore).toBe(false);
    expect(SIGNATURE_READ_LIMIT).toBeGreaterThan(bytes.length); // it stopped on the key, not on the limit
  });

  it('refuses a lost sync byte wherever the piece boundaries fall, naming the byte', () => {
    const bytes = Buffer.from(readFileSync(plain[1].path));
    bytes[188 * 50] = 0x00;
    for (const size of [1, 2, 100, 188, 4096, bytes.length]) {
      expect(() => inPieces(bytes, size)).toThrow(expect.objectContaining({ errorClass: 'transient', code: 'corrupt_segment' }));
      expect(() => inPieces(bytes, size)).toThrow(`Segment 3 is not a valid MPEG-TS segment (bad packet at byte ${188 * 50}); it will be fetched again.`);
    }
  });

  it('refuses a body that is not whole packets, has no PAT in its first MiB, or is empty', () => {
    const bytes = readFileSync(plain[0].path);
    expect(() => inPieces(bytes.subarray(0, bytes.length - 100), 1000)).toThrow(/not whole 188-byte packets/);
    // Sync bytes everywhere but no PID 0 packet: not a stream ffmpeg could cut.
    const noPat = Buffer.alloc(188 * 20, 0xff);
    for (let at = 0; at < noPat.length; at += 188) noPat[at] = 0x47;
    expect(() => inPieces(noPat, 500)).toThrow(/no PAT in the first 3760/);
    expect(() => new TsSegmentCheck(9).finish(0)).toThrow('Segment 9 is empty; it will be fetched again.');
  });

  it('reads a file back with the same verdict (the corrupt byte past what an old check read)', async () => {
    const t = await tempDir('segcheck-bad');
    try {
      const bytes = Buffer.from(readFileSync(late[0].path));
      bytes[188 * 3000] = 0x12;
      const path = `${t.dir}/bad.ts`;
      writeFileSync(path, bytes);
      await expect(inspectTsSegment(path, 7, bytes.length)).rejects.toThrow(`Segment 7 is not a valid MPEG-TS segment (bad packet at byte ${188 * 3000})`);
      expect(() => inPieces(bytes, 65_536, 7)).toThrow(`(bad packet at byte ${188 * 3000})`);
    } finally {
      await t.cleanup();
    }
  });
});
