import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPart } from '../../electron/engine/media/build';
import { chaptersForPart, ffmetadataChapters, locateChapters, writePartChapters } from '../../electron/engine/media/chapters';
import { readMp4Summary } from '../../electron/engine/media/mp4-atoms';
import type { VodChapter } from '../../electron/engine/twitch/chapters';
import { makeHls, tempDir, testTools, type Segment } from './gen';

const exec = promisify(execFile);

const vodChapters: VodChapter[] = [
  { startSec: 0, durationSec: 4350, title: 'Just Chatting' },
  { startSec: 4350, durationSec: 3000, title: 'Elden Ring' },
  { startSec: 7350, durationSec: null, title: 'Music' },
];

describe('chaptersForPart', () => {
  it('cuts the chapters to a part, in part-relative seconds, the one running at its start at 0', () => {
    expect(chaptersForPart(vodChapters, { startSec: 3600, durationSec: 3600 })).toEqual([
      { startSec: 0, endSec: 750, title: 'Just Chatting' },
      { startSec: 750, endSec: 3600, title: 'Elden Ring' },
    ]);
    // The open last chapter runs to the part's end.
    expect(chaptersForPart(vodChapters, { startSec: 7200, durationSec: 1000 })).toEqual([
      { startSec: 0, endSec: 150, title: 'Elden Ring' },
      { startSec: 150, endSec: 1000, title: 'Music' },
    ]);
    expect(chaptersForPart(vodChapters, { startSec: 0, durationSec: 1800 })).toEqual([{ startSec: 0, endSec: 1800, title: 'Just Chatting' }]);
  });

  it('leaves out a change within a second of the cut, and returns nothing without chapters', () => {
    expect(chaptersForPart(vodChapters, { startSec: 3000, durationSec: 1350.5 }).map((c) => c.title)).toEqual(['Just Chatting']);
    expect(chaptersForPart(vodChapters, { startSec: 4349.5, durationSec: 100 })).toEqual([{ startSec: 0, endSec: 100, title: 'Elden Ring' }]);
    expect(chaptersForPart([], { startSec: 0, durationSec: 100 })).toEqual([]);
  });
});

describe('locateChapters', () => {
  it('names the part and the time in it where each chapter begins', () => {
    const parts = [
      { part: 1, startSec: 0, durationSec: 3600 },
      { part: 2, startSec: 3600, durationSec: 3600 },
      { part: 3, startSec: 7200, durationSec: 600 },
    ];
    expect(locateChapters(vodChapters, parts)).toEqual([
      { title: 'Just Chatting', vodStartSec: 0, part: 1, offsetSec: 0 },
      { title: 'Elden Ring', vodStartSec: 4350, part: 2, offsetSec: 750 },
      { title: 'Music', vodStartSec: 7350, part: 3, offsetSec: 150 },
    ]);
    // A chapter after the last part (a dropped tail) has no place.
    expect(locateChapters(vodChapters, parts.slice(0, 2)).map((c) => c.title)).toEqual(['Just Chatting', 'Elden Ring']);
  });
});

describe('ffmetadataChapters', () => {
  it('writes millisecond chapters and escapes what FFMETADATA treats as syntax', () => {
    expect(ffmetadataChapters([{ startSec: 0, endSec: 1.5, title: 'a=b; #1 \\ c\nd' }])).toBe(
      ';FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=1500\ntitle=a\\=b\\; \\#1 \\\\ c\\\nd\n',
    );
    expect(() => ffmetadataChapters([{ startSec: 5, endSec: 5, title: 'x' }])).toThrow(/bad span/);
  });
});

describe('a part built with chapters', () => {
  let dir: string;
  let cleanup: () => Promise<void>;
  let segs: Segment[];
  beforeAll(async () => {
    ({ dir, cleanup } = await tempDir('chapters'));
    segs = await makeHls({ dir, prefix: 'ch', seconds: 6, segmentSec: 1 });
  }, 120_000);
  afterAll(async () => cleanup());

  it('carries them as MP4 chapters from the same single ffmpeg run, and stays a normal A/V part', async () => {
    const chapters = chaptersForPart(
      [
        { startSec: 0, durationSec: 2, title: 'Just Chatting' },
        { startSec: 2, durationSec: null, title: 'Elden Ring: "Part 2" = boss; #1' },
      ],
      { startSec: 0, durationSec: 6 },
    );
    const file = await writePartChapters(join(dir, 'part-1.chapters.txt'), chapters);
    expect(file).toBeDefined();
    const output = join(dir, 'part-1.mp4');
    const expected = segs.reduce((a, s) => a + s.durationSec, 0);
    const built = await buildPart({ ...testTools(), inputs: segs.map((s) => s.path), output, expectedDurationSec: expected, chaptersFile: file });
    expect(built.ffmpegRuns).toBe(1);
    expect(built.durationSec).toBeCloseTo(expected, 0);
    const { stdout } = await exec('ffprobe', ['-v', 'error', '-show_chapters', '-of', 'json', output]);
    const probed = (JSON.parse(stdout) as { chapters: Array<{ start_time: string; end_time: string; tags: { title: string } }> }).chapters;
    expect(probed.map((c) => c.tags.title)).toEqual(['Just Chatting', 'Elden Ring: "Part 2" = boss; #1']);
    expect(Number(probed[1]!.start_time)).toBeCloseTo(2, 1);
    const summary = await readMp4Summary(output);
    expect(summary.video?.codec).toBe('h264');
    expect(summary.audio?.codec).toBeTruthy();
  }, 60_000);

  it('writes no chapter file for a part without chapters', async () => {
    expect(await writePartChapters(join(dir, 'none.txt'), [])).toBeUndefined();
  });
});
