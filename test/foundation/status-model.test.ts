import { describe, expect, it } from 'vitest';
import type { EngineStatus, VodRow } from '../../electron/contract/domain';
import { appStatus, NO_FACTS, queueFacts } from '../../electron/contract/status';
import { vodRowFixture } from '../fakes/vod-row';

const status = (state: EngineStatus['state'], diskFreeBytes: number | null = null): EngineStatus => ({ state, message: null, nextCheckAt: null, diskFreeBytes });
const row = (id: string, patch: Partial<VodRow>): VodRow => vodRowFixture({ id, channelName: 'a', title: id, ...patch });

describe('one status model for header, tray and taskbar', () => {
  it('is "retrying" with the time, not "idle", while a VOD waits to be tried again', () => {
    const facts = queueFacts([row('1', { lastError: 'timed out', nextRetryAt: '2026-01-01T00:05:00Z', retries: 1 }), row('2', {})]);
    expect(facts).toMatchObject({ waiting: 2, failed: 0, nextRetryAt: '2026-01-01T00:05:00Z' });
    const s = appStatus(status('idle'), facts);
    expect(s.kind).toBe('retrying');
    expect(s.retryAt).toBe('2026-01-01T00:05:00Z');
    expect(appStatus(status('idle'), NO_FACTS).kind).toBe('idle');
  });

  it('needs attention for setup, login, a held queue, low disk and a failed VOD, before pause and work', () => {
    const failed = queueFacts([row('1', { status: 'failed', lastError: 'gone' }), row('2', { status: 'processing', stage: 'downloading' })]);
    expect(appStatus(status('working'), failed)).toMatchObject({ kind: 'attention', reason: 'vodFailed' });
    expect(appStatus(status('setupNeeded'), NO_FACTS).reason).toBe('setupNeeded');
    expect(appStatus(status('loginNeeded'), NO_FACTS).reason).toBe('loginNeeded');
    expect(appStatus(status('error'), NO_FACTS).reason).toBe('held');
    expect(appStatus(status('idle', 100), NO_FACTS, 1000).reason).toBe('diskLow');
    expect(appStatus(status('idle', 100), NO_FACTS, 0).kind).toBe('idle');
  });

  it('needs attention when the last discovery pass could not check a channel, after a failed VOD, before pause and work', () => {
    const problems = { ...status('working'), channelProblems: [{ channel: 'gone_channel', message: 'No Twitch channel with this name.' }] };
    expect(appStatus(problems, NO_FACTS)).toMatchObject({ kind: 'attention', reason: 'channelProblem' });
    expect(appStatus({ ...problems, state: 'paused' }, NO_FACTS).reason).toBe('channelProblem');
    const failed = queueFacts([row('1', { status: 'failed', lastError: 'gone' })]);
    expect(appStatus(problems, failed).reason).toBe('vodFailed');
    expect(appStatus({ ...problems, channelProblems: [] }, NO_FACTS).kind).toBe('working');
  });

  it('tells paused from idle and gives working progress for the taskbar', () => {
    expect(appStatus(status('paused'), NO_FACTS).kind).toBe('paused');
    const facts = queueFacts([row('1', { status: 'processing', stage: 'downloading', download: { bytes: 1, segmentsDone: 1, segmentsTotal: 2, speedBps: 1, etaSec: 1 } })]);
    const s = appStatus(status('working'), facts);
    expect(s.kind).toBe('working');
    // Half the download, nothing uploaded or posted yet.
    expect(s.progress).toBeCloseTo(0.225);
  });
});
