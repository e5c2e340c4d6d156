/**
 * One VOD's context for the cut stage (pipeline/stages/cut.ts) outside the engine, built as
 * pipeline/job.ts builds it: a real SQLite store (openDatabase, insertVod, saveSegmentList), the
 * real Notifier and SegmentBook, a build slot shared like the scheduler's, default settings, and a
 * progress sink that shows nothing. `segmentDone` records a segment the way the fetch stage does
 * after its download (its MPEG-TS check and stream key by the same TsSegmentCheck, here over the
 * file's bytes; the mark through the fetch stage's own segmentRecorder, committed in batches; then
 * SegmentBook.done and a wake), so the stage plans early while later segments are still "arriving".
 *
 * For `bench -- split` and the stage's tests. The VOD's chapters are recorded as fetched (none):
 * the stage's one GQL query per VOD is the network's, not the cut's, and nothing here has a network.
 */
import { join } from 'node:path';
import type PQueue from 'p-queue';
import { SettingsSchema, type Settings } from '../../electron/contract/settings';
import { freeBytes } from '../../electron/engine/download/disk';
import { inspectTsSegment } from '../../electron/engine/download/segment-check';
import { segmentPath } from '../../electron/engine/download/segments';
import type { SplitRules } from '../../electron/engine/media/planner';
import { Notifier, type ProgressSink, type VodContext } from '../../electron/engine/pipeline/context';
import { DEFAULT_LIVE_MODE } from '../../electron/engine/pipeline/live-mode';
import { SegmentBook } from '../../electron/engine/pipeline/segment-book';
import { Gate } from '../../electron/engine/pipeline/sync';
import { vodFolder } from '../../electron/engine/pipeline/work-folder';
import { openDatabase, type Db } from '../../electron/engine/store/database';
import { storeChapters } from '../../electron/engine/store/live';
import { saveSegmentList } from '../../electron/engine/store/segments';
import { segmentRecorder } from '../../electron/engine/pipeline/stages/fetch';
import { getVod, insertVod } from '../../electron/engine/store/vods';
import type { Tools } from '../../electron/engine/util/binaries';

export interface CutVodOptions {
  /** Holds the database, the work folder (`<dir>/work/<vodId>/`) and the data folder. */
  dir: string;
  vodId: string;
  /** The playlist: each segment's duration, in order (indexes from 0). */
  durations: readonly number[];
  rules: SplitRules;
  tools: Tools;
  /** The scheduler's build queue (min(4, cores) at once), shared by every VOD as in the engine. */
  build: PQueue;
  settings?: Settings;
}

export interface CutVod {
  ctx: VodContext;
  db: Db;
  /** The fetch stage's steps after segment `index`'s file is in `ctx.folder.segments`. */
  segmentDone(index: number, bytes: number): Promise<void>;
  /** After the last segment: its batch is committed now (as the fetch stage does at its end). */
  fetchDone(): void;
  close(): void;
}

const quiet: ProgressSink = { stage: () => {}, download: () => {}, part: () => {}, changed: () => {} };

export function openCutVod(options: CutVodOptions): CutVod {
  const { vodId, dir } = options;
  const db = openDatabase(join(dir, 'vods.db'));
  const settings = options.settings ?? SettingsSchema.parse({});
  const durationSec = options.durations.reduce((n, d) => n + d, 0);
  insertVod(db, {
    id: vodId,
    channel_id: '1',
    channel_name: 'bench',
    title: 'cut',
    created_at: '2026-01-01T00:00:00Z',
    duration: Math.round(durationSec),
    duration_str: `${Math.round(durationSec)}s`,
    status: 'processing',
    url: '',
    thumbnail_url: '',
  });
  saveSegmentList(
    db,
    vodId,
    options.durations.map((d, index) => ({ index, uri: `${index}.ts`, durationSec: d, muted: false })),
  );
  storeChapters(db, vodId, []);
  const abort = new AbortController();
  const folder = vodFolder(join(dir, 'work'), vodId);
  const ctx: VodContext = Object.freeze({
    db,
    vod: getVod(db, vodId)!,
    rules: options.rules,
    premium: false,
    destinations: [],
    tools: options.tools,
    folder,
    signal: abort.signal,
    progress: quiet,
    slots: { build: options.build, download: new Gate(1), upload: new Gate(1) },
    settings: () => settings,
    twitchPlaybackToken: () => undefined,
    wake: new Notifier(),
    segments: new SegmentBook(db, vodId),
    dataDir: join(dir, 'data'),
    disk: { free: freeBytes, pollMs: 30_000, onWait: () => {} },
    liveMode: DEFAULT_LIVE_MODE,
    stillLive: async () => false,
  });
  // The fetch stage's own recorder, wired as fetchStage wires it.
  const marks = segmentRecorder({
    db,
    vod: ctx.vod,
    onSegment: (d) => ctx.segments.done(d.index, d.bytes, d.streamKey),
    onContiguous: () => ctx.wake.notify(),
  });
  return {
    ctx,
    db,
    segmentDone: async (index, bytes) => {
      const path = segmentPath(folder.segments, index);
      const { streamKey } = await inspectTsSegment(path, index, bytes);
      const durationSec = options.durations[index] ?? 0;
      marks.add({ index, bytes, durationSec, path, url: `${index}.ts`, usedFallback: false, streamKey: streamKey ?? null });
      marks.contiguous(index);
    },
    fetchDone: () => marks.flush(),
    close: () => {
      abort.abort();
      db.close();
    },
  };
}
