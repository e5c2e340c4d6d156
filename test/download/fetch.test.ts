import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadProgress } from '../../electron/contract/domain';
import { resolveVodPlaylist } from '../../electron/engine/download/resolve';
import { tsStreamSignature } from '../../electron/engine/media/ts-signature';
import { fetchSegments } from '../../electron/engine/download/segments';
import { fetchVod, type FetchOptions, type FetchOutcome, type RecordedSegment } from '../../electron/engine/pipeline/stages/fetch';
import { vodFolder } from '../../electron/engine/pipeline/work-folder';
import { openDatabase } from '../../electron/engine/store/database';
import { segmentsOf } from '../../electron/engine/store/segments';
import { insertVod } from '../../electron/engine/store/vods';
import { EngineError } from '../../electron/engine/util/errors';
import { hlsCacheDir, makeHlsVod, type HlsVod, type HlsVodParams } from '../fakes/hls';
import { startTwitchStandIn, type StandInVod, type TwitchStandIn } from '../fakes/twitch/server';

const PARAMS: HlsVodParams = { durationSec: 12, segmentSec: 2, width: 160, height: 90, videoKbps: 400 };
let hls: HlsVod;
let tw: TwitchStandIn;
let dir: string;
const tmpRoots: string[] = [];

beforeAll(async () => {
  hls = await makeHlsVod(hlsCacheDir('download-tests', PARAMS), PARAMS);
});
beforeEach(async () => {
  tw = await startTwitchStandIn({ users: [{ id: '1', login: 'alice' }] });
  dir = mkdtempSync(join(tmpdir(), 'tvb-dl-'));
  tmpRoots.push(dir);
});
afterEach(async () => {
  await tw.close();
});
afterAll(() => {
  for (const d of tmpRoots) rmSync(d, { recursive: true, force: true });
});

function addVod(extra: Partial<StandInVod> = {}) {
  tw.addVod({ id: '100', userId: '1', hls, createdAt: '2026-01-01T00:00:00Z', ...extra });
}

interface DownloadOptions extends Partial<FetchOptions> {
  vodCreatedAt?: string;
  ytDlpPath?: string;
  signal?: AbortSignal;
}

/**
 * The pipeline's fetch stage (`fetchVod`, what the app runs) on a fresh store holding only this
 * VOD; `done` mirrors what it recorded, so each call downloads afresh, as a first attempt does.
 */
async function download(extra: DownloadOptions = {}) {
  const { vodCreatedAt, ytDlpPath, signal, ...options } = extra;
  const db = openDatabase(':memory:');
  insertVod(db, {
    id: '100',
    channel_id: '1',
    channel_name: 'alice',
    title: 'VOD',
    created_at: vodCreatedAt ?? '2000-01-01T00:00:00Z',
    duration: 12,
    duration_str: '12s',
    status: 'pending',
    url: '',
    thumbnail_url: '',
  });
  const done = new Map<number, RecordedSegment>();
  const progress: DownloadProgress[] = [];
  const contiguous: number[] = [];
  try {
    const result: FetchOutcome = await fetchVod({
      db,
      vod: { id: '100', generation: 0, created_at: vodCreatedAt ?? '' },
      folder: vodFolder(dir, '100'),
      tools: { ytDlp: ytDlpPath },
      signal: signal ?? new AbortController().signal,
      options: { endpoints: tw.endpoints, quality: ['best'], concurrency: 4, segmentTimeoutMs: 5000, diskReserveBytes: 0, progressIntervalMs: 50, ...options },
      onSegment: (d) => void done.set(d.index, d),
      onContiguous: (i) => contiguous.push(i),
      onProgress: (p) => progress.push(p),
    });
    // What the store recorded is what the stage reported.
    expect(
      segmentsOf(db, '100')
        .filter((r) => r.done)
        .map((r) => [r.idx, r.bytes, r.stream_key]),
    ).toEqual([...done.values()].sort((a, b) => a.index - b.index).map((d) => [d.index, d.bytes, d.streamKey]));
    return { result, done, progress, contiguous };
  } finally {
    db.close();
  }
}

function expectSameBytes(index: number) {
  expect(readFileSync(join(vodFolder(dir, '100').segments, `${index}.ts`)).equals(readFileSync(hls.segments[index].path))).toBe(true);
}

