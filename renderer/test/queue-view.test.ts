import { describe, expect, it } from 'vitest';
import type { PartRow, PostRow, VodRow } from '../../electron/contract/domain';
import { postState, queuePlace, queueTotals, sortQueue, vodBytes, vodEta, vodPhase } from '../src/lib/queue';
import { vodRowFixture } from '../../test/fakes/vod-row';

const MiB = 1024 * 1024;
const vod = (id: string, patch: Partial<VodRow> = {}): VodRow => vodRowFixture({ id, createdAt: `2026-01-0${id.length}T00:00:00Z`, durationSec: 3600, ...patch });
const post = (destinationId: string, state: PostRow['state'], error?: string): PostRow => ({ destinationId, destinationName: destinationId, state, error });
const part = (index: number, patch: Partial<PartRow> = {}): PartRow => ({
  index,
  bytes: 100 * MiB,
  durationSec: 600,
  build: 'done',
  upload: 'done',
  uploadProgress: 1,
  posts: [post('tg:1', 'done')],
  ...patch,
});

describe('what the queue says about a VOD', () => {
  it('numbers the VODs waiting their turn and tells a retry apart from a queued VOD', () => {
    const list = sortQueue([
      vod('a', { status: 'processing', stage: 'downloading' }),
      vod('bb'),
      vod('ccc', { lastError: 'Twitch timed out', nextRetryAt: '2026-01-01T01:00:00Z' }),
      vod('dddd'),
    ]);
    expect(vodPhase(list[1], queuePlace(list, list[1].id))).toEqual({ key: 'phase.queued', params: { place: 1 } });
    expect(queuePlace(list, 'dddd')).toBe(2);
    expect(vodPhase(list.find((v) => v.id === 'ccc') as VodRow, 0).key).toBe('phase.retrying');
    // Waiting for the download slot is not "downloading" with an empty bar.
    expect(vodPhase(list[0], 0).key).toBe('phase.waitingDownload');
  });

  it('says which part is being posted, not "4 of 4" while the last one still posts', () => {
    const v = vod('a', {
      status: 'processing',
      stage: 'posting',
      partsTotal: 4,
      parts: [part(1), part(2), part(3), part(4, { posts: [post('tg:1', 'active')] })],
    });
    expect(vodPhase(v, 0)).toEqual({ key: 'phase.posting', params: { n: 4, total: 4 } });
    expect(vodPhase({ ...v, stage: 'uploading', parts: [part(1), part(2, { upload: 'active', uploadProgress: 0.3 })] }, 0).params).toEqual({ n: 2, total: 4 });
  });

  it('marks a failing destination failed and a removed destination removed', () => {
    const configured = new Set(['tg:1', 'tg:2']);
    expect(postState(post('tg:1', 'pending', 'CHAT_WRITE_FORBIDDEN'), configured)).toBe('failed');
    expect(postState(post('tg:9', 'active'), configured)).toBe('removed');
    expect(postState(post('tg:9', 'done'), configured)).toBe('done');
    expect(postState(post('tg:2', 'pending'), configured)).toBe('pending');
  });

  it('estimates the whole size and ETA from the parts, or from the download so far', () => {
    const downloading = vod('a', {
      status: 'processing',
      stage: 'downloading',
      download: { bytes: 500 * MiB, segmentsDone: 50, segmentsTotal: 200, speedBps: 10 * MiB, etaSec: 150 },
    });
    expect(vodBytes(downloading)).toBe(2000 * MiB);
    // 1500 MiB still to fetch at 10 MiB/s; 2000 MiB to upload at the same speed before an upload ran.
    expect(vodEta(downloading)).toBe(200);
    const planned = vod('b', {
      status: 'processing',
      stage: 'uploading',
      partsTotal: 2,
      parts: [part(1), part(2, { upload: 'active', uploadProgress: 0.5, uploadSpeedBps: 5 * MiB })],
    });
    expect(vodBytes(planned)).toBe(200 * MiB);
    expect(vodEta(planned)).toBe(10);
    expect(vodEta(vod('c'))).toBeNull();
    expect(vodBytes(vod('c'))).toBeNull();
  });

  it('totals the open VODs; no ETA while some have not started', () => {
    const t = queueTotals([
      vod('a', { status: 'processing', stage: 'uploading', partsTotal: 1, parts: [part(1, { upload: 'active', uploadProgress: 0.5, uploadSpeedBps: MiB })] }),
      vod('b', { durationSec: 7200 }),
      vod('c', { status: 'completed' }),
    ]);
    expect(t).toEqual({ vods: 2, durationSec: 10_800, bytes: 100 * MiB, unknownSize: 1, etaSec: null });
    const only = queueTotals([
      vod('a', { status: 'processing', stage: 'uploading', partsTotal: 1, parts: [part(1, { upload: 'active', uploadProgress: 0.5, uploadSpeedBps: MiB })] }),
    ]);
    expect(only.etaSec).toBe(50);
  });
});
