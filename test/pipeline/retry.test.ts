import { describe, expect, it } from 'vitest';
import { decideAfterFailure, retryDelaySec, vodAfterFailure } from '../../electron/engine/pipeline/retry';

const base = { retries: 0, maxRetries: 3, minDelaySec: 60, maxDelaySec: 600, now: new Date('2026-12-01T00:00:00.000Z') };

describe('the retry policy', () => {
  it('doubles the delay up to the cap, honours a wait the service asked for, and fails after maxRetries', () => {
    expect([0, 1, 2, 3, 4, 60].map((r) => retryDelaySec(r, 60, 600))).toEqual([60, 120, 240, 480, 600, 600]);
    expect(decideAfterFailure({ ...base, errorClass: 'transient' })).toEqual({ kind: 'retry', retries: 1, nextRetry: '2026-12-01T00:01:00.000Z' });
    expect(decideAfterFailure({ ...base, errorClass: 'transient', retryAfterSec: 900 })).toMatchObject({ nextRetry: '2026-12-01T00:15:00.000Z' });
    expect(decideAfterFailure({ ...base, retries: 3, errorClass: 'transient' })).toEqual({ kind: 'fail', retries: 4 });
    expect(decideAfterFailure({ ...base, errorClass: 'permanent' })).toEqual({ kind: 'fail', retries: 0 });
    for (const errorClass of ['login', 'disk', 'cancelled'] as const) expect(decideAfterFailure({ ...base, errorClass })).toEqual({ kind: 'hold' });
  });

  it("records the error's code beside its message, keeps a live VOD waiting, and leaves a cancel as recorded", () => {
    const restricted = { errorClass: 'permanent' as const, code: 'vod_manifest_restricted', message: 'subscribers only' };
    expect(vodAfterFailure({ kind: 'fail', retries: 0 }, restricted, base.now)).toEqual({
      status: 'failed',
      stage: 'done',
      retries: 0,
      next_retry: null,
      last_error: 'subscribers only',
      error_class: 'permanent',
      error_code: 'vod_manifest_restricted',
    });
    const live = { errorClass: 'transient' as const, code: 'still_live', message: 'still live', retryAfterSec: 600 };
    expect(vodAfterFailure({ kind: 'retry', retries: 1, nextRetry: 'x' }, live, base.now)).toEqual({
      status: 'live',
      stage: 'waiting',
      next_retry: '2026-12-01T00:10:00.000Z',
      last_error: null,
      error_class: null,
    });
    expect(vodAfterFailure({ kind: 'hold' }, { errorClass: 'cancelled', code: 'cancelled', message: 'x' }, base.now)).toBeNull();
    expect(vodAfterFailure({ kind: 'hold' }, { errorClass: 'disk', code: 'ENOSPC', message: 'full' }, base.now)).toMatchObject({ status: 'pending', error_code: 'ENOSPC' });
  });
});
