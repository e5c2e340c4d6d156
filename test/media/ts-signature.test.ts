import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tsStreamSignature } from '../../electron/engine/media/ts-signature';
import { makeHls, tempDir, type Segment } from './gen';

let cleanup: () => Promise<void>;
let a: Segment[];
let b: Segment[];

beforeAll(async () => {
  const t = await tempDir('tssig');
  cleanup = t.cleanup;
  a = await makeHls({ dir: t.dir, prefix: 'a', seconds: 4, segmentSec: 1 });
  b = await makeHls({ dir: t.dir, prefix: 'b', seconds: 2, segmentSec: 1, width: 128, height: 72 });
});
afterAll(() => cleanup?.());

describe('MPEG-TS stream signature', () => {
  it('is the same for every segment of one stream and differs when the picture size changes', () => {
    const keys = a.map((s) => tsStreamSignature(readFileSync(s.path)));
    expect(keys[0]).toMatch(/^v1b:[0-9a-f]+ a:aac1\/3\/2$/); // H.264 SPS, AAC-LC 48 kHz stereo
    expect(new Set(keys).size).toBe(1);
    expect(tsStreamSignature(readFileSync(b[0].path))).not.toBe(keys[0]);
  });

  it('is undefined for bytes without program tables', () => {
    expect(tsStreamSignature(Buffer.alloc(188 * 10, 0x47))).toBeUndefined();
    expect(tsStreamSignature(Buffer.from('not a transport stream'))).toBeUndefined();
  });
});