describe('native download', () => {
  it('fetches every segment once, byte-identical, with ordered completion and valid progress', async () => {
    addVod();
    const { result, done, progress, contiguous } = await download();
    expect(result.mode).toBe('segments');
    expect(result.resolved!.via).toBe('native');
    expect(result.resolved!.variant.name).toBe('chunked');
    expect(done.size).toBe(hls.segments.length);
    hls.segments.forEach((s) => {
      expectSameBytes(s.index);
      expect(tw.stats.segmentFetchCount('100', s.index)).toBe(1);
      expect(done.get(s.index)!.bytes).toBe(s.bytes);
      // The stream key read as the bytes arrived is the one of the file on disk.
      expect(done.get(s.index)!.streamKey).toBe(tsStreamSignature(readFileSync(s.path)));
      expect(done.get(s.index)!.streamKey).toMatch(/^v1b:/);
    });
    // onContiguous only grows, ends at the last index.
    expect([...contiguous].sort((a, b) => a - b)).toEqual(contiguous);
    expect(contiguous.at(-1)).toBe(hls.segments.length - 1);
    for (const p of progress) DownloadProgress.parse(p);
    expect(progress.at(-1)).toMatchObject({ bytes: hls.totalBytes, segmentsDone: hls.segments.length, segmentsTotal: hls.segments.length, etaSec: 0 });
  });

  it('skips segments already recorded, and reports them as contiguous', async () => {
    addVod();
    const first = await download();
    const doneBefore = new Set([0, 1, 2]);
    tw.stats.reset();
    const got: number[] = [];
    const res = await fetchSegments({
      dir,
      segments: first.result.resolved!.playlist.segments.map((s) => ({ index: s.index, url: s.url, durationSec: s.durationSec })),
      isSegmentDone: (i) => doneBefore.has(i),
      onSegmentDone: (d) => void got.push(d.index),
    });
    expect(got.sort()).toEqual([3, 4, 5]);
    expect(res.segmentsSkipped).toBe(3);
    expect(tw.stats.segmentLog.map((l) => l.index).sort()).toEqual([3, 4, 5]);
  });

  it('recovers from a connection dropped mid-segment', async () => {
    addVod();
    tw.setFault({ kind: 'drop', segment: 2 });
    const { done } = await download();
    expect(done.size).toBe(hls.segments.length);
    expect(tw.stats.segmentFetchCount('100', 2)).toBe(2);
    expectSameBytes(2);
  });

  it('times out a stalled segment and fetches it again', async () => {
    addVod();
    tw.setFault({ kind: 'stall', segment: 3, afterBytes: 1000 });
    const { done } = await download({ segmentTimeoutMs: 2000 });
    expect(done.size).toBe(hls.segments.length);
    expect(tw.stats.segmentFetchCount('100', 3)).toBe(2);
    expectSameBytes(3);
  });

  it('retries 5xx on a segment and fails with the segment number when it never works', async () => {
    addVod();
    tw.setFault({ kind: 'status', target: 'segment', segment: 1, status: 503, times: 2 });
    const ok = await download();
    expect(ok.done.size).toBe(hls.segments.length);
    expect(tw.stats.segmentFetchCount('100', 1)).toBe(3);

    rmSync(dir, { recursive: true, force: true });
    tw.setFault({ kind: 'status', target: 'segment', segment: 4, status: 500, times: 100 });
    const err = (await download({ maxAttempts: 2, wholeFileFallback: false }).catch((e: unknown) => e)) as EngineError;
    expect(err).toBeInstanceOf(EngineError);
    expect(err.errorClass).toBe('transient');
    expect(err.message).toMatch(/Segment 4 failed 2 times/);
  });

  it('fails fast on a 404 segment when no fallback is allowed', async () => {
    addVod();
    tw.setFault({ kind: 'status', target: 'segment', segment: 5, status: 404, times: 100 });
    await expect(download({ wholeFileFallback: false })).rejects.toMatchObject({ errorClass: 'permanent', code: 'HTTP_404' });
    expect(tw.stats.segmentFetchCount('100', 5)).toBe(1);
  });

  it('caps bandwidth over all connections', async () => {
    addVod();
    const cap = 400_000;
    const t0 = Date.now();
    await download({ bandwidthCapBps: cap });
    const seconds = (Date.now() - t0) / 1000;
    // Lower bound only (a loaded machine is slower, never faster): total minus the allowed burst.
    expect(seconds).toBeGreaterThanOrEqual((hls.totalBytes - cap * 0.25) / cap - 0.05);
  });

  it('stops at once when aborted, with a cancelled error', async () => {
    addVod();
    const ac = new AbortController();
    const p = download({ bandwidthCapBps: 100_000, signal: ac.signal });
    setTimeout(() => ac.abort(), 300);
    await expect(p).rejects.toMatchObject({ errorClass: 'cancelled' });
  });

  it('refuses a VOD whose playlist has not ended (still live) unless asked', async () => {
    addVod({ live: true });
    await expect(download()).rejects.toMatchObject({ errorClass: 'transient', code: 'still_live', retryAfterSec: 600 });
    expect(tw.stats.requests['GET segment'] ?? 0).toBe(0);
    const { done } = await download({ allowUnfinished: true });
    expect(done.size).toBe(hls.segments.length);
  });

  it('checks free space before fetching anything', async () => {
    addVod();
    await expect(download({ freeSpace: async () => 1000 })).rejects.toMatchObject({ errorClass: 'disk', code: 'insufficient_space' });
    expect(tw.stats.requests['GET segment'] ?? 0).toBe(0);
  });
});

