import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeKeyframes, probeMedia, probePackets, streamKey } from '../../electron/engine/media/probe';
import { EngineError } from '../../electron/engine/util/errors';
import { makeHls, tempDir, testTools, type Segment } from './gen';

let dir: string;
let cleanup: () => Promise<void>;
let segs: Segment[];

beforeAll(async () => {
  ({ dir, cleanup } = await tempDir('probe'));
  segs = await makeHls({ dir, prefix: 'p', seconds: 4, segmentSec: 2, width: 192, height: 108, fps: 15 });
});
afterAll(async () => cleanup());

describe('probe', () => {
  it('reads duration, size, codecs, picture size, fps and sample rate', async () => {
    const info = await probeMedia(segs[0].path, testTools());
    expect(info.sizeBytes).toBe(segs[0].bytes);
    expect(info.durationSec).toBeGreaterThan(1.9);
    expect(info.durationSec).toBeLessThan(2.2);
    expect(info.bitRate).toBeGreaterThan(0);
    expect(info.video).toMatchObject({ codec: 'h264', width: 192, height: 108, fps: 15 });
    expect(info.audio).toMatchObject({ codec: 'aac', sampleRate: 48000, channels: 2 });
    expect(streamKey(info)).toBe('h264 192x108 aac 48000/2');
  });

  it('lists keyframes and packets in demux order', async () => {
    const kf = await probeKeyframes(segs[0].path, testTools());
    expect(kf.length).toBe(1);
    expect(kf[0].pos).toBeGreaterThanOrEqual(0);
    const packets = await probePackets(segs[0].path, testTools());
    expect(packets.filter((p) => p.stream === 'video')).toHaveLength(30);
    expect(packets.some((p) => p.stream === 'audio')).toBe(true);
    // Video packets come with their byte positions in file order (audio PES in TS carry one
    // position for many frames, so only video is checked).
    const video = packets.filter((p) => p.stream === 'video');
    expect(video.every((p) => p.pos >= 0)).toBe(true);
    for (let i = 1; i < video.length; i++) expect(video[i].pos).toBeGreaterThan(video[i - 1].pos);
  });

  it('names an unreadable or missing file in a permanent error', async () => {
    const junk = join(dir, 'junk.ts');
    await writeFile(junk, 'not a video at all');
    for (const path of [junk, join(dir, 'absent.ts')]) {
      const err = await probeMedia(path, testTools()).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect((err as EngineError).errorClass).toBe('permanent');
      expect((err as EngineError).code).toBe('unreadable_media');
      expect((err as Error).message).toContain(path);
    }
  });
});
