import { readFileSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectTsSegment } from '../../electron/engine/download/segment-check';
import { TsSignatureScanner, tsStreamSignature } from '../../electron/engine/media/ts-signature';
import { makeHls, tempDir, type Segment } from './gen';

let cleanup: () => Promise<void>;
let a: Segment[];
let b: Segment[];
let late: Segment[];
let mimic: Segment[];

/** The PTS an old byte-pattern scan would take for an ADTS header: bytes FF Fx in the PES header (ISO/IEC 13818-1 2.4.3.7). */
const PTS_LIKE_ADTS = 0xff * 2 ** 22 + 0xf * 2 ** 18 + 20_000;

/** Byte offset of the first packet of PID `pid`, and the first audio PES header (stream_id 0xC0) of a segment. */
function firstAudioPes(ts: Buffer): { at: number; header: Buffer } | undefined {
  for (let at = 0; at + 188 <= ts.length; at += 188) {
    if ((ts[at + 1] & 0x40) === 0) continue;
    const control = (ts[at + 3] >> 4) & 3;
    const off = at + 4 + (control & 2 ? 1 + ts[at + 4] : 0);
    if (ts[off] === 0 && ts[off + 1] === 0 && ts[off + 2] === 1 && ts[off + 3] === 0xc0) return { at, header: ts.subarray(off, off + 14) };
  }
  return undefined;
}

beforeAll(async () => {
  const t = await tempDir('tssig');
  cleanup = t.cleanup;
  a = await makeHls({ dir: t.dir, prefix: 'a', seconds: 4, segmentSec: 1 });
  b = await makeHls({ dir: t.dir, prefix: 'b', seconds: 2, segmentSec: 1, width: 128, height: 72 });
  late = await makeHls({ dir: t.dir, prefix: 'late', seconds: 6, segmentSec: 2, width: 320, height: 180, fps: 30, videoMbps: 12 });
  // Segment 1's first audio PES starts about 216,240 ticks after the offset (ffmpeg 5's mpegts
  // start delay plus one segment); the test checks it below rather than trusting this.
  mimic = await makeHls({ dir: t.dir, prefix: 'mimic', seconds: 3, segmentSec: 1, tsOffsetSec: Math.round(((PTS_LIKE_ADTS - 216_240) / 90_000) * 1000) / 1000 });
}, 120_000);
afterAll(() => cleanup?.());

describe('MPEG-TS stream signature', () => {
  it('is the same for every segment of one stream and differs when the picture size changes', () => {
    const keys = a.map((s) => tsStreamSignature(readFileSync(s.path)));
    expect(keys[0]).toMatch(/^v1b:[0-9a-f]+ a:aac1\/3\/2$/); // H.264 SPS, AAC-LC 48 kHz stereo
    expect(new Set(keys).size).toBe(1);
    expect(tsStreamSignature(readFileSync(b[0].path))).not.toBe(keys[0]);
  });

  it('finds audio that starts far into a segment, reading only as far as needed', async () => {
    const keys: Array<string | undefined> = [];
    for (const s of late) {
      const bytes = readFileSync(s.path);
      const audio = firstAudioPes(bytes);
      expect(audio!.at).toBeGreaterThan(188 * 2048); // beyond the 385 KB the old check read
      // The first 385 KB alone hold no audio: no key (the planner keeps the previous one), never a different one.
      expect(tsStreamSignature(bytes.subarray(0, 188 * 2048))).toBeUndefined();
      const seen = await inspectTsSegment(s.path, s.index, s.bytes);
      expect(seen.head.length).toBeGreaterThan(audio!.at);
      expect(seen.head.length).toBeLessThanOrEqual(bytes.length);
      keys.push(seen.streamKey);
    }
    expect(keys[0]).toMatch(/^v1b:[0-9a-f]+ a:aac1\/3\/2$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('gives the same key when bytes are fed in odd-sized pieces', () => {
    const bytes = readFileSync(late[1].path);
    const scanner = new TsSignatureScanner();
    for (let at = 0; at < bytes.length && !scanner.done; at += 1000) scanner.push(bytes.subarray(at, at + 1000));
    expect(scanner.signature()).toBe(tsStreamSignature(bytes));
  });

  it('is not fooled by PES timestamp bytes that look like an ADTS sync word', () => {
    const header = firstAudioPes(readFileSync(mimic[1].path))!.header;
    // Precondition: the PTS field (bytes 9..13) holds FF Fx, which a scan over raw packet bytes would take for ADTS.
    expect(header[10]).toBe(0xff);
    expect(header[11] & 0xf6).toBe(0xf0);
    expect((header[12] >> 2) & 0x0f).toBeLessThanOrEqual(12); // a valid sample-rate index too
    const keys = mimic.map((s) => tsStreamSignature(readFileSync(s.path)));
    expect(keys[1]).toMatch(/ a:aac1\/3\/2$/);
    expect(new Set(keys).size).toBe(1);
  });

  it('is undefined for bytes without program tables', () => {
    expect(tsStreamSignature(Buffer.alloc(188 * 10, 0x47))).toBeUndefined();
    expect(tsStreamSignature(Buffer.from('not a transport stream'))).toBeUndefined();
  });

  it('rejects a segment that loses packet sync before its signature is complete', async () => {
    const t = await tempDir('tssig-bad');
    try {
      const bytes = Buffer.from(readFileSync(late[0].path));
      bytes[188 * 3000] = 0; // past the 385 KB the old check looked at, before the first audio packet
      const path = `${t.dir}/bad.ts`;
      writeFileSync(path, bytes);
      await expect(inspectTsSegment(path, 7, bytes.length)).rejects.toThrow(/Segment 7 is not a valid MPEG-TS segment/);
    } finally {
      await t.cleanup();
    }
  });
});