describe('muted segments', () => {
  it('young VOD: tries the unmuted segment first and gets it', async () => {
    const createdAt = new Date(Date.now() - 3600_000).toISOString();
    addVod({ mutedSegments: [1, 4], createdAt });
    const { done } = await download({ vodCreatedAt: createdAt });
    expect(tw.stats.segmentLog.filter((l) => l.index === 1).map((l) => l.name)).toEqual(['1.ts']);
    expect(done.get(4)!.usedFallback).toBe(false);
  });

  it('young VOD whose unmuted copies are gone: falls back to muted, and stops asking for unmuted ones', async () => {
    const createdAt = new Date(Date.now() - 3600_000).toISOString();
    addVod({ mutedSegments: [1, 4], unmutedAvailable: false, createdAt });
    const { done } = await download({ concurrency: 1, vodCreatedAt: createdAt });
    expect(tw.stats.segmentLog.filter((l) => l.index === 1).map((l) => l.name)).toEqual(['1.ts', '1-muted.ts']);
    expect(tw.stats.segmentLog.filter((l) => l.index === 4).map((l) => l.name)).toEqual(['4-muted.ts']);
    expect(done.get(1)!.usedFallback).toBe(true);
    expect(done.size).toBe(hls.segments.length);
  });

  it('old VOD: fetches the muted segment directly', async () => {
    addVod({ mutedSegments: [2], createdAt: '2025-01-01T00:00:00Z' });
    await download({ vodCreatedAt: '2025-01-01T00:00:00Z' });
    expect(tw.stats.segmentLog.filter((l) => l.index === 2).map((l) => l.name)).toEqual(['2-muted.ts']);
  });
});

describe('access and quality', () => {
  it('sub-only VOD without login: a clear permanent "needs a Twitch login" error, no yt-dlp retry', async () => {
    addVod({ subOnly: true });
    const err = (await download({ ytDlpPath: '/usr/bin/yt-dlp' }).catch((e: unknown) => e)) as EngineError;
    expect(err).toBeInstanceOf(EngineError);
    expect(err.errorClass).toBe('permanent');
    expect(err.code).toBe('vod_manifest_restricted');
    expect(err.message).toMatch(/this VOD needs a Twitch login/);
    expect(tw.stats.requests['GET /videos/ID'] ?? 0).toBe(0);
  });

  it('sub-only VOD with the playback token (browser auth-token): downloads', async () => {
    addVod({ subOnly: true });
    const { done } = await download({ playbackToken: tw.issuePlaybackToken() });
    expect(done.size).toBe(hls.segments.length);
  });

  it('walks the preference list, and falls back to the best offered with a warning', async () => {
    addVod({ variants: ['720p30', '480p30', 'audio_only'] });
    const picked = await resolveVodPlaylist({ vodId: '100', endpoints: tw.endpoints, quality: ['1080p60', '480p30'] });
    expect(picked.variant.name).toBe('480p30');
    expect(picked.warnings).toEqual([]);
    const { result } = await download({ quality: ['1080p60', '1440p'] });
    expect(result.resolved!.variant.name).toBe('720p30');
    expect(result.resolved!.warnings[0]).toMatch(/None of the preferred qualities/);
    expect(new Set(tw.stats.segmentLog.map((l) => l.variant))).toEqual(new Set(['720p30']));
  });
});

describe('yt-dlp fallbacks', () => {
  it('resolves with yt-dlp -J when the native path keeps failing', async () => {
    addVod();
    tw.setFault({ kind: 'status', target: 'gql', status: 503, times: 100 });
    const { result, done } = await download({ ytDlpPath: '/usr/bin/yt-dlp' });
    expect(result.resolved!.via).toBe('yt-dlp');
    expect(result.resolved!.variant.name).toBe('chunked');
    expect(done.size).toBe(hls.segments.length);
    expect(tw.stats.requests['GET /videos/ID']).toBeGreaterThan(0);
  });

  it('last resort: a whole download by yt-dlp with parsed progress', async () => {
    addVod();
    tw.setFault({ kind: 'status', target: 'segment', segment: 3, status: 404, times: 1 });
    const { result, progress } = await download({ ytDlpPath: '/usr/bin/yt-dlp' });
    expect(result.mode).toBe('whole-file');
    if (result.mode !== 'whole-file') return;
    expect(result.cause).toMatch(/Segment 3/);
    expect(statSync(result.path).size).toBeGreaterThan(hls.totalBytes * 0.8);
    const last = progress.at(-1)!;
    DownloadProgress.parse(last);
    expect(last.segmentsTotal).toBe(hls.segments.length);
    expect(last.segmentsDone).toBe(hls.segments.length);
  });
});
