/**
 * The fetch stage's batched segment marks (pipeline/segment-marks.ts) on a real SQLite store: a
 * mark is in the store before anything else hears of it, batches are one transaction each, and a
 * failed commit stops the fetch instead of being lost.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SegmentMarks } from '../../electron/engine/pipeline/segment-marks';
import { openDatabase, type Db } from '../../electron/engine/store/database';
import { saveSegmentList, segmentsOf, type SegmentMark } from '../../electron/engine/store/segments';
import { insertVod } from '../../electron/engine/store/vods';

let db: Db;
const doneIn = (d: Db) =>
  segmentsOf(d, '1')
    .filter((s) => s.done)
    .map((s) => [s.idx, s.bytes, s.stream_key]);

beforeEach(() => {
  db = openDatabase(':memory:');
  insertVod(db, {
    id: '1',
    channel_id: 'c',
    channel_name: 'c',
    title: 'VOD',
    created_at: '2026-01-01T00:00:00Z',
    duration: 0,
    duration_str: '',
    status: 'pending',
    url: '',
    thumbnail_url: '',
  });
  saveSegmentList(
    db,
    '1',
    Array.from({ length: 600 }, (_, i) => ({ index: i, uri: `${i}.ts`, durationSec: 10, muted: false })),
  );
});
afterEach(() => {
  vi.useRealTimers();
  if (db.open) db.close();
});

describe('SegmentMarks', () => {
  it('commits queued marks together, then tells the rest of the engine (already stored)', () => {
    vi.useFakeTimers();
    const heard: Array<{ marks: number[]; stored: unknown[] }> = [];
    const marks = new SegmentMarks(db, '1', (list: readonly SegmentMark[]) => heard.push({ marks: list.map((m) => m.index), stored: doneIn(db) }));
    marks.add({ index: 2, bytes: 100, streamKey: 'k' });
    marks.add({ index: 0, bytes: 200, streamKey: null });
    expect(doneIn(db)).toEqual([]);
    expect(heard).toEqual([]);
    expect(marks.settled).toBe(false);
    vi.advanceTimersByTime(100);
    expect(marks.settled).toBe(true);
    expect(heard).toEqual([
      {
        marks: [2, 0],
        stored: [
          [0, 200, null],
          [2, 100, 'k'],
        ],
      },
    ]);
    marks.add({ index: 1, bytes: 300, streamKey: 'k' });
    marks.flush();
    expect(heard.map((h) => h.marks)).toEqual([[2, 0], [1]]);
    vi.advanceTimersByTime(1000);
    expect(heard).toHaveLength(2); // nothing left queued, no empty batch
  });

  it('writes one transaction per batch, and at most 256 marks wait', () => {
    const heard: number[] = [];
    const marks = new SegmentMarks(db, '1', (list) => heard.push(list.length));
    const commits = vi.spyOn(db, 'transaction');
    for (let i = 0; i < 600; i++) marks.add({ index: i, bytes: 1, streamKey: null });
    expect(heard).toEqual([256, 256]);
    marks.flush();
    expect(heard).toEqual([256, 256, 88]);
    expect(commits).toHaveBeenCalledTimes(3);
    expect(doneIn(db)).toHaveLength(600);
  });

  it('a failed commit is thrown by flush and by every later add; settle keeps it without throwing', () => {
    const heard: number[] = [];
    const marks = new SegmentMarks(db, '1', (list) => heard.push(list.length));
    marks.add({ index: 0, bytes: 1, streamKey: null });
    db.close();
    expect(() => marks.flush()).toThrow(/database connection is not open/);
    expect(marks.settled).toBe(false); // nothing queued, but a mark was lost: not everything is stored
    expect(() => marks.add({ index: 1, bytes: 1, streamKey: null })).toThrow(/database connection is not open/);
    expect(() => marks.settle()).not.toThrow();
    expect(() => marks.flush()).toThrow(/database connection is not open/);
    expect(heard).toEqual([]);
  });
});
