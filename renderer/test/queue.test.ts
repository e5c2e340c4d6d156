import { describe, expect, it } from 'vitest';
import type { PartRow, VodRow } from '../../electron/contract/domain';
import { applyDownload, applyPart, downloadFraction, removeVod, sortQueue, uploadFraction, upsertVod } from '../src/lib/queue';
import { vodRowFixture } from '../../test/fakes/vod-row';

const vod = (id: string, status: VodRow['status'], createdAt: string): VodRow => vodRowFixture({ id, status, createdAt, updatedAt: createdAt });
const part = (index: number, upload: PartRow['upload'], uploadProgress: number): PartRow => ({
  index,
  bytes: 1,
  durationSec: 1,
  build: 'done',
  upload,
  uploadProgress,
  posts: [],
});

describe('queue updates from events', () => {
  it('upserts, removes and ignores events for unknown VODs', () => {
    let list = upsertVod([], vod('1', 'pending', '2026-01-02'));
    list = upsertVod(list, { ...vod('1', 'processing', '2026-01-02') });
    expect(list).toHaveLength(1);
    expect(list[0].status).toBe('processing');
    expect(applyDownload(list, 'nope', { bytes: 1, segmentsDone: 1, segmentsTotal: 2, speedBps: 0, etaSec: null })).toEqual(list);
    expect(removeVod(list, '1')).toEqual([]);
  });

  it('keeps parts in order and replaces a part by index', () => {
    let list = [vod('1', 'processing', '2026-01-02')];
    list = applyPart(list, '1', part(2, 'pending', 0));
    list = applyPart(list, '1', part(1, 'active', 0.5));
    list = applyPart(list, '1', part(1, 'done', 1));
    expect(list[0].parts.map((p) => [p.index, p.upload])).toEqual([
      [1, 'done'],
      [2, 'pending'],
    ]);
    expect(uploadFraction({ ...list[0], partsTotal: 4 })).toBe(0.25);
  });

  it('sorts working VODs first, then waiting, then finished; oldest first within a group', () => {
    const sorted = sortQueue([vod('c', 'completed', '2026-01-01'), vod('p2', 'pending', '2026-01-03'), vod('w', 'processing', '2026-01-05'), vod('p1', 'pending', '2026-01-02')]);
    expect(sorted.map((v) => v.id)).toEqual(['w', 'p1', 'p2', 'c']);
    expect(downloadFraction({ bytes: 0, segmentsDone: 3, segmentsTotal: 4, speedBps: 0, etaSec: null })).toBe(0.75);
    expect(downloadFraction(null)).toBe(0);
  });
});
